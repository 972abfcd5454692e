//go:build unix

package config

import "syscall"

// oNonblock makes opening a named pipe return at once instead of waiting
// for a writer; on a regular file it changes nothing.
const oNonblock = syscall.O_NONBLOCK
