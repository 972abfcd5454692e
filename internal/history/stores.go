package history

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Store files other than the live one: an archived version that
// restore-config-archive brings back, and the stores config-diff
// compares. Their changes are written as the records' commands, so a
// batch file and the audit log's undo records say the same thing.

// ReadStoreFile loads a store file given by path; a directory means its
// config.yaml.
func ReadStoreFile(r *config.Registry, path string) (*config.State, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, config.StoreFileName)
	}
	data, err := config.ReadRegular(path, config.MaxStoreSize)
	if err != nil {
		return nil, config.Usagef("", "cannot read the store file: %v", err)
	}
	return DecodeStore(r, path, data)
}

// DecodeStore reads a store file that is not the current one; name says
// which in errors.
func DecodeStore(r *config.Registry, name string, data []byte) (*config.State, error) {
	st, err := r.Decode(data)
	if err != nil {
		return nil, &config.StoreError{Path: name, Err: err, NotLive: true}
	}
	if ps := r.Validate(st); len(ps) > 0 {
		return nil, &config.StoreError{Path: name, Err: fmt.Errorf("%s: %v", r.Describe(ps[0].Object), ps[0].Err), NotLive: true}
	}
	return st, nil
}

// Restore changes st into target, object by object, as an ordinary
// change would, so that each step is validated and recorded.
func Restore(r *config.Registry, st, target *config.State) error {
	for _, ch := range r.Plan(st, target) {
		if !r.ApplyStep(st, ch) {
			return config.Problemf("delete or change the objects that refer to it first, then restore again",
				"%s cannot be changed to its archived version while other objects refer to it", r.Describe(ch.Object()))
		}
	}
	return nil
}

const sealedNote = `# Sensitive values are written in encrypted form (AES256GCM:...). They open
# only with the encryption-key file of the store they came from: copy that
# file along, or set those values again.`

// WriteBatch writes changes as a dsconfig batch file, under the comment
// head.
func WriteBatch(w io.Writer, head string, r *config.Registry, changes []config.Change) {
	fmt.Fprintln(w, head)
	fmt.Fprintln(w, sealedNote)
	if len(changes) == 0 {
		fmt.Fprintln(w, "# No differences.")
	}
	for _, ch := range changes {
		for _, rec := range Records(r, ch) {
			fmt.Fprintln(w, rec.Forward)
		}
	}
}
