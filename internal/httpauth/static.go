package httpauth

import (
	"context"
	"sync"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// staticSource hands out the token held by a passphrase provider. It
// cannot renew it: once a server rejects it, Token fails with a
// *TokenError instead of offering the same token again.
type staticSource struct {
	opts     *Options
	info     Info
	mu       sync.Mutex
	rejected string // fingerprint of the rejected token
}

var (
	_ Source    = (*staticSource)(nil)
	_ Describer = (*staticSource)(nil)
)

func newStatic(opts *Options, v config.View) (*staticSource, error) {
	return &staticSource{opts: opts, info: Info{Method: v.Object.Name, Type: v.Object.Type,
		Provider: v.String(propTokenProvider)}}, nil
}

// Describe tells what the source does, without secrets.
func (s *staticSource) Describe() Info { return s.info }

// Token reads the token from its provider each time, so that a token
// replaced in the provider is picked up. Its expiry comes from the JWT
// exp claim when there is one; an expired token is still returned, as
// the server's verdict is the one that counts.
func (s *staticSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, err := secret(ctx, s.opts, s.info.Method, "bearer token", s.info.Provider)
	if err != nil {
		return nil, err
	}
	if s.rejected != "" && s.rejected == fingerprint(access) {
		return nil, &TokenError{Method: s.info.Method, Class: ClassStaticReject}
	}
	now := s.opts.now()
	t := &Token{AccessToken: access, TokenType: "Bearer", ObtainedAt: now}
	if c, err := DecodeJWT(access); err == nil && !c.ExpiresAt.IsZero() {
		t.Expiry = c.ExpiresAt
		start := now
		if !c.IssuedAt.IsZero() {
			start = c.IssuedAt
		}
		t.ReuseUntil = reuseUntil(start, t.Expiry, 0)
	}
	return t, nil
}

// Reject remembers tok, so that the next Token call reports the
// rejection instead of repeating it.
func (s *staticSource) Reject(_ context.Context, tok *Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok != nil {
		s.rejected = fingerprint(tok.AccessToken)
	}
	return nil
}
