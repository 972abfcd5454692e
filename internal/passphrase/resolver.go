package passphrase

import (
	"context"
	"errors"

	"dsconfig/internal/config"
)

// Resolver turns a passphrase provider's name into its secret value. It is
// the one way the other packages get secrets.
//
// TODO(issue 3): caching (max-cache-duration), file-based, obscured-value
// and command types, and the diagnostics of test-passphrase-provider.
type Resolver struct {
	Registry *config.Registry
	State    *config.State
	// Dir is the configuration directory: relative paths and the
	// encryption key are found there.
	Dir    string
	Getenv func(string) string
}

// Secret returns the secret held by the named provider. Errors name the
// provider and what failed, never the value.
func (r *Resolver) Secret(ctx context.Context, name string) (string, error) {
	return "", errors.New("passphrase: not implemented yet")
}
