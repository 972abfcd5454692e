//go:build !unix

package config

// oNonblock is unix's O_NONBLOCK; elsewhere there are no named pipes in
// the file system to wait on.
const oNonblock = 0
