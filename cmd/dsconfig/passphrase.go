package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

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
		Long:    passphrase.TestProviderHelp,
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
	if err := render.CheckFormat(o.Output); err != nil {
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
