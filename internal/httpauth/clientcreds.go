package httpauth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/oauth2/jwt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// ccSource obtains tokens with the client credentials grant.
type ccSource struct {
	opts      *Options
	info      Info
	provider  string
	idParam   string
	secParam  string
	basic     bool
	jwt       bool   // private-key-jwt: an assertion signed with keyMgr's key
	keyMgr    string // key-manager-provider
	view      config.View
	sa        bool   // a service account: the JWT bearer grant
	subject   string // the mailbox a service account acts as
	get       bool
	timeout   time.Duration
	maxLife   time.Duration
	transport http.RoundTripper
	proxy     func(*http.Request) (*url.URL, error) // the transport's

	mu       sync.Mutex
	resolved bool
	secret   string // resolved on first use
	signer   *tlsconf.KeyPair
	lastJWT  string // the last client assertion, for redaction
	saConf   *jwt.Config
	redact   []string // a service account's key, in every form held
	key      string   // cache key, derived from the settings and the secret
	cache    *tokenCache
	cur      *Token
}

var (
	_ Source    = (*ccSource)(nil)
	_ Describer = (*ccSource)(nil)
)

func newClientCredentials(opts *Options, v config.View) (*ccSource, error) {
	s := &ccSource{
		opts: opts, view: v,
		info: Info{Method: v.Object.Name, Type: v.Object.Type, Endpoint: v.String(propTokenEndpointURL),
			ClientID: v.String(propClientID), Scopes: v.Values(propRequestedScope)},
		provider: v.String(propClientSecretProvider),
		idParam:  v.String(propClientIDParameterName),
		secParam: v.String(propClientSecretParamName),
		basic:    v.String(propCredentialsSubmission) == submitBasic,
		jwt:      v.String(propCredentialsSubmission) == submitJWT,
		keyMgr:   v.String(propKeyManagerProvider),
		get:      v.String(propRequestMethod) == methodGet,
		timeout:  v.Duration(propResponseTimeout),
		maxLife:  v.Duration(propMaximumTokenLifetime),
	}
	s.info.Provider = s.provider
	t, err := buildTransport(opts, v)
	if err != nil {
		return nil, &ConfigError{Method: s.info.Method, Err: err}
	}
	s.transport, s.proxy = t, t.Proxy
	s.info.TrustManager = v.String(propTrustManagerProvider)
	s.info.Unverified = tlsconf.Unverified(t.TLSClientConfig)
	if opts.WrapTransport != nil {
		s.transport = opts.WrapTransport(t)
	}
	if !opts.NoCache {
		s.cache = newTokenCache(opts, s.timeout+lockSlack)
		s.info.CacheFile = s.cache.path
	}
	return s, nil
}

// Describe tells what the source does, without secrets.
func (s *ccSource) Describe() Info { return s.info }

// Token returns the token in memory or in the shared cache while it may
// be reused, and otherwise requests a new one.
func (s *ccSource) Token(ctx context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.now()
	if s.cur != nil && reusable(s.cur, now) {
		t := *s.cur
		t.FromCache = true
		return &t, nil
	}
	if err := s.resolve(ctx); err != nil {
		return nil, err
	}
	var tok *Token
	var err error
	if s.cache == nil {
		tok, err = s.fetch(ctx)
	} else {
		tok, err = s.cache.getOrFetch(ctx, s.key, s.info.Method, s.opts.now, func() (*Token, error) { return s.fetch(ctx) })
	}
	if lt := (*lockTimeout)(nil); errors.As(err, &lt) {
		return nil, &TokenError{Method: s.info.Method, Endpoint: s.info.Endpoint, ClientID: s.info.ClientID,
			Class: ClassLocked, Timeout: lt.waited, HolderPID: lt.pid, LockFile: lt.path}
	}
	if err != nil {
		return nil, err
	}
	s.cur = tok
	t := *tok
	return &t, nil
}

// Reject forgets tok here and in the shared cache, unless the cache
// already holds a newer token from another process.
func (s *ccSource) Reject(ctx context.Context, tok *Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur = nil
	if s.cache == nil || tok == nil || s.key == "" {
		return nil
	}
	return s.cache.discard(s.key, tok.AccessToken)
}

func (s *ccSource) resolve(ctx context.Context) error {
	if s.resolved {
		return nil
	}
	if s.sa {
		if err := s.resolveServiceAccount(ctx); err != nil {
			return err
		}
	} else if s.jwt {
		k, err := tlsconf.LoadKeyPair(ctx, s.opts.Config, s.opts.Secrets, s.keyMgr)
		if err != nil {
			return &ConfigError{Method: s.info.Method, Err: fmt.Errorf("signing key: %w", err)}
		}
		if _, err := signingMethod(k); err != nil {
			return &ConfigError{Method: s.info.Method, Err: err}
		}
		ci := k.Describe()
		s.signer, s.info.Signing = k, &ci
	} else {
		sec, err := secret(ctx, s.opts, s.info.Method, "client secret", s.provider)
		if err != nil {
			return err
		}
		s.secret = sec
	}
	s.resolved = true
	if s.cache == nil {
		return nil
	}
	key, err := s.cacheKey()
	if err != nil {
		// The entries are sealed with the same key: without it the
		// cache could neither be read nor written.
		s.opts.warn(fmt.Sprintf("token cache %s not used: %v", s.cache.path, err))
		s.cache, s.info.CacheFile = nil, ""
		return nil
	}
	s.key = key
	return nil
}

// config returns the x/oauth2 settings for one request. The auth style is
// always explicit: x/oauth2's autodetection would send a second request
// with the secret in the body after any failure. For request-body the
// id and secret go in as endpoint parameters, so that their names can
// be changed; x/oauth2 then adds nothing itself because its ClientID and
// ClientSecret are empty.
func (s *ccSource) config(assertion string) *clientcredentials.Config {
	c := &clientcredentials.Config{TokenURL: s.info.Endpoint, Scopes: s.info.Scopes}
	if s.jwt {
		c.AuthStyle = oauth2.AuthStyleInParams
		c.EndpointParams = url.Values{"client_id": {s.info.ClientID},
			"client_assertion_type": {assertionType}, "client_assertion": {assertion}}
		return c
	}
	if s.basic {
		c.ClientID, c.ClientSecret, c.AuthStyle = s.info.ClientID, s.secret, oauth2.AuthStyleInHeader
		return c
	}
	c.AuthStyle = oauth2.AuthStyleInParams
	c.EndpointParams = url.Values{s.idParam: {s.info.ClientID}, s.secParam: {s.secret}}
	return c
}

// fetch makes one token request.
func (s *ccSource) fetch(ctx context.Context) (*Token, error) {
	rec := &recorder{base: s.transport, get: s.get, proxyFunc: s.proxy, trace: s.tracer()}
	client := &http.Client{Transport: rec, Timeout: s.timeout + time.Second, // a backstop to ctx
		// A redirected token request would carry the secret elsewhere;
		// the 3xx is reported instead, with its Location.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// response-timeout is the context's deadline, which covers reading
	// the body too, and which classify can tell from a cancellation: the
	// transport reports either only as "request canceled".
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	ctx = rec.trace.withClientTrace(ctx)
	if s.sa {
		// x/oauth2/jwt sends its request without the context: give it
		// the deadline, the cancellation and the trace here.
		client.Transport = ctxTransport{rec, ctx}
	}
	start := s.opts.now()
	var assertion string
	if s.jwt {
		a, err := clientAssertion(s.signer, s.info.ClientID, s.info.Endpoint, start)
		if err != nil {
			return nil, &ConfigError{Method: s.info.Method, Err: err}
		}
		assertion, s.lastJWT = a, a
	}
	var ot *oauth2.Token
	var err error
	if s.sa {
		ot, err = s.saConf.TokenSource(ctx).Token()
	} else {
		ot, err = s.config(assertion).Token(ctx)
	}
	rec.trace.end(rec.last, err)
	if err != nil {
		return nil, s.tokenError(ctx, err, rec)
	}
	return s.newToken(ot, start), nil
}

func (s *ccSource) newToken(ot *oauth2.Token, obtained time.Time) *Token {
	t := &Token{AccessToken: ot.AccessToken, TokenType: ot.TokenType, ObtainedAt: obtained}
	if t.TokenType == "" {
		t.TokenType = "Bearer"
	}
	if sc, ok := ot.Extra("scope").(string); ok {
		t.Scope = sc
	}
	// x/oauth2 computes Expiry from its own clock, and clientcredentials
	// drops ExpiresIn; the raw field is used with ours, which tests set.
	secs, given := expiresIn(ot)
	switch {
	case given && secs <= 0:
		// The server says the token is already expired. It is all there
		// is for this attempt, but it is never reused.
		s.opts.warn(fmt.Sprintf("http authorization method %q: the token endpoint gave expires_in %d: the token is used for this attempt only and not cached", s.info.Method, secs))
		t.Expiry, t.ReuseUntil = obtained, obtained
		return t
	case given:
		t.Expiry = obtained.Add(time.Duration(secs) * time.Second)
	default:
		if c, err := DecodeJWT(ot.AccessToken); err == nil && !c.ExpiresAt.IsZero() {
			t.Expiry = c.ExpiresAt
		}
	}
	t.ReuseUntil = reuseUntil(obtained, t.Expiry, s.maxLife)
	return t
}

// expiresIn reads the raw expires_in, a number or, from Microsoft's v1
// endpoint and others, a numeric string. given is false when there is
// none, or none that reads as a number.
func expiresIn(ot *oauth2.Token) (secs int64, given bool) {
	switch v := ot.Extra("expires_in").(type) {
	case float64:
		secs, given = int64(max(min(v, math.MaxInt32), math.MinInt32)), true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		secs, given = n, err == nil
	}
	return min(max(secs, math.MinInt32), math.MaxInt32), given
}

func (s *ccSource) tokenError(ctx context.Context, err error, rec *recorder) error {
	e := &TokenError{Method: s.info.Method, Endpoint: s.info.Endpoint, ClientID: s.info.ClientID, Timeout: s.timeout}
	if s.info.Signing != nil {
		e.SigningKid = s.info.Signing.Kid
	}
	e.ServiceAccount = s.sa
	e.classify(ctx, err, rec)
	e.redact(s.redactions())
	return e
}

// redactions are the values that must not come back in an error: the
// secret (config.Redact adds its URL and base64 forms) and the Basic
// authorization credentials, whose base64 holds it at an offset.
func (s *ccSource) redactions() []string {
	if s.sa {
		return s.redact
	}
	if s.jwt {
		if s.lastJWT == "" {
			return nil
		}
		return []string{s.lastJWT}
	}
	id, sec := url.QueryEscape(s.info.ClientID), url.QueryEscape(s.secret)
	return []string{s.secret, basicAuth(id, sec)}
}

// cacheKey is the HMAC, keyed with the store's encryption key, of
// everything that decides which token the server gives, the secret
// included. A plain hash would let anyone who reads the cache file test
// guesses of the secret against it.
func (s *ccSource) cacheKey() (string, error) {
	if s.sa {
		return s.serviceAccountCacheKey()
	}
	cred := "secret:" + s.secret
	if s.jwt {
		// The certificate names the key: a changed key manager provider
		// or key store never reuses a token obtained with the old key.
		cred = "x5t#S256:" + s.info.Signing.X5tS256
	}
	return s.cache.key.MAC("token-cache", "client-credentials", s.info.Method, s.info.Endpoint, s.info.ClientID,
		cred, strings.Join(s.info.Scopes, " "),
		fmt.Sprintf("basic=%t jwt=%t get=%t id=%s secret=%s max=%d", s.basic, s.jwt, s.get, s.idParam, s.secParam, s.maxLife))
}

// ctxTransport sends each request with ctx.
type ctxTransport struct {
	base http.RoundTripper
	ctx  context.Context
}

func (t ctxTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return t.base.RoundTrip(r.WithContext(t.ctx))
}
