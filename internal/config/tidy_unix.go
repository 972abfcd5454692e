//go:build unix

package config

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with that pid exists. A pid
// reused by another process keeps a leftover until that one ends too:
// wrong in the safe direction.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
