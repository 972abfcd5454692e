package config

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Validating the whole store is linear in its size, and so is decoding
// it. A command that reads or changes one object need do neither when it
// knows the file is one that was valid when it was written. The
// validation record, config.yaml.checked, says so: it holds the SHA-256
// of the store file that the last write validated and wrote, and the
// build that did it.
//
//   - Only a write writes it: under the store lock, after the new store
//     is in place. A command that changes nothing writes nothing.
//   - It is trusted only when the store file's hash, computed on every
//     load, is the one it names, and the build is this one: a hand edit,
//     another tool, an older or newer dsconfig, a restored archive or a
//     write killed before the record was replaced all leave a record that
//     does not match, and the store is then decoded and validated whole,
//     as if there were none.
//   - It is never a second copy of the configuration: it holds no value,
//     only a hash; deleting it costs one full load.
//
// It is not synced: a record lost or torn by a crash does not match, and
// costs the same full load.

// CheckedFileName is the validation record's name in the configuration
// directory.
const CheckedFileName = StoreFileName + ".checked"

const checkedMagic = "dsconfig validated 1"

// maxChecked bounds the record's size: a real one is under 200 bytes.
const maxChecked = 1 << 10

func (s *Store) checkedPath() string { return filepath.Join(s.Dir, CheckedFileName) }

// record returns the record for a store file whose hash is sum, or ""
// when this build cannot vouch for anything.
func (s *Store) record(sum [sha256.Size]byte) string {
	if s.Build == "" || strings.ContainsAny(s.Build, "\r\n") {
		return ""
	}
	return fmt.Sprintf("%s\nbuild %s\nstore-sha256 %x\n", checkedMagic, s.Build, sum)
}

// vouched reports whether the record names data and this build.
func (s *Store) vouched(data []byte) bool {
	want := s.record(sha256.Sum256(data))
	if want == "" {
		return false
	}
	rec, err := ReadRegular(s.checkedPath(), maxChecked)
	return err == nil && string(rec) == want
}

// writeChecked records that the store file just written, whose hash is
// sum, is valid. On failure the old record stays, naming the previous
// file: it no longer matches, which is safe.
func (s *Store) writeChecked(sum [sha256.Size]byte) {
	rec := s.record(sum)
	if rec == "" {
		return
	}
	f, err := os.CreateTemp(s.Dir, storeTempPrefix+"checked-*")
	if err != nil {
		return
	}
	_, werr := f.WriteString(rec)
	if errors.Join(werr, f.Chmod(0o600), f.Close()) != nil || os.Rename(f.Name(), s.checkedPath()) != nil {
		os.Remove(f.Name())
	}
}
