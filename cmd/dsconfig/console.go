package main

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/console"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
)

// runConsole opens the menu console (internal/console): dsconfig with no
// subcommand at a terminal. Every change it makes is run as its
// equivalent command line, after the global options dsconfig was started
// with, through a fresh command tree: the same parsing, validation, store
// update, archive and audit log as typed commands.
func runConsole(ctx context.Context, f *factory, o *rootOptions) error {
	u := ui{f.IO, &o.Global}
	fd, tty := u.stdinTerminal()
	if !tty {
		return &flagError{errNoSubcommand}
	}
	global := slices.DeleteFunc(slices.Clone(o.args), func(a string) bool {
		return a == "--advanced" || strings.HasPrefix(a, "--advanced=")
	})
	c := &console.Console{
		Term:      &prompt.Terminal{Out: f.IO.Out, FD: fd},
		Registry:  f.Registry,
		Advanced:  o.Advanced,
		Snapshot:  func() (*config.Snapshot, error) { return f.Snapshot(&o.Global) },
		Shortcuts: consoleShortcuts,
		Apply: func(ctx context.Context, ch console.Change) error {
			full := append(slices.Clone(global), ch.Args...)
			g := globalOptions{consolePrompted: ch.Prompted, consoleCreated: ch.Created}
			root := newRoot(f, &rootOptions{Global: g, tree: scopeFor(f.Registry, full)})
			root.SetArgs(full)
			cmd, err := root.ExecuteContextC(ctx)
			if err != nil && !errors.Is(err, errChanged) {
				printError(f.IO.ErrOut, cmd.CommandPath(), err)
			}
			return err
		},
	}
	return c.Run(ctx)
}

// consoleShortcuts are the troubleshooting commands offered while an
// object is edited: edit, test, edit.
func consoleShortcuts(o *config.Object) []console.Shortcut {
	switch {
	case o.Kind == config.KindHTTPAuthorizationMethod:
		return []console.Shortcut{{Key: "t", Label: "get an access token from this method (get-access-token, no cache)",
			Args: func(string) []string {
				return []string{"get-access-token", "--method-name", o.Name, "--no-token-cache"}
			}}}
	case o.Kind == config.KindExternalServer && o.Type == mailer.TypeSMTP:
		return []console.Shortcut{{Key: "t", Label: "send a test mail through this server (send-test-mail)",
			Ask: "Enter the recipient address",
			Args: func(to string) []string {
				return []string{"send-test-mail", "--server-name", o.Name, "--to", to}
			}}}
	}
	return nil
}
