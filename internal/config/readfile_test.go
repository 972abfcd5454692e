//go:build unix

package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// mkfifo makes a named pipe at path. Nothing ever writes to it, so a
// reader that waits for a writer hangs.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
}

// promptly runs f and fails the test if it has not returned within a
// generous bound: a read that waits on a named pipe never returns.
func promptly(t *testing.T, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s hangs on a named pipe", what)
		return nil
	}
}

func TestReadRegularRefusesWhatIsNotAFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	mkfifo(t, fifo)
	for _, tc := range []struct{ path, want string }{
		{fifo, "open " + fifo + ": is a named pipe, not a regular file"},
		{dir, "open " + dir + ": is a directory, not a regular file"},
		{os.DevNull, "open " + os.DevNull + ": is a character device, not a regular file"},
	} {
		err := promptly(t, "ReadRegular", func() error {
			_, err := config.ReadRegular(tc.path, 100)
			return err
		})
		if err == nil || err.Error() != tc.want {
			t.Errorf("ReadRegular(%s) error = %v, want %q", tc.path, err, tc.want)
		}
		if !errors.Is(err, config.ErrNotRegular) {
			t.Errorf("ReadRegular(%s) error %v is not ErrNotRegular", tc.path, err)
		}
	}
}

func TestReadRegularLimit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	os.WriteFile(path, []byte("0123456789"), 0o600)
	if data, err := config.ReadRegular(path, 10); err != nil || string(data) != "0123456789" {
		t.Errorf("ReadRegular at the limit = %q, %v; want the content", data, err)
	}
	_, err := config.ReadRegular(path, 9)
	if want := "read " + path + ": is larger than 9 bytes, the limit"; err == nil || err.Error() != want {
		t.Errorf("ReadRegular over the limit: error = %v, want %q", err, want)
	}
	if !errors.Is(err, config.ErrTooLarge) {
		t.Errorf("error %v is not ErrTooLarge", err)
	}
	if _, err := config.ReadRegular(filepath.Join(t.TempDir(), "missing"), 9); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error %v is not fs.ErrNotExist", err)
	}
}

func TestStoreAndKeyMustBeRegularFiles(t *testing.T) {
	s := newStore(t)
	mkfifo(t, s.Path())
	err := promptly(t, "Load", func() error { _, err := s.Load(); return err })
	if err == nil || !strings.Contains(err.Error(), "config.yaml: is a named pipe, not a regular file") {
		t.Errorf("Load with a named pipe for the store: error = %v", err)
	}

	k := config.KeyFileIn(t.TempDir())
	mkfifo(t, k.Path)
	err = promptly(t, "KeyFile.Seal", func() error { _, err := k.Seal("p", "v"); return err })
	if err == nil || !strings.Contains(err.Error(), "encryption-key: is a named pipe, not a regular file") {
		t.Errorf("Seal with a named pipe for the key: error = %v", err)
	}
}

func TestOversizeStoreIsRefused(t *testing.T) {
	s := newStore(t)
	f, err := os.Create(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: the size is what counts, not the disk it takes.
	if err := f.Truncate(config.MaxStoreSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = s.Load()
	if err == nil || !strings.Contains(err.Error(), "is larger than 64 MiB, the limit") {
		t.Errorf("Load of an oversize store: error = %v", err)
	}
}
