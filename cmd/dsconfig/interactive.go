package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/interactive"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
)

// complete asks, at a terminal, for what a create-* (typ non-nil) or
// set-*-prop lacks: the name, the type, a mandatory property (see
// internal/interactive). It then shows the equivalent non-interactive
// command and applies only once confirmed. It does nothing with
// --no-prompt, without a terminal, in a batch file, or when nothing is
// lacking: the command's own errors then say what is missing.
func (o *objectOptions) complete(ctx context.Context, cmd *cobra.Command, typ *string, p *propFlags) error {
	fd, tty := o.stdinTerminal()
	if !tty || o.Global.NoPrompt || o.Global.inBatch {
		return nil
	}
	r := &interactive.Request{Kind: o.Kind, Create: typ != nil, Name: o.Name,
		NameGiven: o.Kind.Singleton() || cmd.Flags().Changed(o.Kind.NamingArg),
		Set:       p.Set, Add: p.Add, Remove: p.Remove, Reset: p.Reset, SetFromFile: p.SetFromFile}
	if typ != nil {
		r.Type = *typ
	}
	if !r.Lacks() {
		return nil
	}
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	term := &prompt.Terminal{Out: o.IO.ErrOut, FD: fd}
	mods, err := interactive.Fill(ctx, term, snap, r)
	if err != nil {
		return promptError(err)
	}
	fmt.Fprintf(term.Out, "\nThe equivalent non-interactive command:\n\n  %s\n\n", interactive.Command(r, mods))
	apply, err := term.Confirm(ctx, "Apply this change?")
	if err != nil {
		return promptError(err)
	}
	if !apply {
		return prompt.ErrQuit
	}
	o.Name = r.Name
	if typ != nil {
		*typ = r.Type
	}
	p.prompted = mods
	return nil
}

// promptError passes on quitting and Ctrl-C; anything else at a prompt
// (the end of input, no object to choose from) is a usage error.
func promptError(err error) error {
	switch {
	case errors.Is(err, prompt.ErrQuit), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, io.EOF):
		return usagef("no answer was entered: end of input; nothing was changed")
	}
	return usagef("%v", err)
}
