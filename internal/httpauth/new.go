package httpauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// SecretResolver gives the secret held by a passphrase provider;
// *passphrase.Resolver is one.
type SecretResolver interface {
	Secret(ctx context.Context, name string) (string, error)
}

// Options are what New needs besides the method's name.
type Options struct {
	// Config holds the method and the objects it refers to. The token
	// cache and the encryption key live in its directory, and relative
	// TLS paths start there.
	Config  *config.Snapshot
	Secrets SecretResolver
	// NoCache bypasses the shared token cache file: every new Source
	// requests a new token (it still reuses it in memory).
	NoCache bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// WrapTransport, when set, wraps the HTTP transport built from the
	// method's TLS and proxy settings. Tests use it to count requests.
	WrapTransport func(http.RoundTripper) http.RoundTripper
	// Trace, when set, receives a trace of each token request: the
	// connection, TLS, the request and the response, with the secret and
	// the tokens masked (see traceBodyLimit for the body). A static
	// token makes no request, so there is no trace.
	Trace io.Writer
	// Warn, when set, receives problems that do not stop a token from
	// being obtained, such as a token cache that cannot be opened.
	Warn func(msg string)
}

func (o *Options) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
	}
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// Info describes a method for diagnostics. It holds no secret.
type Info struct {
	Method   string
	Type     string
	Endpoint string   // token endpoint URL; empty for a static token
	ClientID string   // empty for a static token
	Scopes   []string // requested-scope values
	Provider string   // passphrase provider of the secret or the static token
	// CacheFile is the shared cache in use, or "" when it is bypassed.
	CacheFile string
	// TrustManager is the trust-manager-provider of an https endpoint;
	// Unverified says it is blind-trust, so the endpoint's certificate
	// is not checked at all.
	TrustManager string
	Unverified   bool
	// Signing describes the certificate of the key that signs the client
	// assertion (private-key-jwt); nil otherwise, and until the first
	// Token call has read the key.
	Signing *tlsconf.CertInfo
	// Subject is the mailbox a service account acts as.
	Subject string
}

// Describer is implemented by every Source that New returns.
type Describer interface{ Describe() Info }

// ConfigError is a method that cannot be used as configured: it is
// disabled, a referenced object is missing, or its secret cannot be
// resolved. It matches config.ErrRejected, so it maps to the
// "configuration unusable" exit code.
type ConfigError struct {
	Method string
	Err    error
	Hint   string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("http authorization method %q: %v", e.Method, e.Err)
}

func (e *ConfigError) Unwrap() error        { return e.Err }
func (e *ConfigError) Is(target error) bool { return target == config.ErrRejected }

// ErrorHint returns the hint given at construction, else the wrapped
// error's hint.
func (e *ConfigError) ErrorHint() string {
	if e.Hint != "" {
		return e.Hint
	}
	return config.HintOf(e.Err)
}

// New returns the token source for the named http-authorization-method.
// It checks the method and its references now; the secret is resolved by
// the first Token call, which can therefore fail with a *ConfigError as
// well as a *TokenError.
func New(opts Options, methodName string) (Source, error) {
	v, err := opts.Config.Lookup(config.KindHTTPAuthorizationMethod, methodName)
	if err != nil {
		return nil, err
	}
	if !v.Bool(config.PropEnabled) {
		return nil, &ConfigError{Method: methodName, Err: errors.New("the method is disabled"),
			Hint: fmt.Sprintf("enable it: dsconfig set-http-authorization-method-prop --method-name %q --set enabled:true", methodName)}
	}
	switch v.Object.Type {
	case TypeClientCredentials:
		return newClientCredentials(&opts, v)
	case TypeStaticBearerToken:
		return newStatic(&opts, v)
	case TypeServiceAccount:
		return newServiceAccount(&opts, v, "")
	}
	return nil, &ConfigError{Method: methodName, Err: fmt.Errorf("type %s cannot give tokens", v.Object.Type)}
}

// secret resolves a passphrase provider for the method, wrapping any
// failure as a *ConfigError.
func secret(ctx context.Context, opts *Options, method, what, provider string) (string, error) {
	s, err := opts.Secrets.Secret(ctx, provider)
	if err != nil {
		return "", &ConfigError{Method: method, Err: fmt.Errorf("%s: %w", what, err)}
	}
	return s, nil
}
