package config

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// The audit log must hold every change the store holds, and nothing the
// store lacks, whatever moment a kill picks. Neither order of two plain
// writes gives that: a record written first is a phantom if the process
// dies before the rename; a record written after is lost if it dies in
// between. So a change goes through an intent file, the log's path plus
// ".pending":
//
//  1. under the store lock, the intent is written and synced: the hash of
//     the new store file, the log's size, and the text for the log;
//  2. the new store file is renamed into place;
//  3. the text is appended to the log and synced, and the intent removed.
//
// The log itself is only ever appended to after the rename, so at no
// moment does it hold a change the store lacks, and a reader that takes no
// lock never sees one. An intent left by a kill is settled by the next
// command that holds the lock (every write does it first, a read when the
// lock is free at once): if the store on disk has the intent's hash, the
// change was made, and the log is cut back to the recorded size (a kill
// in step 3 may have left part of the text) and given the text; otherwise
// the change was not made and the intent is dropped.

const intentMagic = "dsconfig intent 1"

// intentPath is the intent file of the log, or "" without a log.
func (s *Store) intentPath() string {
	if s.LogPath == "" {
		return ""
	}
	return s.LogPath + ".pending"
}

// writeIntent records, before the store is renamed, what the log gets
// once it is. sum is the new store file's SHA-256. It returns the intent,
// nil when there is nothing to log.
func (s *Store) writeIntent(sum [sha256.Size]byte, text string) (*intent, error) {
	if s.LogPath == "" || text == "" {
		return nil, nil
	}
	var size int64
	if fi, err := os.Stat(s.LogPath); err == nil {
		size = fi.Size()
	}
	data := fmt.Sprintf("%s\nstore-sha256 %s\nlog-size %d\n\n%s", intentMagic, hex.EncodeToString(sum[:]), size, text)
	path := s.intentPath()
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, storeIOError(path, err)
	}
	_, werr := fh.WriteString(data)
	if err := errors.Join(werr, fh.Sync(), fh.Close()); err != nil {
		os.Remove(path)
		return nil, storeIOError(path, err)
	}
	syncDir(s.Dir)
	return &intent{storeSum: hex.EncodeToString(sum[:]), logSize: size, text: text}, nil
}

// finishIntent appends the intent's text to the log once the store is in
// place, by the writer that renamed it: it still holds the lock and knows
// the rename was made, so it need not read the store back as
// settleIntent does. A failure leaves the intent for the next command to
// settle: the change is made, and the next write will not go ahead
// without logging it.
func (s *Store) finishIntent(in *intent) {
	if in != nil && appendLog(s.LogPath, in.logSize, in.text) == nil {
		s.dropIntent()
	}
}

// dropIntent forgets an intent whose change was not made.
func (s *Store) dropIntent() {
	if p := s.intentPath(); p != "" {
		os.Remove(p)
	}
}

type intent struct {
	storeSum string
	logSize  int64
	text     string
}

// readIntent returns the pending intent, nil if there is none or if it is
// incomplete: the rename follows only a whole, synced intent, so an
// incomplete one belongs to a change that was not made.
func (s *Store) readIntent() (*intent, error) {
	path := s.intentPath()
	if path == "" {
		return nil, nil
	}
	// The records of one change: a batch of the largest store holds
	// several times the store in records.
	data, err := ReadRegular(path, 4*MaxStoreSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, storeIOError(path, err)
	}
	head, text, ok := strings.Cut(string(data), "\n\n")
	lines := strings.Split(head, "\n")
	if !ok || len(lines) != 3 || lines[0] != intentMagic {
		return nil, nil
	}
	sum, ok1 := strings.CutPrefix(lines[1], "store-sha256 ")
	n, ok2 := strings.CutPrefix(lines[2], "log-size ")
	size, err := strconv.ParseInt(n, 10, 64)
	if !ok1 || !ok2 || err != nil || len(sum) != 64 {
		return nil, nil
	}
	return &intent{storeSum: sum, logSize: size, text: text}, nil
}

// settleIntent completes or drops a pending intent. The caller holds the
// store lock.
func (s *Store) settleIntent() error {
	in, err := s.readIntent()
	if err != nil || in == nil {
		if err == nil {
			s.dropIntent()
		}
		return err
	}
	cur, err := ReadRegular(s.Path(), MaxStoreSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return storeIOError(s.Path(), err)
	}
	sum := sha256.Sum256(cur)
	if hex.EncodeToString(sum[:]) != in.storeSum {
		s.dropIntent()
		return nil
	}
	if err := appendLog(s.LogPath, in.logSize, in.text); err != nil {
		return err
	}
	s.dropIntent()
	return nil
}

// appendLog appends text to the log at path, first cutting back what a
// kill left of an earlier attempt beyond size.
func appendLog(path string, size int64, text string) error {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write the config audit log %s: %w", path, err)
	}
	fi, err := fh.Stat()
	if err == nil && fi.Size() > size {
		err = fh.Truncate(size)
	}
	if err == nil {
		_, err = fh.Seek(0, 2)
	}
	if err == nil {
		_, err = fh.WriteString(text)
	}
	if err := errors.Join(err, fh.Chmod(0o600), fh.Sync(), fh.Close()); err != nil {
		return fmt.Errorf("cannot write the config audit log %s: %w", path, err)
	}
	return nil
}
