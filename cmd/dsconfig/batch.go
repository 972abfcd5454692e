package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/pingargs"
)

// batchOptions are the batch-mode options of the root command.
type batchOptions struct {
	File            string
	ContinueOnError bool
	DryRun          bool
	// Stdin is --batch, PingDirectory's spelling of --batch-file -.
	Stdin bool
}

func addBatchFlags(root *cobra.Command, o *batchOptions) {
	fl := root.Flags()
	fl.StringVarP(&o.File, "batch-file", "F", "", "run the dsconfig commands in this file (- for standard input) as one change: all or nothing")
	fl.BoolVar(&o.ContinueOnError, "batch-continue-on-error", false, "with --batch-file, apply the commands that succeed and report the others")
	fl.BoolVar(&o.Stdin, "batch", false, "read the batch from standard input: the same as --batch-file -")
	fl.BoolVar(&o.DryRun, "dry-run", false, "with --batch-file, validate the commands and print what would change, without changing anything")
}

// lineError is a batch command that failed, with where it is.
type lineError struct {
	Line batchfile.Line
	Err  error
}

func (e *lineError) Error() string { return e.Line.Where() + ": " + e.Err.Error() }
func (e *lineError) Unwrap() error { return e.Err }

// batchFailed summarises a batch run with --batch-continue-on-error in
// which some commands failed. Its exit code is that of the first failure.
type batchFailed struct {
	Failed, Total int
	DryRun        bool
	First         error
}

func (e *batchFailed) Error() string {
	done := "the others were applied"
	if e.DryRun {
		done = "nothing was changed (dry run)"
	}
	return fmt.Sprintf("%d of %d batch commands failed; %s", e.Failed, e.Total, done)
}
func (e *batchFailed) Unwrap() error { return e.First }

var errDryRun = errors.New("dry run")

// runBatch runs a batch file as one change of the store: every line runs,
// in order, on one working copy under one lock, and the store is written
// once at the end, or not at all if a line fails.
func runBatch(ctx context.Context, f *factory, o *rootOptions) error {
	if b := o.Batch; b.File == "" && (b.DryRun || b.ContinueOnError) {
		return usagef("--dry-run and --batch-continue-on-error can only be used with --batch-file")
	}
	lines, err := readBatch(f.IO, o.Batch.File)
	if err != nil {
		return err
	}
	if err := stripConnectionOptions(ui{f.IO, &o.Global}, lines); err != nil {
		return err
	}
	if err := checkBatchCommands(f, lines); err != nil {
		return err
	}
	return batchRunner{f, &o.Global, new([]check.Target)}.apply(ctx, lines, o.Batch.ContinueOnError, o.Batch.DryRun)
}

func readBatch(ios *IOStreams, file string) ([]batchfile.Line, error) {
	if file == "-" {
		return batchfile.Parse("<stdin>", ios.In)
	}
	fh, err := os.Open(file)
	if err != nil {
		return nil, usagef("cannot read the batch file: %v", err)
	}
	defer fh.Close()
	return batchfile.Parse(file, fh)
}

// batchRunner runs the lines of a batch with the batch's global options.
// It, not the factory, holds the transaction the lines share.
type batchRunner struct {
	f      *factory
	global *globalOptions
	// checks are the objects the lines changed (see warnChecks).
	checks *[]check.Target
}

// apply runs lines as one change. With cont, failing lines are
// reported and skipped; without, the first failure cancels the whole
// change. With dryRun nothing is written and the changes are printed.
func (b batchRunner) apply(ctx context.Context, lines []batchfile.Line, cont, dryRun bool) error {
	s, err := b.f.Store(b.global)
	if err != nil {
		return err
	}
	var failures []error
	var findings []check.Finding
	missing := storeMissing(s)
	defer func() {
		if msg := createdNotice(s, missing); msg != "" && !b.global.Quiet {
			fmt.Fprintln(b.f.IO.ErrOut, "dsconfig: "+msg)
		}
	}()
	_, err = s.Update(func(tx *config.Tx) error {
		tx.State.Record()
		failures = b.execLines(ctx, tx, lines, cont)
		if err := ctx.Err(); err != nil {
			// Interrupted: save nothing, even with cont, since the user
			// did not get to see which lines were applied.
			return err
		}
		if len(failures) > 0 && !cont {
			return failures[0]
		}
		findings = check.Objects(&config.Snapshot{Registry: b.f.Registry, State: tx.State, Dir: s.Dir}, *b.checks, b.f.Now())
		if dryRun {
			b.warnFindings(findings)
			printDryRun(b.f.IO.Out, tx, len(lines)-len(failures))
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return err
	}
	if !dryRun {
		b.warnFindings(findings)
	}
	if len(failures) > 0 {
		return &batchFailed{len(failures), len(lines), dryRun, failures[0]}
	}
	if !dryRun {
		ui{b.f.IO, b.global}.confirm("The batch of %d commands was applied successfully", len(lines))
	}
	return nil
}

// execLines runs each line through a fresh command tree bound to tx.
func (b batchRunner) execLines(ctx context.Context, tx *config.Tx, lines []batchfile.Line, cont bool) []error {
	var failures []error
	for _, l := range lines {
		if err := ctx.Err(); err != nil {
			return append(failures, err)
		}
		err := b.execLine(ctx, tx, l)
		if err == nil {
			continue
		}
		err = &lineError{l, err}
		failures = append(failures, err)
		if !cont {
			break
		}
		printError(b.f.IO.ErrOut, "dsconfig", err)
	}
	return failures
}

// execLine runs one batch line. Its factory reads and changes tx instead
// of the store, and its global options start from the batch's, so a line
// may add --quiet, say, but not change where the store is.
func (b batchRunner) execLine(ctx context.Context, tx *config.Tx, l batchfile.Line) error {
	// Lines print no confirmations: nothing is saved until the batch ends.
	io := *b.f.IO
	io.StdoutTTY = false
	lf := *b.f
	lf.IO = &io
	lf.Snapshot = func(g *globalOptions) (*config.Snapshot, error) {
		s, err := lf.Store(g)
		if err != nil {
			return nil, err
		}
		return &config.Snapshot{Registry: lf.Registry, State: tx.State, Dir: s.Dir}, nil
	}
	lf.Update = func(g *globalOptions, change func(*config.Tx) error, done func(*config.Snapshot)) error {
		if err := applyChange(lf.Registry, tx, change, true); err != nil {
			return err
		}
		snap, err := lf.Snapshot(g)
		if err != nil {
			return err
		}
		done(snap)
		return nil
	}
	o := &rootOptions{Global: *b.global, tree: scopeFor(lf.Registry, l.Args)}
	o.Global.inBatch = true
	o.Global.batchChecks = b.checks
	root := newRoot(&lf, o)
	root.SetArgs(l.Args)
	_, err := root.ExecuteContextC(ctx)
	return err
}

// warnFindings prints what the quick checks found in the objects the
// lines changed, as create-* and set-*-prop do on their own.
func (b batchRunner) warnFindings(findings []check.Finding) {
	u := ui{b.f.IO, b.global}
	for _, f := range findings {
		u.warn("%s", f.Summary())
	}
}

// checkBatchLine refuses, inside a batch, the options that would make a
// line act on something other than the batch's store.
func checkBatchLine(cmd *cobra.Command) error {
	for _, name := range []string{"config-dir", "batch-file", "dry-run", "batch-continue-on-error", "no-properties-file", "propertiesFilePath", "reason"} {
		if fl := cmd.Flags().Lookup(name); fl != nil && fl.Changed {
			return usagef("--%s cannot be used inside a batch file; give it on the dsconfig command line that runs the batch", name)
		}
	}
	return nil
}

// checkBatchCommands refuses, before any line runs, the lines whose
// command is not a configuration command. Batch files change the
// configuration: commands that send mail, fetch or clear tokens, run a
// passphrase provider's command, or read and write files or archives would
// act for real even in a --dry-run, and the network ones would hold the
// store's lock while they wait.
func checkBatchCommands(f *factory, lines []batchfile.Line) error {
	root := newRootCmd(f)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, l := range lines {
		if name := refusedInBatch(root, l.Args); name != "" {
			return &lineError{l, &flagError{config.Problemf(
				"batch files hold configuration commands only: create-*, set-*-prop, delete-*, and the read-only list-*, get-*-prop and list-properties; run "+name+" on its own",
				"%s cannot be used in a batch file", name)}}
		}
	}
	return nil
}

// refusedInBatch returns the name of the command args run if a batch may
// not run it, else "". Lines that name no known command are left to fail
// when they run, with the usual suggestions.
func refusedInBatch(root *cobra.Command, args []string) string {
	c, rest, err := root.Find(args)
	if err != nil {
		return ""
	}
	if c == root {
		// cobra adds its hidden completion callbacks only when it executes.
		for _, a := range rest {
			if a == cobra.ShellCompRequestCmd || a == cobra.ShellCompNoDescRequestCmd {
				return a
			}
		}
		return ""
	}
	if c.GroupID == "objects" || c.Name() == "list-properties" {
		return ""
	}
	return c.CommandPath()[len(root.Name())+1:]
}

// printDryRun lists, as a batch file, the changes the batch would make.
func printDryRun(w io.Writer, tx *config.Tx, ok int) {
	fmt.Fprintf(w, "# Dry run: %d commands validated; the configuration was not changed.\n", ok)
	if len(tx.Records) == 0 {
		fmt.Fprintln(w, "# They would change nothing.")
		return
	}
	fmt.Fprintln(w, "# They would make these changes:")
	for _, r := range tx.Records {
		fmt.Fprintln(w, r.Forward)
	}
}

// objectCommandNames are the names objectCommands gives k's commands.
func objectCommandNames(k *config.Kind) []string {
	if k.Singleton() {
		return []string{"get-" + k.Name + "-prop", "set-" + k.Name + "-prop"}
	}
	return []string{"create-" + k.Name, "list-" + k.Plural, "get-" + k.Name + "-prop", "set-" + k.Name + "-prop", "delete-" + k.Name}
}

// stripConnectionOptions takes PingDirectory's connection options out of
// the batch lines, as run does for the command line, and warns once.
func stripConnectionOptions(u ui, lines []batchfile.Line) error {
	var all []string
	for i, l := range lines {
		args, ignored, err := pingargs.Strip(l.Args)
		if err != nil {
			return &lineError{l, usagef("%v", err)}
		}
		lines[i].Args = args
		for _, n := range ignored {
			if !slices.Contains(all, n) && !slices.Contains(u.Global.pingIgnored, n) {
				all = append(all, n)
			}
		}
	}
	if len(all) > 0 {
		u.warn("%s", pingargs.Warning(all))
	}
	return nil
}
