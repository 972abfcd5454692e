package history

import (
	"bytes"
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
	if err := NewArchiver(dir, now, 3).Commit(&config.Commit{Before: []byte("old")}); err != nil {
		t.Fatal(err)
	}
	entries, _ := listArchive(adir)
	if atWrite != 2 || len(entries) != 3 {
		t.Errorf("%d versions when writing, %d after; want 2 and 3", atWrite, len(entries))
	}
}

// The compression Start begins is what Commit writes, and only for the
// very file it was started on; a change that never commits writes
// nothing.
func TestArchiverStartsEarly(t *testing.T) {
	dir := t.TempDir()
	now := func() time.Time { return time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC) }
	a := NewArchiver(dir, now, 5)

	a.Start([]byte("loaded but not changed"))
	if entries, _ := listArchive(filepath.Join(dir, ArchiveDirName)); len(entries) != 0 {
		t.Fatalf("Start wrote %d archives", len(entries))
	}

	loaded := []byte("version: 1\n# the store this change loaded\n")
	a.Start(loaded)
	if err := a.Commit(&config.Commit{Before: loaded}); err != nil {
		t.Fatal(err)
	}
	// Another file than the one started on, equal or not, is compressed
	// anew.
	a.Start([]byte("version: 1\n# a store another change loaded\n"))
	other := []byte("version: 1\n# what this commit replaces\n")
	if err := a.Commit(&config.Commit{Before: other}); err != nil {
		t.Fatal(err)
	}
	entries, err := listArchive(filepath.Join(dir, ArchiveDirName))
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d archives (%v), want 2", len(entries), err)
	}
	for i, want := range [][]byte{loaded, other} {
		got, err := ReadArchive(dir, entries[i].Name)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("archive %s holds %q (%v), want %q", entries[i].Name, got, err, want)
		}
	}
}
