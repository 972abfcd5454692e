package main

import (
	"context"
	"io"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// credentials resolves, for one command, the secrets and token sources
// that configuration objects refer to: mailer gets them through it. Each
// call gets a passphrase resolver of its own, so that each server of a
// failover list resolves its secrets afresh, as it always has.
type credentials struct {
	snap    *config.Snapshot
	getenv  func(string) string
	warn    func(string)
	noCache bool      // bypass the shared token cache
	trace   io.Writer // where token requests are traced (--verbose); nil for none
}

var (
	_ mailer.SecretResolver = credentials{}
	_ mailer.TokenSources   = credentials{}
)

// Secret returns the secret held by the named passphrase provider.
func (c credentials) Secret(ctx context.Context, provider string) (string, error) {
	return c.resolver().Secret(ctx, provider)
}

// TokenSource returns the token source of the named
// http-authorization-method, as get-access-token and send-test-mail use it.
func (c credentials) TokenSource(method string) (httpauth.Source, error) {
	return httpauth.New(httpauth.Options{Config: c.snap, NoCache: c.noCache,
		Secrets: c.resolver(), Warn: c.warn, Trace: c.trace}, method)
}

// resolver returns the resolver for the providers in the snapshot. Its
// warnings (a password file others can read) go to stderr like every
// other warning, and -Q silences them.
func (c credentials) resolver() *passphrase.Resolver {
	return &passphrase.Resolver{Config: c.snap, Getenv: c.getenv, Warn: c.warn}
}
