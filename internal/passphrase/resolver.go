package passphrase

import (
	"context"
	"fmt"
	"path/filepath"

	"dsconfig/internal/config"
)

// Resolver turns a passphrase provider's name into its secret value. It is
// the one way the other packages get secrets.
//
// TODO(issue 3): caching (max-cache-duration), file-based and command
// types, and the diagnostics of test-passphrase-provider.
type Resolver struct {
	Registry *config.Registry
	State    *config.State
	// Dir is the configuration directory: relative paths and the
	// encryption key are found there.
	Dir    string
	Getenv func(string) string
}

// Error is a provider that could not give its secret. It never holds the
// value.
type Error struct {
	Provider string
	Err      error
}

func (e *Error) Error() string { return fmt.Sprintf("passphrase provider %q: %v", e.Provider, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Secret returns the secret held by the named provider. Errors name the
// provider and what failed, never the value.
func (r *Resolver) Secret(ctx context.Context, name string) (string, error) {
	o, err := config.Find(r.State, r.Registry.Kind(config.KindPassphraseProvider), name)
	if err != nil {
		return "", err
	}
	v := r.Registry.View(o)
	if !v.Bool(config.PropEnabled) {
		return "", &Error{name, fmt.Errorf("the provider is disabled")}
	}
	switch o.Type {
	case TypeEnvironmentVariable:
		return r.fromEnv(name, v.String(PropEnvironmentVariable))
	case TypeObscuredValue:
		key := &config.KeyFile{Path: filepath.Join(r.Dir, config.KeyFileName)}
		s, err := key.Open(PropObscuredValue, v.String(PropObscuredValue))
		if err != nil {
			return "", &Error{name, err}
		}
		return s, nil
	}
	return "", &Error{name, fmt.Errorf("type %s is not supported yet", o.Type)}
}

func (r *Resolver) fromEnv(name, variable string) (string, error) {
	s := r.Getenv(variable)
	if s == "" {
		return "", &Error{name, fmt.Errorf("the environment variable %s is not set or empty", variable)}
	}
	return s, nil
}
