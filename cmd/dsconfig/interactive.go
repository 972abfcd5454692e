package main

import (
	"context"
	"errors"
	"io"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
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
	interactive.ShowCommands(term, interactive.Commands(r, mods))
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
	p.created = r.New
	return nil
}

// createNew creates, on tx, the objects created on the spot for reference
// properties (at a prompt, or in the console): in the same change as the
// command, so that they exist only if it succeeds.
func createNew(tx *config.Tx, objs []interactive.NewObject) error {
	for _, n := range objs {
		t, err := config.LookupType(n.Request.Kind, n.Request.Type)
		if err != nil {
			return err
		}
		if _, err := tx.Create(t, n.Request.Name, n.Mods); err != nil {
			return err
		}
	}
	return nil
}

// confirmNew confirms each object created on the spot.
func (u ui) confirmNew(objs []interactive.NewObject) {
	for _, n := range objs {
		u.confirm("The %s %q was created successfully", n.Request.Kind.Friendly, n.Request.Name)
	}
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
