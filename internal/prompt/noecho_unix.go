//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package prompt

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// noEcho turns off echo on fd, keeping line editing and signals (Ctrl-C),
// and returns what restores the previous state.
func noEcho(fd int) (func(), error) {
	old, err := unix.IoctlGetTermios(fd, ioctlGetTermios)
	if err != nil {
		return nil, err
	}
	t := *old
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	if err := unix.IoctlSetTermios(fd, ioctlSetTermios, &t); err != nil {
		return nil, err
	}
	return func() { unix.IoctlSetTermios(fd, ioctlSetTermios, old) }, nil
}

func readFD(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Read(fd, b)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// maxLine bounds a hidden answer; a secret is at most 64 KiB anywhere
// else in dsconfig.
const maxLine = 64 << 10

// readLine reads up to a line end from fd, a byte at a time so that
// nothing after the line is consumed.
func readLine(fd int) (string, error) {
	var line []byte
	var b [1]byte
	for len(line) <= maxLine {
		n, err := readFD(fd, b[:])
		if n == 1 {
			switch b[0] {
			case '\n', '\r':
				return string(line), nil
			case '\b', 0x7f: // erase, in case the terminal does not
				if len(line) > 0 {
					line = line[:len(line)-1]
				}
			default:
				line = append(line, b[0])
			}
			continue
		}
		if err != nil || n == 0 {
			if len(line) > 0 && err == nil {
				return string(line), nil
			}
			if err == nil {
				err = io.EOF
			}
			return "", err
		}
	}
	return "", fmt.Errorf("the answer is longer than %d bytes", maxLine)
}
