//go:build darwin || dragonfly || freebsd || illumos || linux || netbsd || openbsd

package config

import (
	"os"
	"syscall"
)

// tryLock takes the store lock only if it is free at once. It uses flock,
// as lockedfile does on the systems this builds for, so the two exclude
// each other. It never creates the configuration directory.
func (s *Store) tryLock() (func(), bool) {
	f, err := os.OpenFile(s.Path()+".lock", os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, false
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, true
}
