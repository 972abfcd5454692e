package history

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestArchiveBound(t *testing.T) {
	dir := t.TempDir()
	adir := filepath.Join(dir, ArchiveDirName)
	// Same millisecond every time: names get -2, -3 ... and keep order.
	now := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)
	for i := range 6 {
		if err := writeArchive(adir, now, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := pruneArchive(adir, 3); err != nil {
		t.Fatal(err)
	}
	entries, _ := listArchive(adir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name)
	}
	want := "config-20261126-170000.000Z-4.yaml.gz config-20261126-170000.000Z-5.yaml.gz config-20261126-170000.000Z-6.yaml.gz"
	if strings.Join(names, " ") != want {
		t.Errorf("kept %v, want %s", names, want)
	}
}

// TestArchivePrunesBeforeWriting checks that the archive is pruned before
// the new version is written, so that a kill between the two never leaves
// more than max versions.
func TestArchivePrunesBeforeWriting(t *testing.T) {
	dir := t.TempDir()
	adir := filepath.Join(dir, ArchiveDirName)
	t0 := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC)
	for i := range 3 {
		writeArchive(adir, t0.Add(time.Duration(i)*time.Second), []byte{byte(i)})
	}
	var atWrite int
	now := func() time.Time {
		entries, _ := listArchive(adir)
		atWrite = len(entries)
		return t0.Add(time.Hour)
	}
	if err := ArchiveHook(dir, now, 3)(&config.Commit{Before: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	entries, _ := listArchive(adir)
	if atWrite != 2 || len(entries) != 3 {
		t.Errorf("%d versions when writing, %d after; want 2 and 3", atWrite, len(entries))
	}
}
