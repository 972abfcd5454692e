// Package spool is send-mail's queue: messages that could not be sent
// because of a temporary failure, kept until send-queued-mail delivers
// them.
//
// The queue is a directory (mode 0700) of entries. An entry is a
// directory named by its ID holding envelope.json, message and, for an
// 8-bit message, message.7bit (files mode 0600). An entry is written in a
// temporary directory (".tmp-*") and renamed into place, so a crash
// leaves either nothing or a whole entry; names starting with a dot are
// not entries, and Clean removes the stale temporaries. A sender locks an entry (flock on its lock file) before
// sending it, and removes it by renaming it away first, so a second
// sender that waited for the lock finds it gone. Permanently refused
// entries move to failed/, with the server's reply in reply.
package spool

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Envelope is what is kept beside the message.
type Envelope struct {
	Sender     string    `json:"sender,omitempty"` // empty: the server's user-name
	Recipients []string  `json:"recipients"`
	MessageID  string    `json:"message-id,omitempty"`
	ServerName string    `json:"server-name,omitempty"` // --server-name, if given
	Queued     time.Time `json:"queued"`
	Attempts   int       `json:"attempts"`
	LastError  string    `json:"last-error,omitempty"`
}

const (
	envFile   = "envelope.json"
	msgFile   = "message"
	msg7File  = "message.7bit"
	lockFile  = "lock"
	replyFile = "reply"
	failedDir = "failed"
)

// Spool is the queue directory.
type Spool struct{ Dir string }

// Entry is a queued or failed message.
type Entry struct {
	ID       string
	Envelope Envelope
	Size     int64
	Failed   bool
	Reply    string // for a failed entry: why
}

func (s *Spool) path(id string) string { return filepath.Join(s.Dir, id) }

// Add writes a new entry and returns its ID.
func (s *Spool) Add(env *Envelope, raw, raw7 []byte) (string, error) {
	if err := mkdir(s.Dir); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(s.Dir, ".tmp-")
	if err != nil {
		return "", fmt.Errorf("queue: %w", err)
	}
	defer os.RemoveAll(tmp)                    // gone after the rename
	js, _ := json.MarshalIndent(env, "", "  ") // an Envelope always marshals
	files := []struct {
		name string
		data []byte
	}{{msgFile, raw}, {envFile, append(js, '\n')}}
	if raw7 != nil {
		files = append(files, struct {
			name string
			data []byte
		}{msg7File, raw7})
	}
	for _, f := range files {
		if err := writeSync(filepath.Join(tmp, f.name), f.data); err != nil {
			return "", fmt.Errorf("queue: %w", err)
		}
	}
	if err := syncDir(tmp); err != nil {
		return "", fmt.Errorf("queue: %w", err)
	}
	id := newID(env.Queued)
	if err := os.Rename(tmp, s.path(id)); err != nil {
		return "", fmt.Errorf("queue: %w", err)
	}
	return id, syncDir(s.Dir)
}

// mkdir makes the queue directory, mode 0700, and refuses one that others
// may read.
func mkdir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("queue: the directory %s is mode %04o: others may read the queued mail; run chmod 700 on it", dir, fi.Mode().Perm())
	}
	return nil
}

func writeSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// newID is sortable by time and unique.
func newID(t time.Time) string {
	var r [5]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(r[:])
}

// List returns the queued entries, oldest first, and the failed ones.
// A missing queue is an empty one.
func (s *Spool) List() (queued, failed []Entry, err error) {
	if queued, err = list(s.Dir, false); err != nil {
		return nil, nil, err
	}
	failed, err = list(filepath.Join(s.Dir, failedDir), true)
	return queued, failed, err
}

func list(dir string, failed bool) ([]Entry, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	var out []Entry
	for _, de := range des {
		if !de.IsDir() || strings.HasPrefix(de.Name(), ".") || de.Name() == failedDir {
			continue
		}
		e, err := read(filepath.Join(dir, de.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // sent or moved meanwhile
		}
		if err != nil {
			return nil, err
		}
		e.Failed = failed
		out = append(out, *e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Bounds of the files of an entry, read back as regular files only. An
// envelope is a sender and recipients; a reply is one server reply.
// maxMessage is far above send-mail's default --max-size (25 MB).
const (
	maxEnvelope = 1 << 20
	maxReply    = 64 << 10
	maxMessage  = 1 << 30
)

func read(dir string) (*Entry, error) {
	js, err := config.ReadRegular(filepath.Join(dir, envFile), maxEnvelope)
	if err != nil {
		return nil, err
	}
	e := &Entry{ID: filepath.Base(dir)}
	if err := json.Unmarshal(js, &e.Envelope); err != nil {
		return nil, fmt.Errorf("queue: %s: %w", filepath.Join(dir, envFile), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, msgFile)); err == nil {
		e.Size = fi.Size()
	}
	if r, err := config.ReadRegular(filepath.Join(dir, replyFile), maxReply); err == nil {
		e.Reply = strings.TrimSpace(string(r))
	}
	return e, nil
}

// StaleAfter is how long a temporary must stay untouched before Clean
// removes it. A write in progress touches its temporary directory as it
// creates each file, and lasts seconds, so Clean never removes it.
const StaleAfter = time.Hour

// Clean removes what a crashed process left: temporary entries (".tmp-*",
// a write killed before its rename) and entries being deleted (".del-*",
// a deletion killed after its rename), untouched since before now minus
// StaleAfter. A missing queue is clean.
func (s *Spool) Clean(now time.Time) error {
	des, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	for _, de := range des {
		n := de.Name()
		if !strings.HasPrefix(n, ".tmp-") && !strings.HasPrefix(n, ".del-") {
			continue
		}
		fi, err := de.Info()
		if err != nil || now.Sub(fi.ModTime()) < StaleAfter {
			continue // gone meanwhile, or perhaps still being written
		}
		if err := os.RemoveAll(filepath.Join(s.Dir, n)); err != nil {
			return fmt.Errorf("queue: %w", err)
		}
	}
	return nil
}

// Locked is an entry this process holds the lock of.
type Locked struct {
	Entry
	s    *Spool
	lock *os.File
}

// Lock takes the lock of the entry id. It returns nil, without error,
// when another process holds it or the entry is gone.
func (s *Spool) Lock(id string) (*Locked, error) {
	f, err := os.OpenFile(filepath.Join(s.path(id), lockFile), os.O_CREATE|os.O_RDWR, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	if held, err := tryLock(f); !held {
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("queue: locking %s: %w", id, err)
		}
		return nil, nil
	}
	// A holder that removed the entry renamed it away first.
	e, err := read(s.path(id))
	if err != nil {
		f.Close()
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	return &Locked{Entry: *e, s: s, lock: f}, nil
}

// Message returns the message, in its 7-bit form too when there is one.
func (l *Locked) Message() (raw, raw7 []byte, err error) {
	dir := l.s.path(l.ID)
	if raw, err = config.ReadRegular(filepath.Join(dir, msgFile), maxMessage); err != nil {
		return nil, nil, fmt.Errorf("queue: %w", err)
	}
	raw7, err = config.ReadRegular(filepath.Join(dir, msg7File), maxMessage)
	if errors.Is(err, fs.ErrNotExist) {
		return raw, nil, nil
	}
	return raw, raw7, err
}

// Unlock releases the lock.
func (l *Locked) Unlock() { l.lock.Close() }

// Delete removes the entry; call it only once the server accepted the
// message. The lock is released.
func (l *Locked) Delete() error {
	defer l.Unlock()
	gone := filepath.Join(l.s.Dir, ".del-"+l.ID)
	if err := os.Rename(l.s.path(l.ID), gone); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return os.RemoveAll(gone)
}

// Retry records a failed attempt and keeps the entry.
func (l *Locked) Retry(reason string) error {
	defer l.Unlock()
	l.Envelope.Attempts++
	l.Envelope.LastError = reason
	js, _ := json.MarshalIndent(&l.Envelope, "", "  ")
	dir := l.s.path(l.ID)
	tmp := filepath.Join(dir, ".envelope.tmp")
	os.Remove(tmp)
	if err := writeSync(tmp, append(js, '\n')); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, envFile)); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return nil
}

// Fail moves the entry to failed/ with the server's reply.
func (l *Locked) Fail(reply string) error {
	defer l.Unlock()
	if err := writeSync(filepath.Join(l.s.path(l.ID), replyFile), []byte(reply+"\n")); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("queue: %w", err)
	}
	if err := mkdir(filepath.Join(l.s.Dir, failedDir)); err != nil {
		return err
	}
	if err := os.Rename(l.s.path(l.ID), filepath.Join(l.s.Dir, failedDir, l.ID)); err != nil {
		return fmt.Errorf("queue: %w", err)
	}
	return syncDir(l.s.Dir)
}
