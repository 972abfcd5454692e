package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

type archiveOptions struct {
	ui
	Registry *config.Registry
	Store    func(*globalOptions) (*config.Store, error)
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Update   func(*globalOptions, func(*config.Tx) error, func(*config.Snapshot)) error
	Now      func() time.Time

	Archive string // restore-config-archive --archive
}

func newArchiveOptions(f *factory, g *globalOptions) *archiveOptions {
	return &archiveOptions{ui: ui{f.IO, g}, Registry: f.Registry, Store: f.Store, Snapshot: f.Snapshot, Update: f.Update, Now: f.Now}
}

func newCmdListConfigArchive(f *factory, g *globalOptions, runF func(*archiveOptions) error) *cobra.Command {
	o := newArchiveOptions(f, g)
	return &cobra.Command{
		Use:   "list-config-archive",
		Short: "Lists the archived versions of the configuration",
		Long: "Lists the archived versions of the configuration, oldest first. Before each change the\n" +
			"configuration as it was is archived in " + history.ArchiveDirName + "/ in the configuration directory,\n" +
			"compressed, under the time it was replaced. The count is bounded by --max-config-archives.",
		Example: "  dsconfig list-config-archive\n  dsconfig list-config-archive --script-friendly",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, listArchiveRun) },
	}
}

func listArchiveRun(_ context.Context, o *archiveOptions) error {
	s, err := o.Store(o.Global)
	if err != nil {
		return err
	}
	entries, err := history.ListArchive(s.Dir)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, e := range entries {
		rows = append(rows, []string{e.Name, e.Time.Format(history.AuditTimeLayout), strconv.FormatInt(e.Size, 10)})
	}
	render.Table(o.IO.Out, []string{"Archive", "Replaced At", "Size"}, rows, o.Global.ScriptFriendly)
	return nil
}

func newCmdRestoreConfigArchive(f *factory, g *globalOptions, runF func(*archiveOptions) error) *cobra.Command {
	o := newArchiveOptions(f, g)
	cmd := &cobra.Command{
		Use:   "restore-config-archive",
		Short: "Restores an archived version of the configuration",
		Long: "Makes the configuration what it was in an archived version. The restore is an ordinary\n" +
			"change: it is validated, recorded in the config audit log object by object with undo\n" +
			"commands, and the configuration it replaces is archived in turn. A store that does not\n" +
			"load is replaced too: it is kept as config.yaml.broken-TIME, and the audit log says so.",
		Example: "  dsconfig list-config-archive\n  dsconfig restore-config-archive --archive config-20261126-172530.123Z.yaml.gz",
		Args:    noArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, restoreRun) },
	}
	cmd.Flags().StringVar(&o.Archive, "archive", "", "the name of the archived version, as list-config-archive shows it")
	return cmd
}

func restoreRun(_ context.Context, o *archiveOptions) error {
	name := o.Archive
	if name == "" {
		return usagef("no --archive given: name the archived configuration to restore; 'dsconfig list-config-archive' lists them")
	}
	s, err := o.Store(o.Global)
	if err != nil {
		return err
	}
	if !history.IsArchiveName(name) {
		return usagef("%q is not an archive name; they look like config-20261126-172530.123Z.yaml.gz (see 'dsconfig list-config-archive')", name)
	}
	data, err := history.ReadArchive(s.Dir, name)
	if err != nil {
		return err
	}
	target, err := history.DecodeStore(o.Registry, name, data)
	if err != nil {
		return err
	}
	if _, err := o.Snapshot(o.Global); errors.Is(err, config.ErrStore) {
		err := restoreBroken(o, s, data)
		if !errors.Is(err, config.ErrNotBroken) {
			return err
		}
	}
	return o.Update(o.Global, func(tx *config.Tx) error {
		tx.Action = fmt.Sprintf("The configuration could not be restored from %s", name)
		return history.Restore(o.Registry, tx.State, target)
	}, func(*config.Snapshot) { o.confirm("The configuration was restored from %s", name) })
}

// restoreBroken restores an archived store over a store that does not
// load, which an ordinary change cannot do: it would have to load it
// first. The broken file is kept aside, and the audit log gets a comment
// record, since there is nothing to diff the archive against.
func restoreBroken(o *archiveOptions, s *config.Store, data []byte) error {
	aside, err := s.ReplaceBroken(o.Now(), config.BrokenReplacement{
		Data: data,
		Log: func(aside string) string {
			return history.BrokenRestoreRecord(o.Now(), o.Global.Reason, s.Path(), aside, o.Archive)
		},
	})
	if err != nil {
		return err
	}
	o.warn("the configuration store did not load; it was kept as %s", aside)
	o.confirm("The configuration was restored from %s", o.Archive)
	return nil
}
