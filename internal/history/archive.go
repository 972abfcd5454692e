package history

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"

	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

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

// DefaultMaxArchives is the built-in bound on the number of archived
// versions; the --max-config-archives tool default changes it.
const DefaultMaxArchives = 50

// ArchiveCount is the value of --max-config-archives. A count cannot be
// negative, and giving no meaning to a negative value is simpler than
// documenting one, so it is refused from any source (flag, environment,
// tools.properties) as a usage error.
type ArchiveCount int

func (c *ArchiveCount) String() string { return strconv.Itoa(int(*c)) }
func (c *ArchiveCount) Type() string   { return "int" }

func (c *ArchiveCount) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil {
		return errors.New("not a whole number")
	}
	if n < 0 {
		return errors.New("it cannot be negative; 0 archives nothing")
	}
	*c = ArchiveCount(n)
	return nil
}

const archiveTimeLayout = "20060102-150405.000Z"

var archiveNameRE = regexp.MustCompile(`^config-(\d{8}-\d{6}\.\d{3}Z)(?:-(\d+))?\.yaml\.gz$`)

// ArchiveEntry is one archived version.
type ArchiveEntry struct {
	Name string
	Time time.Time
	seq  int
	Size int64
}

// Archiver writes the store being replaced by each change to the archive
// of a configuration directory. Compressing a large store is most of the
// cost of archiving it, so Start does it on another goroutine as soon as
// the store is loaded, while the change is made, validated and encoded;
// Commit then writes the result. A change that fails or changes nothing
// leaves the compressed copy unused and writes no file.
type Archiver struct {
	dir string
	now func() time.Time
	max int
	job *gzipJob
}

// gzipJob is the compression of one loaded store file.
type gzipJob struct {
	before []byte
	done   chan struct{}
	gz     []byte
}

// NewArchiver returns the Archiver of the configuration directory dir,
// which stamps versions with now and keeps at most max of them.
func NewArchiver(dir string, now func() time.Time, max int) *Archiver {
	return &Archiver{dir: dir, now: now, max: max}
}

// Start, a config.Store Loaded hook, starts compressing the store file
// just loaded.
func (a *Archiver) Start(before []byte) {
	a.job = nil
	if before == nil || a.max == 0 {
		return
	}
	j := &gzipJob{before: before, done: make(chan struct{})}
	go func() {
		defer close(j.done)
		j.gz = compress(before)
	}()
	a.job = j
}

// Commit, a config.Store BeforeCommit hook, writes the store being
// replaced, stamped with now, after pruning the oldest versions so that at
// most max remain. Failing to archive cancels the change: the archive is
// how a bad change is undone.
func (a *Archiver) Commit(c *config.Commit) error {
	if c.Before == nil || a.max == 0 {
		return nil
	}
	var gz []byte
	if j := a.job; j != nil && sameBytes(j.before, c.Before) {
		<-j.done
		gz = j.gz
	} else {
		gz = compress(c.Before)
	}
	adir := filepath.Join(a.dir, ArchiveDirName)
	// Prune first, to one under the bound, so that a kill between the
	// two steps never leaves more than max versions.
	if err := pruneArchive(adir, a.max-1); err != nil {
		return err
	}
	if err := writeArchive(adir, a.now(), gz); err != nil {
		return fmt.Errorf("cannot archive the current configuration, so nothing was changed: %w", err)
	}
	return nil
}

// sameBytes reports whether a and b are the same slice, not merely equal
// ones: the job is for the file this change loaded.
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}

// compress gzips data. BestSpeed: a write archives the whole previous
// store, and the default level costs several times as much for little
// less space.
func compress(data []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(data)/8 + 512)
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(data) // writes to a bytes.Buffer do not fail
	zw.Close()
	return buf.Bytes()
}

// writeArchive writes the compressed version gz under the time t.
func writeArchive(adir string, t time.Time, gz []byte) error {
	if err := os.MkdirAll(adir, 0o700); err != nil {
		return err
	}
	stamp := t.UTC().Format(archiveTimeLayout)
	for seq := 1; ; seq++ {
		name := "config-" + stamp + ".yaml.gz"
		if seq > 1 {
			name = fmt.Sprintf("config-%s-%d.yaml.gz", stamp, seq)
		}
		err := writeNew(filepath.Join(adir, name), gz)
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

// ListArchive returns the archived versions in the configuration
// directory dir, oldest first.
func ListArchive(dir string) ([]ArchiveEntry, error) {
	return listArchive(filepath.Join(dir, ArchiveDirName))
}

func listArchive(adir string) ([]ArchiveEntry, error) {
	des, err := os.ReadDir(adir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []ArchiveEntry
	for _, de := range des {
		if e, ok := parseArchiveName(de); ok {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b ArchiveEntry) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return a.seq - b.seq
	})
	return out, nil
}

func parseArchiveName(de fs.DirEntry) (ArchiveEntry, bool) {
	m := archiveNameRE.FindStringSubmatch(de.Name())
	if m == nil {
		return ArchiveEntry{}, false
	}
	t, err := time.Parse(archiveTimeLayout, m[1])
	if err != nil {
		return ArchiveEntry{}, false
	}
	seq, _ := strconv.Atoi(m[2])
	e := ArchiveEntry{Name: de.Name(), Time: t, seq: max(seq, 1)}
	if fi, err := de.Info(); err == nil {
		e.Size = fi.Size()
	}
	return e, true
}

// IsArchiveName reports whether name has the form of an archived
// version's file name.
func IsArchiveName(name string) bool { return archiveNameRE.MatchString(name) }

// ReadArchive returns one archived store file of the configuration
// directory dir, uncompressed. name must be an archive name (see
// IsArchiveName).
func ReadArchive(dir, name string) ([]byte, error) {
	fh, err := config.OpenRegular(filepath.Join(dir, ArchiveDirName, name))
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
	data, err := config.ReadLimited(zr, config.MaxStoreSize)
	if err != nil {
		return nil, fmt.Errorf("the archived configuration %s cannot be read: %w", name, err)
	}
	return data, nil
}
