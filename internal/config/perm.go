package config

import "os"

// The store and the key file hold secrets (sealed values, the key that
// opens them) and are created 0600. A copy or a hand edit can loosen that
// (cp without -p under a 022 umask, an editor that rewrites the file), and
// nothing would show it. So whenever dsconfig reads one of them, a mode
// that lets group or others in is put back to 0600, if the file is ours;
// a file of another user is left as it is: that is theirs to fix, and
// chmod would fail anyway. There is no warning: config has no channel to
// the user, and the fix is already made.

// TightenMode sets path to 0600 when its mode gives group or others any
// access and the current user owns it. Errors are ignored: the file was
// readable, and being unable to narrow it must not stop the command.
func TightenMode(path string) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode().Perm()&0o077 == 0 || !ownedByMe(fi) {
		return
	}
	os.Chmod(path, 0o600)
}

// CreatePrivate opens path for writing as a 0600 file. An existing regular
// file keeps its mode through O_TRUNC, so it is narrowed before anything
// is written; a device such as /dev/stdout is left alone.
func CreatePrivate(path string) (*os.File, error) {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	fi, err := fh.Stat()
	if err == nil && fi.Mode().IsRegular() && fi.Mode().Perm() != 0o600 {
		err = fh.Chmod(0o600)
	}
	if err != nil {
		fh.Close()
		return nil, err
	}
	return fh, nil
}
