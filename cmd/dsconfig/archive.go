package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The config archive keeps the store as it was before each change,
// gzip-compressed, in archived-configs/ in the configuration directory, as
// PingDirectory's config/archived-configs does. File names hold the time
// the version was replaced, in UTC, so they sort by age:
// config-20261126-172530.123Z.yaml.gz, with -2, -3 ... added when two
// changes fall in the same millisecond.

// ArchiveDirName is the archive's directory in the configuration directory.
const ArchiveDirName = "archived-configs"

// defaultMaxArchives is the built-in bound on the number of archived
// versions; the --max-config-archives tool default changes it.
const defaultMaxArchives = 50

// archiveCount is the value of --max-config-archives. A count cannot be
// negative, and giving no meaning to a negative value is simpler than
// documenting one, so it is refused from any source (flag, environment,
// tools.properties) as a usage error.
type archiveCount int

func (c *archiveCount) String() string { return strconv.Itoa(int(*c)) }
func (c *archiveCount) Type() string   { return "int" }

func (c *archiveCount) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < 0 {
		return errors.New("it cannot be negative; 0 archives nothing")
	}
	*c = archiveCount(n)
	return nil
}

const archiveTimeLayout = "20060102-150405.000Z"

var archiveNameRE = regexp.MustCompile(`^config-(\d{8}-\d{6}\.\d{3}Z)(?:-(\d+))?\.yaml\.gz$`)

// archiveEntry is one archived version.
type archiveEntry struct {
	Name string
	Time time.Time
	seq  int
	Size int64
}

// archiveHook writes the store being replaced to the archive, then prunes
// the oldest versions beyond the bound. Failing to archive cancels the
// change: the archive is how a bad change is undone.
func (f *factory) archiveHook(dir string) func(c *config.Commit) error {
	return func(c *config.Commit) error {
		if c.Before == nil || f.Global.MaxArchives == 0 {
			return nil
		}
		adir := filepath.Join(dir, ArchiveDirName)
		if err := writeArchive(adir, f.now(), c.Before); err != nil {
			return fmt.Errorf("cannot archive the current configuration, so nothing was changed: %w", err)
		}
		return pruneArchive(adir, f.Global.MaxArchives)
	}
}

func writeArchive(adir string, t time.Time, data []byte) error {
	if err := os.MkdirAll(adir, 0o700); err != nil {
		return err
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return err
	}
	stamp := t.UTC().Format(archiveTimeLayout)
	for seq := 1; ; seq++ {
		name := "config-" + stamp + ".yaml.gz"
		if seq > 1 {
			name = fmt.Sprintf("config-%s-%d.yaml.gz", stamp, seq)
		}
		err := writeNew(filepath.Join(adir, name), buf.Bytes())
		if !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
}

// writeNew creates path with data, mode 0600, failing if it exists.
func writeNew(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, werr := fh.Write(data)
	if err := errors.Join(werr, fh.Sync(), fh.Close()); err != nil {
		os.Remove(path)
		return err
	}
	return nil
}

func pruneArchive(adir string, max int) error {
	entries, err := listArchive(adir)
	if err != nil {
		return err
	}
	for len(entries) > max {
		if err := os.Remove(filepath.Join(adir, entries[0].Name)); err != nil {
			return err
		}
		entries = entries[1:]
	}
	return nil
}

// listArchive returns the archived versions, oldest first.
func listArchive(adir string) ([]archiveEntry, error) {
	des, err := os.ReadDir(adir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []archiveEntry
	for _, de := range des {
		if e, ok := parseArchiveName(de); ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b archiveEntry) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	return out, nil
}

func parseArchiveName(de fs.DirEntry) (archiveEntry, bool) {
	m := archiveNameRE.FindStringSubmatch(de.Name())
	if m == nil {
		return archiveEntry{}, false
	}
	t, err := time.Parse(archiveTimeLayout, m[1])
	if err != nil {
		return archiveEntry{}, false
	}
	seq, _ := strconv.Atoi(m[2])
	e := archiveEntry{Name: de.Name(), Time: t, seq: max(seq, 1)}
	if fi, err := de.Info(); err == nil {
		e.Size = fi.Size()
	}
	return e, true
}

// readArchive returns one archived store file, uncompressed.
func readArchive(adir, name string) ([]byte, error) {
	if !archiveNameRE.MatchString(name) {
		return nil, usagef("%q is not an archive name; they look like config-20261126-172530.123Z.yaml.gz (see 'dsconfig list-config-archive')", name)
	}
	fh, err := os.Open(filepath.Join(adir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, config.Problemf("run 'dsconfig list-config-archive' to see the archived versions", "The archived configuration %q does not exist", name)
	}
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	zr, err := gzip.NewReader(fh)
	if err != nil {
		return nil, fmt.Errorf("the archived configuration %s is damaged: %w", name, err)
	}
	return io.ReadAll(zr)
}

func newCmdListConfigArchive(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list-config-archive",
		Short: "Lists the archived versions of the configuration",
		Long: "Lists the archived versions of the configuration, oldest first. Before each change the\n" +
			"configuration as it was is archived in " + ArchiveDirName + "/ in the configuration directory,\n" +
			"compressed, under the time it was replaced. The count is bounded by --max-config-archives.",
		Example: "  dsconfig list-config-archive\n  dsconfig list-config-archive --script-friendly",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := f.configDir()
			if err != nil {
				return err
			}
			entries, err := listArchive(filepath.Join(dir, ArchiveDirName))
			if err != nil {
				return err
			}
			var rows [][]string
			for _, e := range entries {
				rows = append(rows, []string{e.Name, e.Time.Format(auditTimeLayout), strconv.FormatInt(e.Size, 10)})
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
				return usagef("The argument \"--archive\" must be specified; run 'dsconfig list-config-archive' to see the names")
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
	data, err := readArchive(filepath.Join(dir, ArchiveDirName), name)
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
		Before: func(aside string) error {
			return appendPrivate(filepath.Join(dir, AuditLogName), brokenRestoreRecord(f, s.Path(), aside, name))
		},
		Failed: func(err error) {
			appendPrivate(filepath.Join(dir, AuditLogName), "# The change above was not saved: "+strings.Join(strings.Fields(err.Error()), " ")+"\n\n")
		},
	})
	if err != nil {
		return err
	}
	f.warn("the configuration store did not load; it was kept as %s", aside)
	f.confirm("The configuration was restored from %s", name)
	return nil
}

// brokenRestoreRecord is the audit record of a broken store replaced from
// an archive: comments only, as there is no command that undoes it.
func brokenRestoreRecord(f *factory, path, aside, name string) string {
	header := auditHeader(f.now())
	if f.Global.Reason != "" {
		header += "\n# Reason: " + f.Global.Reason
	}
	return fmt.Sprintf("%s\n# The store %s did not load; it was kept as %s and replaced by the archived configuration %s.\n"+
		"# No undo command: to go back, copy %s over the store.\n\n", header, path, aside, name, aside)
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
