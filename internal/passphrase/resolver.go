package passphrase

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Resolver turns a passphrase provider's name into its secret value. It
// is the one way the other packages get secrets. The zero values of the
// optional fields are safe; a Resolver must not be copied after first use.
type Resolver struct {
	// Config holds the providers. Relative paths and the encryption key
	// are found in its directory.
	Config *config.Snapshot
	Getenv func(string) string // nil means os.Getenv

	// Now is the clock for max-cache-duration; nil means time.Now.
	Now func() time.Time
	// Warn receives warnings about a provider that works but is unsafe,
	// such as a password file that others can read. The package never
	// prints; nil discards them. Each warning is given once per Resolver.
	Warn func(msg string)

	mu     sync.Mutex
	cache  map[string]cached
	warned map[string]bool
}

// cached is a secret read from a file or command, kept for
// max-cache-duration.
type cached struct {
	value   string
	expires time.Time
}

// Secret returns the secret held by the named provider, from the cache
// when the provider's max-cache-duration allows it. Errors are *Error;
// they name the provider and what failed, never the value.
func (r *Resolver) Secret(ctx context.Context, name string) (string, error) {
	v, err := r.Config.Lookup(config.KindPassphraseProvider, name)
	if err != nil {
		return "", err
	}
	if !v.Bool(config.PropEnabled) {
		return "", &Error{name, fail(ErrDisabled,
			fmt.Sprintf("enable it with 'dsconfig set-passphrase-provider-prop --provider-name %q --set enabled:true'", name),
			"the provider is disabled")}
	}
	if s, ok := r.fromCache(name); ok {
		return s, nil
	}
	s, err := r.read(ctx, v)
	if err == nil {
		err = checkSecret(s)
	}
	if err != nil {
		return "", &Error{name, err}
	}
	r.remember(name, v, s)
	return s, nil
}

// read asks the provider's source for the secret.
func (r *Resolver) read(ctx context.Context, v config.View) (string, error) {
	switch v.Object.Type {
	case TypeEnvironmentVariable:
		return r.fromEnv(v.String(propEnvironmentVariable))
	case TypeFileBased:
		return r.fromFile(v.String(propPasswordFile))
	case TypeObscuredValue:
		return config.KeyFileIn(r.Config.Dir).Open(propObscuredValue, v.String(propObscuredValue))
	case TypeCommand:
		return r.fromCommand(ctx, v)
	}
	return "", fmt.Errorf("type %s is not supported by this build", v.Object.Type)
}

// checkSecret refuses, for every provider type alike, a value that cannot
// be a secret: one larger than a password file may be, or one holding a
// NUL byte, which would be cut short or refused by whatever receives it.
func checkSecret(s string) error {
	if len(s) > maxSecretSize {
		return fail(ErrSecretInvalid, "check that the provider gives the secret itself, on one line",
			"the secret is larger than %d KiB, the limit", maxSecretSize>>10)
	}
	if i := strings.IndexByte(s, 0); i >= 0 {
		return fail(ErrSecretInvalid, "check that the provider gives the secret itself, as text",
			"the secret contains a NUL byte (at byte %d), which no secret may hold", i+1)
	}
	return nil
}

func (r *Resolver) fromEnv(variable string) (string, error) {
	getenv := r.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv(variable) == "" {
		return "", fail(ErrVariableUnset, fmt.Sprintf("export %s in the environment that runs dsconfig", variable),
			"the environment variable %s is not set or is empty", variable)
	}
	return getenv(variable), nil
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Resolver) fromCache(name string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.cache[name]
	if !ok || !r.now().Before(c.expires) {
		return "", false
	}
	return c.value, true
}

// remember caches s when the provider has a max-cache-duration. Types
// without the property (environment variable, obscured value) are cheap
// to read and are never cached.
func (r *Resolver) remember(name string, v config.View, s string) {
	if v.Type.Property(propMaxCacheDuration) == nil {
		return
	}
	d := v.Duration(propMaxCacheDuration)
	if d <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = map[string]cached{}
	}
	r.cache[name] = cached{s, r.now().Add(d)}
}

// warn passes msg to the Warn hook once per key.
func (r *Resolver) warn(key, msg string) {
	r.mu.Lock()
	first := !r.warned[key]
	if r.warned == nil {
		r.warned = map[string]bool{}
	}
	r.warned[key] = true
	r.mu.Unlock()
	if first && r.Warn != nil {
		r.Warn(msg)
	}
}
