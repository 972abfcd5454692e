package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

type exportOptions struct {
	ui
	Registry *config.Registry
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Store    func(*globalOptions) (*config.Store, error)

	OutputFile string
}

func newCmdExportConfig(f *factory, g *globalOptions, runF func(*exportOptions) error) *cobra.Command {
	o := &exportOptions{ui: ui{f.IO, g}, Registry: f.Registry, Snapshot: f.Snapshot, Store: f.Store}
	cmd := &cobra.Command{
		Use:   "export-config",
		Short: "Writes a batch file that rebuilds the configuration",
		Long: "Writes the configuration as a dsconfig batch file that rebuilds it from nothing: each object\n" +
			"is created with all its explicitly set properties, objects before the objects that refer to\n" +
			"them, and the global configuration last. Applying it with --batch-file to an empty\n" +
			"configuration directory gives the same store. " + sealedHelp,
		Example: "  dsconfig export-config > staging.dsconfig\n" +
			"  dsconfig --config-dir /tmp/new --batch-file staging.dsconfig",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, exportRun) },
	}
	cmd.Flags().StringVarP(&o.OutputFile, "output-file", "O", "", "write the batch file here instead of standard output (mode 0600)")
	return cmd
}

func exportRun(_ context.Context, o *exportOptions) error {
	st, err := stateOf(o.Snapshot(o.Global))
	if err != nil {
		return err
	}
	// From the initial state, which an empty configuration directory
	// starts with: untouched built-ins are not written.
	changes := o.Registry.Plan(o.Registry.InitialState(), st)
	return writeBatchOutput(o, "# dsconfig export-config: rebuilds the configuration from nothing.", changes)
}

const sealedHelp = "Sensitive values are written in\nencrypted form and open only with the same encryption-key file."

type configDiffOptions struct {
	exportOptions
	Source, Target string
}

func newCmdConfigDiff(f *factory, g *globalOptions, runF func(*configDiffOptions) error) *cobra.Command {
	o := &configDiffOptions{exportOptions: exportOptions{ui: ui{f.IO, g}, Registry: f.Registry, Snapshot: f.Snapshot, Store: f.Store}}
	cmd := &cobra.Command{
		Use:   "config-diff",
		Short: "Writes the difference between two stores as a batch file",
		Long: "Compares two configuration stores and writes the difference as a dsconfig batch file:\n" +
			"applied to the source store, the batch makes it equal to the target store. The target is\n" +
			"the current store unless --target-store is given. " + sealedHelp,
		Example: "  dsconfig config-diff --source-store prod/config.yaml > to-current.dsconfig\n" +
			"  dsconfig config-diff --source-store a/config.yaml --target-store b/config.yaml",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, configDiffRun) },
	}
	cmd.Flags().StringVar(&o.Source, "source-store", "", "the store file the batch applies to (a config.yaml)")
	cmd.Flags().StringVar(&o.Target, "target-store", "", "the store file the batch leads to (default: the current store)")
	cmd.Flags().StringVarP(&o.OutputFile, "output-file", "O", "", "write the batch file here instead of standard output (mode 0600)")
	return cmd
}

func configDiffRun(_ context.Context, o *configDiffOptions) error {
	if o.Source == "" {
		return usagef("no --source-store given: name the store file to compare from")
	}
	from, err := history.ReadStoreFile(o.Registry, o.Source)
	if err != nil {
		return err
	}
	to, err := stateOf(o.Snapshot(o.Global))
	if o.Target != "" {
		to, err = history.ReadStoreFile(o.Registry, o.Target)
	}
	if err != nil {
		return err
	}
	head := fmt.Sprintf("# dsconfig config-diff: turns %s into %s.", o.Source, orCurrent(o.Target))
	return writeBatchOutput(&o.exportOptions, head, o.Registry.Plan(from, to))
}

func orCurrent(target string) string {
	if target == "" {
		return "the current store"
	}
	return target
}

// writeBatchOutput writes changes as a batch file with a header.
func writeBatchOutput(o *exportOptions, head string, changes []config.Change) error {
	w := o.IO.Out
	var fh *os.File
	if o.OutputFile != "" {
		s, err := o.Store(o.Global)
		if err == nil {
			err = s.CheckOutside("--output-file", o.OutputFile)
		}
		if err != nil {
			return err
		}
		if fh, err = config.CreatePrivate(o.OutputFile); err != nil {
			return err
		}
		w = fh
	}
	history.WriteBatch(w, head, o.Registry, changes)
	if fh != nil {
		return fh.Close()
	}
	return nil
}
