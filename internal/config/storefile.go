package config

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"
)

// lock takes the cross-process lock on a sidecar file. Locking the store
// file itself would not work: after a rename a waiter would hold a lock on
// the old inode. The OS releases the lock if the process dies.
func (s *Store) lock() (func(), error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, storeIOError(s.Dir, err)
	}
	timeout := s.LockTimeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	// Create the lock file ourselves so that it gets mode 0600 like
	// everything else in the directory.
	if f, err := os.OpenFile(s.Path()+".lock", os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
		f.Close()
	}
	mu := lockedfile.MutexAt(s.Path() + ".lock")
	type result struct {
		unlock func()
		err    error
	}
	ch := make(chan result, 1)
	go func() {
		u, err := mu.Lock()
		ch <- result{u, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, storeIOError(s.Path()+".lock", r.err)
		}
		return r.unlock, nil
	case <-time.After(timeout):
		// The goroutine keeps waiting; release the lock if it ever gets it.
		go func() {
			if r := <-ch; r.err == nil {
				r.unlock()
			}
		}()
		return nil, &lockError{Path: s.Path() + ".lock", Waited: timeout}
	}
}

// lockError says that another process held the store lock for too long.
type lockError struct {
	Path   string
	Waited time.Duration
}

func (e *lockError) Error() string {
	return fmt.Sprintf("another dsconfig is modifying the configuration (waited %s for %s)", FormatDuration(e.Waited), e.Path)
}

func (e *lockError) ErrorHint() string {
	return "wait for it to finish and run the command again"
}

// write replaces the store file atomically: a temporary file in the same
// directory is written, synced and renamed over the old one, so a reader
// or a crash sees either the old file or the new one, never a mix.
func (s *Store) write(data pieces) (err error) {
	f, err := os.CreateTemp(s.Dir, "."+StoreFileName+".tmp-*")
	if err != nil {
		return storeIOError(s.Path(), err)
	}
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(f.Name())
		}
	}()
	werr := data.writeTo(f)
	// Sync before rename: after a crash the rename may otherwise be
	// visible before the data, leaving an empty store.
	if err := errors.Join(werr, f.Chmod(0o600), f.Sync(), f.Close()); err != nil {
		return storeIOError(s.Path(), err)
	}
	if s.beforeRename != nil {
		s.beforeRename()
	}
	if err := os.Rename(f.Name(), s.Path()); err != nil {
		return storeIOError(s.Path(), err)
	}
	renamed = true
	syncDir(s.Dir)
	return nil
}

// syncDir makes the rename durable. Errors are ignored: some filesystems
// do not support syncing a directory, and the data is already safe.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
