package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

const testPassphraseLong = `Resolves a passphrase provider the way send-test-mail and token requests
do, and reports whether it worked, without showing the secret.

On success it prints the secret's length in characters and its fingerprint:
the first 8 hex digits of the secret's SHA-256. The fingerprint is not the
secret; it lets you check that two hosts, or a provider before and after a
change, hold the same value. On failure it says why (environment variable
not set, file missing or unreadable, command failed, encryption key file
missing) and exits with code 3.`

type testPassphraseOptions struct {
	objectOptions
	Getenv func(string) string
	Output string
}

func newCmdTestPassphraseProvider(f *factory, g *globalOptions, runF func(*testPassphraseOptions) error) *cobra.Command {
	k := f.Registry.Kind(config.KindPassphraseProvider)
	o := &testPassphraseOptions{objectOptions: newObjectOptions(f, g, k), Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:     "test-passphrase-provider",
		GroupID: "other",
		Short:   "Checks that a passphrase provider gives its secret, without showing it",
		Long:    testPassphraseLong,
		Example: "  dsconfig test-passphrase-provider --provider-name \"SMTP Client Secret\"\n  dsconfig test-passphrase-provider --provider-name \"SMTP Client Secret\" --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, o.Name); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, testPassphraseRun)
		},
	}
	nameFlag(cmd, k, &o.Name, "")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func testPassphraseRun(ctx context.Context, o *testPassphraseOptions) error {
	if err := outputFormat(o.Output); err != nil {
		return err
	}
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	secret, err := credentials.Resolver{Config: snap, Getenv: o.Getenv, Warn: o.warnLine}.Secret(ctx, o.Name)
	if err != nil {
		return err
	}
	obj := snap.State.Get(config.KindPassphraseProvider, o.Name)
	res := report.NewSecret(o.Name, obj.Type, secret)
	if o.Output == "json" {
		return render.JSON(o.IO.Out, res)
	}
	res.WriteText(o.IO.Out)
	return nil
}
