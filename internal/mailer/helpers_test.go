package mailer

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

func startSandbox(t *testing.T, opts sandbox.Options) *sandbox.Sandbox {
	t.Helper()
	opts.Dir = t.TempDir()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

// server describes the sandbox's plain SMTP port.
func server(t *testing.T, sb *sandbox.Sandbox, src httpauth.Source) *Server {
	t.Helper()
	host, port, _ := net.SplitHostPort(sb.SMTPAddr)
	p, _ := strconv.Atoi(port)
	return &Server{Name: "sandbox", Host: host, Port: p, Security: SecurityNone, Timeout: 5 * time.Second,
		TLS: &tls.Config{RootCAs: sb.CertPool()}, User: "alerts@example.com", Tokens: src}
}

// endpointSource gets tokens from the sandbox's token endpoint, like a
// client-credentials method. It keeps a token until Reject, unless
// noCache is set (maximum-token-lifetime 1 s): then every Token call is a
// request.
type endpointSource struct {
	url, id, secret string
	noCache         bool

	mu      sync.Mutex
	cur     *httpauth.Token
	rejects int
	// first, when set, is returned by the first Token call instead.
	first *httpauth.Token
}

func newEndpointSource(sb *sandbox.Sandbox) *endpointSource {
	return &endpointSource{url: sb.TokenURL(), id: sb.ClientID(), secret: sb.ClientSecret()}
}

func (s *endpointSource) Token(ctx context.Context) (*httpauth.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.first != nil {
		s.cur, s.first = s.first, nil
		return s.cur, nil
	}
	if s.cur != nil && !s.noCache {
		c := *s.cur
		c.FromCache = true
		return &c, nil
	}
	resp, err := http.PostForm(s.url, url.Values{"grant_type": {"client_credentials"}, "client_id": {s.id}, "client_secret": {s.secret}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.AccessToken == "" {
		return nil, errors.New("oauth2: token request failed: " + resp.Status)
	}
	now := time.Now()
	s.cur = &httpauth.Token{AccessToken: body.AccessToken, TokenType: "Bearer", ObtainedAt: now,
		Expiry: now.Add(time.Duration(body.ExpiresIn) * time.Second)}
	return s.cur, nil
}

func (s *endpointSource) Reject(_ context.Context, tok *httpauth.Token) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejects++
	s.cur = nil
	return nil
}

// badSource hands out a different token the server never issued on
// every call.
type badSource struct {
	mu            sync.Mutex
	calls, reject int
}

func (b *badSource) Token(context.Context) (*httpauth.Token, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	return &httpauth.Token{AccessToken: "forged-token-" + strconv.Itoa(b.calls), Expiry: time.Now().Add(time.Hour)}, nil
}

func (b *badSource) Reject(context.Context, *httpauth.Token) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reject++
	return nil
}

// steps collects the reported steps.
type steps struct {
	mu  sync.Mutex
	all []Step
}

func (s *steps) add(st Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.all = append(s.all, st)
}

func opts(st *steps) *Options {
	return &Options{Report: st.add}
}

func msg() *Message { return &Message{To: []string{"ops@example.com"}, Host: "test-host"} }

func send(t *testing.T, s *Server, o *Options) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return Send(ctx, s, msg(), o)
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *mailer.Error", err, err)
	}
	return e
}
