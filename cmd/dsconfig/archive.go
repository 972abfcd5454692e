package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

func newCmdListConfigArchive(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list-config-archive",
		Short: "Lists the archived versions of the configuration",
		Long: "Lists the archived versions of the configuration, oldest first. Before each change the\n" +
			"configuration as it was is archived in " + history.ArchiveDirName + "/ in the configuration directory,\n" +
			"compressed, under the time it was replaced. The count is bounded by --max-config-archives.",
		Example: "  dsconfig list-config-archive\n  dsconfig list-config-archive --script-friendly",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := f.configDir()
			if err != nil {
				return err
			}
			entries, err := history.ListArchive(dir)
			if err != nil {
				return err
			}
			var rows [][]string
			for _, e := range entries {
				rows = append(rows, []string{e.Name, e.Time.Format(history.AuditTimeLayout), strconv.FormatInt(e.Size, 10)})
			}
			printTable(f.IO.Out, []string{"Archive", "Replaced At", "Size"}, rows, f.Global.ScriptFriendly)
			return nil
		},
	}
}

func newCmdRestoreConfigArchive(f *factory) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:   "restore-config-archive",
		Short: "Restores an archived version of the configuration",
		Long: "Makes the configuration what it was in an archived version. The restore is an ordinary\n" +
			"change: it is validated, recorded in the config audit log object by object with undo\n" +
			"commands, and the configuration it replaces is archived in turn. A store that does not\n" +
			"load is replaced too: it is kept as config.yaml.broken-TIME, and the audit log says so.",
		Example: "  dsconfig list-config-archive\n  dsconfig restore-config-archive --archive config-20261126-172530.123Z.yaml.gz",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				return usagef("no --archive given: name the archived configuration to restore; 'dsconfig list-config-archive' lists them")
			}
			return restoreRun(f, name)
		},
	}
	cmd.Flags().StringVar(&name, "archive", "", "the name of the archived version, as list-config-archive shows it")
	return cmd
}

func restoreRun(f *factory, name string) error {
	dir, err := f.configDir()
	if err != nil {
		return err
	}
	if !history.IsArchiveName(name) {
		return usagef("%q is not an archive name; they look like config-20261126-172530.123Z.yaml.gz (see 'dsconfig list-config-archive')", name)
	}
	data, err := history.ReadArchive(dir, name)
	if err != nil {
		return err
	}
	target, err := decodeStore(f.Registry, name, data)
	if err != nil {
		return err
	}
	if f.tx == nil {
		if _, err := f.Load(); errors.Is(err, config.ErrStore) {
			err := restoreBroken(f, dir, name, data)
			if !errors.Is(err, config.ErrNotBroken) {
				return err
			}
		}
	}
	return f.update(func(tx *config.Tx) error {
		tx.Action = fmt.Sprintf("The configuration could not be restored from %s", name)
		for _, ch := range f.Registry.Plan(tx.State, target) {
			if !f.Registry.ApplyStep(tx.State, ch) {
				return config.Problemf("delete or change the objects that refer to it first, then restore again",
					"%s cannot be changed to its archived version while other objects refer to it", f.Registry.Describe(ch.Object()))
			}
		}
		return nil
	}, func() { f.confirm("The configuration was restored from %s", name) })
}

// restoreBroken restores an archived store over a store that does not
// load, which an ordinary change cannot do: it would have to load it
// first. The broken file is kept aside, and the audit log gets a comment
// record, since there is nothing to diff the archive against.
func restoreBroken(f *factory, dir, name string, data []byte) error {
	s, err := f.Store()
	if err != nil {
		return err
	}
	aside, err := s.ReplaceBroken(f.now(), config.BrokenReplacement{
		Data: data,
		Log: func(aside string) string {
			return history.BrokenRestoreRecord(f.now(), f.Global.Reason, s.Path(), aside, name)
		},
	})
	if err != nil {
		return err
	}
	f.warn("the configuration store did not load; it was kept as %s", aside)
	f.confirm("The configuration was restored from %s", name)
	return nil
}

// decodeStore reads a store file that is not the current one.
func decodeStore(r *config.Registry, name string, data []byte) (*config.State, error) {
	st, err := r.Decode(data)
	if err != nil {
		return nil, &config.StoreError{Path: name, Err: err, NotLive: true}
	}
	if ps := r.Validate(st); len(ps) > 0 {
		return nil, &config.StoreError{Path: name, Err: fmt.Errorf("%s: %v", r.Describe(ps[0].Object), ps[0].Err), NotLive: true}
	}
	return st, nil
}
