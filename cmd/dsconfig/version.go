package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/buildinfo"
)

type versionOptions struct {
	ui
	Info buildinfo.Info
}

// newCmdVersion is "dsconfig version", the same text as --version.
func newCmdVersion(f *factory, g *globalOptions, runF func(*versionOptions) error) *cobra.Command {
	o := &versionOptions{ui: ui{f.IO, g}, Info: buildinfo.Get()}
	return &cobra.Command{
		Use:   "version",
		Short: "Shows the version, commit, build date and Go version of dsconfig",
		Long: "Shows the version of dsconfig (a release tag, or git describe's description of the commit), " +
			"the commit, the build date and the Go version that built it; the same as dsconfig --version. " +
			"A build made without make shows what the go command recorded: the module version, or (devel) for a build from a checkout.",
		Example: "  dsconfig version",
		Args:    noArgs,
		// Nothing to configure: a broken tools.properties must not hide the version.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE:              func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, versionRun) },
	}
}

func versionRun(_ context.Context, o *versionOptions) error {
	_, err := fmt.Fprint(o.IO.Out, o.Info)
	return err
}
