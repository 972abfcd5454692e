package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

type checkConfigOptions struct {
	ui
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Now      func() time.Time

	Strict, Online, NoTokenCache bool
	ServerName, MethodName       string
	Output                       string
}

const checkConfigLong = `Checks the configuration and prints one line per finding on standard
output: severity (error, warning or notice), object, property, what is
wrong, the check's ID, and the command that fixes it. docs/checks.md lists
every check.

The offline checks read the store and the files it names, and resolve the
passphrase providers in use (a command provider runs, bounded by its
command-timeout); nothing is sent. --online also gets a token from each
method in use and opens a session with each listed SMTP server up to AUTH,
then QUIT, with the code of get-access-token and send-test-mail: no message
is sent. --server-name or --method-name checks one object and what it
refers to.

Exit status: 0 no error (with --strict: no error or warning), 2 usage,
3 an error was found (with --strict: or a warning).`

func newCmdCheckConfig(f *factory, g *globalOptions, runF func(*checkConfigOptions) error) *cobra.Command {
	o := &checkConfigOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "check-config",
		Short: "Finds what is wrong with the configuration before a mail fails",
		Long:  checkConfigLong,
		Example: "  dsconfig check-config\n  dsconfig check-config --strict --online\n" +
			"  dsconfig check-config --server-name \"Exchange Online\" --output json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, checkConfigRun) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Strict, "strict", false, "count warnings as errors")
	fl.BoolVar(&o.Online, "online", false, "also get tokens and open SMTP sessions up to AUTH (no message is sent)")
	fl.BoolVar(&o.NoTokenCache, "no-token-cache", false, "with --online, request new tokens instead of using the shared cache")
	fl.StringVar(&o.ServerName, "server-name", "", "check only this SMTP external server and what it refers to")
	fl.StringVar(&o.MethodName, "method-name", "", "check only this http-authorization-method and what it refers to")
	fl.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func checkConfigRun(ctx context.Context, o *checkConfigOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	if o.ServerName != "" && o.MethodName != "" {
		return usagef("give --server-name or --method-name, not both")
	}
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	opts := check.Options{Config: snap, Getenv: o.Getenv, Now: o.Now, ServerName: o.ServerName, MethodName: o.MethodName}
	fs, err := check.Offline(ctx, opts)
	if err != nil {
		return err
	}
	p := report.NewSteps(o.IO.Out, o.Output == "json", true)
	if o.Online {
		creds := credentials.Resolver{Config: snap, Getenv: o.Getenv, Warn: o.warnLine, NoCache: o.NoTokenCache}
		more, err := check.Online(ctx, check.OnlineOptions{Options: opts, Secrets: creds, Tokens: creds, LocalName: mailer.Hostname(), Report: p.Report})
		if err != nil {
			return err
		}
		fs = append(fs, more...)
	}
	verdict := check.Verdict(fs, o.Strict)
	if err := report.WriteCheck(o.IO.Out, fs, p, verdict == nil, !o.Global.ScriptFriendly && !o.Global.Quiet); err != nil {
		return err
	}
	return verdict
}
