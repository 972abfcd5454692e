package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Size limits for the files dsconfig reads. Each is far above what a real
// file holds and low enough that a wrong or hostile file cannot exhaust
// memory. docs/store-format.md and docs/scripting.md list them.
const (
	// MaxStoreSize bounds config.yaml, a config-diff source and an
	// archive's uncompressed content; a store of 100,000 objects is
	// about 30 MiB.
	MaxStoreSize = 64 << 20
	// maxKeyFileSize bounds encryption-key, which holds 64 hex digits.
	maxKeyFileSize = 4 << 10
)

// ErrNotRegular is returned for a path that must be a regular file but is
// a named pipe, a device, a socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is returned for input beyond its size limit.
var ErrTooLarge = errors.New("too large")

// OpenRegular opens path for reading, refusing at once anything but a
// regular file. It opens without blocking, so that a named pipe in place
// of the file is an error instead of a hang, and checks the opened file,
// not the path, so that the answer cannot change in between. Errors
// include the path.
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path,
			Err: notRegularError(fileKind(fi.Mode()))}
	}
	return f, nil
}

// ReadRegular reads the whole of the regular file at path, refusing a
// file larger than limit bytes. Errors include the path; a missing file
// matches fs.ErrNotExist.
func ReadRegular(path string, limit int64) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(0)
	if fi, err := f.Stat(); err == nil {
		if fi.Size() > limit {
			return nil, &fs.PathError{Op: "read", Path: path, Err: limitError(limit)}
		}
		size = fi.Size()
	}
	data, err := readLimited(f, limit, size) // the file may grow after Stat
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}

// ReadLimited reads r to its end, or fails with an error matching
// ErrTooLarge as soon as it passes limit bytes; it never holds more than
// limit+1 bytes. r may be a pipe.
func ReadLimited(r io.Reader, limit int64) ([]byte, error) {
	return readLimited(r, limit, 0)
}

// readLimited is ReadLimited with a guess of the size: a buffer of the
// right size spares the copies of a growing one, which for a large store
// cost more than reading it.
func readLimited(r io.Reader, limit, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(size, limit)+bytes.MinRead))
	if _, err := buf.ReadFrom(io.LimitReader(r, limit+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > limit {
		return nil, limitError(limit)
	}
	return buf.Bytes(), nil
}

// limitError is the error for input over limit bytes.
func limitError(limit int64) error {
	return tooLargeError(limit)
}

type notRegularError string

func (e notRegularError) Error() string        { return "is " + string(e) + ", not a regular file" }
func (e notRegularError) Is(target error) bool { return target == ErrNotRegular }

type tooLargeError int64

func (e tooLargeError) Error() string {
	return "is larger than " + FormatSize(int64(e)) + ", the limit"
}
func (e tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// FormatSize writes a byte count the way the limits are documented:
// 64 MiB, 64 KiB, 100 bytes.
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}
