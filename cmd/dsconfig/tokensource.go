package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"dsconfig/internal/config"
	"dsconfig/internal/httpauth"
	"dsconfig/internal/passphrase"
)

// tokenSource returns the token source of the named
// http-authorization-method for send-test-mail.
//
// TODO(issue 4, at merge): replace the body with
//
//	dir, _ := f.configDir()
//	return httpauth.New(httpauth.Options{Registry: f.Registry, State: state, Dir: dir, NoCache: noCache,
//		Secrets: &passphrase.Resolver{Registry: f.Registry, State: state, Dir: dir, Getenv: f.Getenv}}, methodName)
//
// Until then only static-bearer-token works here; noCache has nothing to
// bypass.
func tokenSource(f *factory, state *config.State, methodName string, noCache bool) (httpauth.Source, error) {
	_ = noCache
	o, err := config.Find(state, f.Registry.Kind(config.KindHTTPAuthorizationMethod), methodName)
	if err != nil {
		return nil, err
	}
	v := f.Registry.View(o)
	if !v.Bool(config.PropEnabled) {
		return nil, config.Problemf(fmt.Sprintf("enable it: dsconfig set-http-authorization-method-prop --method-name %q --set enabled:true", methodName),
			"The HTTP authorization method %q is disabled", methodName)
	}
	if o.Type != httpauth.TypeStaticBearerToken {
		return nil, config.Problemf("this build of send-test-mail supports static-bearer-token methods only; client credentials arrive with the token sources of issue 4",
			"The HTTP authorization method %q is of type %s", methodName, o.Type)
	}
	dir, _ := f.configDir()
	res := &passphrase.Resolver{Registry: f.Registry, State: state, Dir: dir, Getenv: f.Getenv}
	return &staticTokens{res: res, provider: v.String(httpauth.PropTokenProvider)}, nil
}

// staticTokens reads the token from its passphrase provider. A rejected
// token cannot be renewed: the next Token call says so.
type staticTokens struct {
	res      *passphrase.Resolver
	provider string

	mu       sync.Mutex
	rejected string
}

func (s *staticTokens) Token(ctx context.Context) (*httpauth.Token, error) {
	tok, err := s.res.Secret(ctx, s.provider)
	if err != nil {
		return nil, unusable{err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if tok == s.rejected {
		return nil, errors.New("the server rejected the static bearer token, and a static token cannot be renewed")
	}
	now := time.Now()
	return &httpauth.Token{AccessToken: tok, TokenType: "Bearer", ObtainedAt: now, Expiry: jwtExpiry(tok)}, nil
}

func (s *staticTokens) Reject(_ context.Context, tok *httpauth.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejected = tok.AccessToken
	return nil
}

// jwtExpiry reads the exp claim of a JWT-shaped token without verifying
// it, to report when it expires; zero when there is none.
func jwtExpiry(tok string) time.Time {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(raw, &claims) != nil || claims.Exp == 0 {
		return time.Time{}
	}
	return time.Unix(claims.Exp, 0)
}

// unusable marks a secret that cannot be resolved as a configuration
// problem (exit code 3), as httpauth.ConfigError will.
type unusable struct{ error }

func (u unusable) Unwrap() error        { return u.error }
func (u unusable) Is(target error) bool { return target == config.ErrRejected }
