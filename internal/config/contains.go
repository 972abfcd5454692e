package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Contains reports whether path names a file in the configuration
// directory, or the directory itself, once symbolic links are resolved,
// including those of a file that does not exist yet (its first existing
// ancestor is resolved), or a file that is a hard link to one there.
// Commands that write a file the user names (--output-file) refuse such a
// path: they would replace the store, its key or its log with no lock,
// archive or audit record.
func (s *Store) Contains(path string) bool {
	dir := resolvePath(s.Dir)
	p := resolvePath(path)
	rel, err := filepath.Rel(dir, p)
	if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return true
	}
	return s.hardLinked(path)
}

// hardLinked reports whether path is an existing file that is also a file
// of the configuration directory or its archive.
func (s *Store) hardLinked(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	for _, d := range []string{s.Dir, filepath.Join(s.Dir, "archived-configs")} {
		des, _ := os.ReadDir(d)
		for _, de := range des {
			if other, err := os.Stat(filepath.Join(d, de.Name())); err == nil && os.SameFile(fi, other) {
				return true
			}
		}
	}
	return false
}

// CheckOutside refuses, as a usage error, a path for flag that Contains.
func (s *Store) CheckOutside(flag, path string) error {
	if !s.Contains(path) {
		return nil
	}
	return usageErr("write the file outside the configuration directory",
		"%s %q is in the configuration directory %s, whose files only dsconfig itself may write", flag, path, s.Dir)
}

// resolvePath is path made absolute with every symbolic link resolved, as
// far as it exists: the missing tail is kept as it is, after resolving a
// dangling link's target.
func resolvePath(path string) string {
	p, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	var tail []string
	for range 64 {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, tail...)...)
		}
		if target, err := os.Readlink(p); err == nil {
			// A dangling link: creating the file creates its target.
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = filepath.Clean(target)
			continue
		}
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		tail = append([]string{filepath.Base(p)}, tail...)
		p = parent
	}
	return filepath.Join(append([]string{p}, tail...)...)
}

// checkNotLink refuses to change a store file that is a symbolic link.
// The atomic write renames a new file over the path, which would replace
// the link by a regular file and leave its target stale; writing through
// the link would need the temporary file next to the target, in a
// directory dsconfig does not own. So the change is refused, with the
// store unchanged.
func (s *Store) checkNotLink() error {
	fi, err := os.Lstat(s.Path())
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	return &StoreError{Path: s.Path(), IO: true, Err: fmt.Errorf("it is a symbolic link, and dsconfig does not change a store through a link: " +
		"replace the link by the file it points to, or give --config-dir the directory that holds that file")}
}
