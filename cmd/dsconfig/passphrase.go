package main

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

const testPassphraseLong = `Resolves a passphrase provider the way send-test-mail and token requests
do, and reports whether it worked, without showing the secret.

On success it prints the secret's length in characters and its fingerprint:
the first 8 hex digits of the secret's SHA-256. The fingerprint is not the
secret; it lets you check that two hosts, or a provider before and after a
change, hold the same value. On failure it says why (environment variable
not set, file missing or unreadable, command failed, encryption key file
missing) and exits with code 3.`

type testPassphraseResult struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Length      int    `json:"length"`
	Fingerprint string `json:"fingerprint"`
}

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
	secret, err := credentials{snap: snap, getenv: o.Getenv, warn: o.warnLine}.Secret(ctx, o.Name)
	if err != nil {
		return err
	}
	obj := snap.State.Get(config.KindPassphraseProvider, o.Name)
	res := &testPassphraseResult{o.Name, obj.Type, utf8.RuneCountInString(secret), config.Fingerprint(secret)}
	if o.Output == "json" {
		return writeJSON(o.IO.Out, res)
	}
	chars := "characters"
	if res.Length == 1 {
		chars = "character"
	}
	fmt.Fprintf(o.IO.Out, "The Passphrase Provider %q gave a secret of %d %s, fingerprint %s (not the secret: the start of its SHA-256)\n",
		res.Name, res.Length, chars, res.Fingerprint)
	return nil
}
