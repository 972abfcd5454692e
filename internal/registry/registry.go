// Package registry assembles the one registry of the tool: the kinds and
// global types of config, the types of every domain package, and the
// built-in objects. The command layer builds it once per process; the
// tests of the packages above the domain packages build the same one, so
// that they check the real property definitions.
package registry

import (
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// New returns the registry of every kind and type, with the built-in
// objects (see tlsconf.Builtins).
func New() (*config.Registry, error) {
	r, err := config.NewRegistry(config.Kinds(), config.GlobalTypes(),
		passphrase.Types(), tlsconf.Types(), httpauth.Types(), mailer.Types())
	if err != nil {
		return nil, err
	}
	return r, r.AddBuiltins(tlsconf.Builtins()...)
}

// ForTest is New for tests: it fails t on an error.
func ForTest(t interface {
	Helper()
	Fatal(...any)
}) *config.Registry {
	t.Helper()
	r, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
