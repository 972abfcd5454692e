package main

import (
	"context"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/secretinput"
)

// Sensitive values are kept out of argv by internal/secretinput: --set
// PROP prompts without echo, --set-from-file PROP:PATH and PROP<PATH read
// a file or standard input. These are the object commands' hooks into it.

// argvSecretWarning is the warning for a sensitive value typed on the
// command line, or "" when there is none; its advice depends on whether
// this dsconfig could have prompted.
func (u ui) argvSecretWarning(k *config.Kind, t *config.Type, args []string) string {
	_, tty := u.stdinTerminal()
	return secretinput.ArgvWarning(k, t, args, u.Global.inBatch, tty && !u.Global.NoPrompt)
}

// secretMods reads the values of prompted properties and of values read
// from files, before the store is locked.
func (u ui) secretMods(ctx context.Context, prompted []string, fromFile []secretinput.FileArg) ([]config.Mod, error) {
	return secretinput.Reader{In: u.IO.In, ErrOut: u.IO.ErrOut, NoPrompt: u.Global.NoPrompt}.Mods(ctx, prompted, fromFile)
}

// stdinTerminal returns standard input's descriptor when it is a terminal.
func (u ui) stdinTerminal() (int, bool) { return secretinput.StdinTerminal(u.IO.In) }
