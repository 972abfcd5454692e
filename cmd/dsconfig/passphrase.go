package main

import (
	"fmt"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// passphraseResolver returns the resolver for the providers in snap. Its
// warnings (a password file others can read) go to stderr like every
// other warning, and -Q silences them.
func (f *factory) passphraseResolver(snap *config.Snapshot) *passphrase.Resolver {
	return &passphrase.Resolver{Config: snap, Getenv: f.Getenv, Warn: f.warnLine}
}

const testPassphraseLong = `Resolves a passphrase provider the way send-test-mail and token requests
do, and reports whether it worked, without showing the secret.

On success it prints the secret's length in characters and its fingerprint:
the first 8 hex digits of the secret's SHA-256. The fingerprint is not the
secret; it lets you check that two hosts, or a provider before and after a
change, hold the same value. On failure it says why (environment variable
not set, file missing or unreadable, command failed, encryption key file
missing) and exits with code 3.`

type testPassphraseResult struct {
	Name        string `json:"provider-name"`
	Type        string `json:"type"`
	Length      int    `json:"length"`
	Fingerprint string `json:"fingerprint"`
}

func newCmdTestPassphraseProvider(f *factory) *cobra.Command {
	var name, output string
	k := f.Registry.Kind(config.KindPassphraseProvider)
	cmd := &cobra.Command{
		Use:     "test-passphrase-provider",
		GroupID: "other",
		Short:   "Checks that a passphrase provider gives its secret, without showing it",
		Long:    testPassphraseLong,
		Example: "  dsconfig test-passphrase-provider --provider-name \"SMTP Client Secret\"\n  dsconfig test-passphrase-provider --provider-name \"SMTP Client Secret\" --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, name); err != nil {
				return err
			}
			if err := outputFormat(output); err != nil {
				return err
			}
			res, err := testPassphrase(cmd, f, name)
			if err != nil {
				return err
			}
			return printPassphraseResult(f, res, output)
		},
	}
	nameFlag(cmd, k, &name, "")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func testPassphrase(cmd *cobra.Command, f *factory, name string) (*testPassphraseResult, error) {
	snap, err := f.snapshot()
	if err != nil {
		return nil, err
	}
	secret, err := f.passphraseResolver(snap).Secret(cmd.Context(), name)
	if err != nil {
		return nil, err
	}
	o := snap.State.Get(config.KindPassphraseProvider, name)
	return &testPassphraseResult{name, o.Type, utf8.RuneCountInString(secret), config.Fingerprint(secret)}, nil
}

func printPassphraseResult(f *factory, res *testPassphraseResult, output string) error {
	if output == "json" {
		return writeJSON(f.IO.Out, res)
	}
	chars := "characters"
	if res.Length == 1 {
		chars = "character"
	}
	fmt.Fprintf(f.IO.Out, "The Passphrase Provider %q gave a secret of %d %s, fingerprint %s (not the secret: the start of its SHA-256)\n",
		res.Name, res.Length, chars, res.Fingerprint)
	return nil
}
