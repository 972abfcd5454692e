// Package credentials resolves, for one command, the secrets and token
// sources that configuration objects refer to: mailer and check get them
// through a [Resolver], which joins internal/passphrase and
// internal/httpauth.
package credentials

import (
	"context"
	"io"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// Resolver gives the secrets of passphrase providers and the token
// sources of http-authorization-methods. Each call gets a passphrase
// resolver of its own, so that each server of a failover list resolves
// its secrets afresh, as it always has.
type Resolver struct {
	Config *config.Snapshot
	Getenv func(string) string
	// Warn gets the warnings (a password file others can read).
	Warn    func(string)
	NoCache bool      // bypass the shared token cache
	Trace   io.Writer // where token requests are traced (--verbose); nil for none
}

var (
	_ mailer.SecretResolver = Resolver{}
	_ mailer.TokenSources   = Resolver{}
)

// Secret returns the secret held by the named passphrase provider.
func (c Resolver) Secret(ctx context.Context, provider string) (string, error) {
	return c.resolver().Secret(ctx, provider)
}

// TokenSource returns the token source of the named
// http-authorization-method, as get-access-token and send-test-mail use it.
func (c Resolver) TokenSource(method string) (httpauth.Source, error) {
	return httpauth.New(httpauth.Options{Config: c.Config, NoCache: c.NoCache,
		Secrets: c.resolver(), Warn: c.Warn, Trace: c.Trace}, method)
}

func (c Resolver) resolver() *passphrase.Resolver {
	return &passphrase.Resolver{Config: c.Config, Getenv: c.Getenv, Warn: c.Warn}
}
