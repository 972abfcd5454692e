package passphrase

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// maxSecretSize bounds what is read from a password file or a command:
// anything larger is not a secret but a mistake, such as a path to a log.
const maxSecretSize = 64 << 10

func (r *Resolver) fromFile(path string) (string, error) {
	p := r.Config.Path(path)
	f, err := config.OpenRegular(p)
	if err != nil {
		return "", fileOpenError(p, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fileOpenError(p, err)
	}
	if fi.Mode().Perm()&0o044 != 0 {
		r.warn("file:"+p, fmt.Sprintf("the password file %s can be read by other users (mode %04o); restrict it with 'chmod 600 %s'",
			p, fi.Mode().Perm(), p))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretSize+1))
	if err != nil {
		return "", fileOpenError(p, err)
	}
	return secretFromFile(p, data)
}

func secretFromFile(p string, data []byte) (string, error) {
	if len(data) > maxSecretSize {
		return "", fail(ErrFileUnreadable, "check that password-file names the right file",
			"the password file %s is larger than %d KiB, which is not a secret", p, maxSecretSize>>10)
	}
	// Editors and `echo` add a final newline; it is never part of the
	// secret.
	s := strings.TrimRight(string(data), "\r\n")
	if s == "" {
		return "", fail(ErrEmpty, "write the secret on the file's first line", "the password file %s is empty", p)
	}
	return s, nil
}

func fileOpenError(p string, err error) error {
	var pe *fs.PathError
	reason := err
	if errors.As(err, &pe) {
		reason = pe.Err // the path is already in the message
	}
	if errors.Is(err, config.ErrNotRegular) {
		return &failure{reason: ErrFileUnreadable, cause: err,
			msg:  fmt.Sprintf("the password file %s %v", p, reason),
			hint: "set password-file to a regular file that holds the secret"}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return &failure{reason: ErrFileMissing, cause: err,
			msg:  fmt.Sprintf("the password file %s does not exist", p),
			hint: "create it with the secret on one line and mode 0600, or correct password-file (a relative path is relative to the configuration directory)"}
	}
	return &failure{reason: ErrFileUnreadable, cause: err,
		msg:  fmt.Sprintf("the password file %s cannot be read: %v", p, reason),
		hint: "make the file readable by the user that runs dsconfig, and by no one else (chmod 600)"}
}
