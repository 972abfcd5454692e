package config

import "path/filepath"

// Snapshot is one reading of the configuration, the one thing a domain
// package needs to resolve its own objects: the registry that defines
// the kinds and types, the objects, and the configuration directory.
// passphrase, tlsconf, httpauth and mailer each read their own objects
// from it, so the command layer hands over a Snapshot and never reads
// another package's properties.
type Snapshot struct {
	Registry *Registry
	State    *State
	// Dir is the configuration directory: relative paths in the
	// configuration start there, and the encryption key and the token
	// cache live there.
	Dir string
}

// Lookup returns a View of the named object of kind, or a *NotFoundError
// that suggests a near name. For a singleton kind, name is ignored and
// the object always exists, with its defaults when nothing is stored.
func (s *Snapshot) Lookup(kind, name string) (View, error) {
	k := s.Registry.Kind(kind)
	if k == nil {
		panic("config: lookup of unregistered kind " + kind)
	}
	o, err := find(s.State, k, name)
	if err != nil {
		return View{}, err
	}
	return s.Registry.View(o), nil
}

// Path resolves p, a path from the configuration, against Dir.
func (s *Snapshot) Path(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.Dir, p)
}
