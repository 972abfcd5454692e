package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/apply"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

type applyOptions struct {
	ui
	Registry *config.Registry
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Update   func(*globalOptions, func(*config.Tx) error, func(*config.Snapshot)) error

	File             string
	Prune            bool
	DryRun           bool
	DetailedExitCode bool
	Output           string
}

func newCmdApplyConfig(f *factory, g *globalOptions, runF func(*applyOptions) error) *cobra.Command {
	o := &applyOptions{ui: ui{f.IO, g}, Registry: f.Registry, Snapshot: f.Snapshot, Update: f.Update}
	cmd := &cobra.Command{
		Use:   "apply-config FILE",
		Short: "Makes the configuration match a desired batch file, idempotently",
		Long: "Makes the configuration match FILE (- for standard input), a batch file of create-* and\n" +
			"set-*-prop commands as export-config writes it. The difference is computed as config-diff\n" +
			"does and applied as one change, all or nothing, with one archive entry and audit records.\n" +
			"Applying the same file again changes nothing, not even the audit log. Objects absent from\n" +
			"FILE are kept; with --prune those of the kinds FILE mentions are deleted, unless something\n" +
			"left in place refers to them. FILE holds no secret values: sensitive properties are\n" +
			"refused, and those in the store are kept. Never prompts.",
		Example: "  dsconfig apply-config smtp.dsconfig --detailed-exitcode --reason 'deploy 42'\n" +
			"  dsconfig export-config | ssh host dsconfig apply-config --prune -",
		Args: oneFile,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runCmd(cmd, o, runF, applyRun)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Prune, "prune", false, "delete the objects absent from FILE, of the kinds FILE mentions")
	fl.BoolVar(&o.DryRun, "dry-run", false, "print what would change, and change nothing")
	fl.BoolVar(&o.DetailedExitCode, "detailed-exitcode", false, "exit 8 when changes were made (or would be, with --dry-run), 0 when there was nothing to change")
	fl.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func oneFile(_ *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usagef("apply-config takes one FILE, or - for standard input; %d arguments were given (not shown)", len(args))
	}
	return nil
}

func applyRun(_ context.Context, o *applyOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	lines, err := readBatch(o.IO, o.File)
	if err != nil {
		return err
	}
	desired, err := apply.Read(o.Registry, lines)
	if err != nil {
		return err
	}
	run := &apply.Run{Registry: o.Registry, Desired: desired, Prune: o.Prune}
	if o.DryRun {
		var st *config.State
		if st, err = stateOf(o.Snapshot(o.Global)); err == nil {
			err = run.DryRun(st)
		}
	} else {
		err = o.Update(o.Global, func(tx *config.Tx) error {
			tx.Action = fmt.Sprintf("The configuration could not be applied from %s", o.File)
			return run.Converge(tx.State)
		}, func(*config.Snapshot) {})
	}
	if err != nil && !errors.Is(err, apply.ErrNothingToChange) {
		return err
	}
	return reportApply(o, run.Entries)
}

func reportApply(o *applyOptions, entries []apply.Entry) error {
	var err error
	if o.Output == "json" {
		err = render.JSON(o.IO.Out, apply.NewResult(entries, o.DryRun))
	} else if !o.Global.Quiet {
		apply.WriteText(o.IO.Out, entries, o.DryRun)
	}
	if err == nil && o.DetailedExitCode && len(entries) > 0 {
		err = errChanged
	}
	return err
}
