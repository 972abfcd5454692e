package config

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// What a kill leaves behind, and who clears it. A writer killed mid-way
// can leave a temporary store file (.config.yaml.tmp-*), a pending audit
// intent (intent.go) and a temporary key file (.encryption-key-<pid>-*,
// which holds a whole key). The next command of any kind clears them:
//
//   - the temporary store files and the intent belong to whoever holds
//     the store lock, so they are touched only under it: a write takes it
//     anyway; a read tries it once, without waiting, and leaves everything
//     as it is if another dsconfig holds it (that one settles it first);
//   - a key file can be made outside the store lock (a token cache
//     creates the key of an empty store), so its temporary file carries
//     its writer's pid and is removed only once that process is gone.

const storeTempPrefix = "." + StoreFileName + ".tmp-"

// keyTempPrefix starts the name of a key file being written.
const keyTempPrefix = "." + KeyFileName + "-"

// Tidy clears what a killed writer left, as a read may: without waiting
// for the lock. Load calls it; it never fails, since a read must not fail
// over leftovers.
func (s *Store) Tidy() {
	storeWork, _ := s.leftovers()
	if !storeWork {
		return
	}
	unlock, ok := s.tryLock()
	if !ok {
		return
	}
	defer unlock()
	s.tidyLocked()
}

// tidyLocked clears every leftover; the caller holds the store lock. The
// error is the intent's, which a write must not go past: the log would
// miss a change.
func (s *Store) tidyLocked() error {
	err := s.settleIntent()
	des, _ := os.ReadDir(s.Dir)
	for _, de := range des {
		if strings.HasPrefix(de.Name(), storeTempPrefix) {
			os.Remove(filepath.Join(s.Dir, de.Name()))
		}
	}
	return err
}

// leftovers removes the temporary key files of dead processes and reports
// whether anything remains that needs the store lock.
func (s *Store) leftovers() (storeWork bool, err error) {
	des, err := os.ReadDir(s.Dir)
	if err != nil {
		return false, err
	}
	for _, de := range des {
		name := de.Name()
		switch {
		case strings.HasPrefix(name, storeTempPrefix):
			storeWork = true
		case s.intentPath() != "" && name == filepath.Base(s.intentPath()):
			storeWork = true
		case strings.HasPrefix(name, keyTempPrefix):
			if pid, ok := keyTempPID(name); !ok || !processAlive(pid) {
				os.Remove(filepath.Join(s.Dir, name))
			}
		}
	}
	return storeWork, nil
}

// keyTempPID reads the writer's pid in a temporary key file's name,
// .encryption-key-<pid>-<random>. A name without one is from an older
// dsconfig, whose temporary files are only ever leftovers.
func keyTempPID(name string) (int, bool) {
	rest := strings.TrimPrefix(name, keyTempPrefix)
	p, _, ok := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(p)
	return pid, ok && err == nil && pid > 0
}
