package httpauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// A distinctive secret, so that tests can search every output for it.
const (
	testSecret   = "S3cr3t~Planted:Value&42"
	testClientID = "app id/1"
)

// seen is one request as the fake token endpoint received it.
type seen struct {
	Method      string
	User, Pass  string
	HasBasic    bool
	Form        url.Values // body parameters
	Query       url.Values
	ContentType string
}

// idp is a fake OAuth 2.0 token endpoint on loopback.
type idp struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
	// respond answers request n (1-based); nil gives a token "tok-n"
	// valid for an hour.
	respond func(w http.ResponseWriter, r *http.Request, n int)
}

func newIdP(t *testing.T, tlsServer bool) *idp {
	p := &idp{}
	h := http.HandlerFunc(p.serve)
	if tlsServer {
		p.Server = httptest.NewTLSServer(h)
	} else {
		p.Server = httptest.NewServer(h)
	}
	t.Cleanup(p.Close)
	return p
}

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	form, _ := url.ParseQuery(string(body))
	s := seen{Method: r.Method, Form: form, Query: r.URL.Query(), ContentType: r.Header.Get("Content-Type")}
	s.User, s.Pass, s.HasBasic = r.BasicAuth()
	p.mu.Lock()
	p.reqs = append(p.reqs, s)
	n := len(p.reqs)
	respond := p.respond
	p.mu.Unlock()
	if respond == nil {
		respond = tokenResponse(`3600`)
	}
	respond(w, r, n)
}

func (p *idp) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.reqs)
}

func (p *idp) last() seen {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.reqs[len(p.reqs)-1]
}

// tokenResponse answers with token "tok-n" and the given raw expires_in
// JSON value.
func tokenResponse(expiresIn string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, n int) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"tok-%d","token_type":"Bearer","expires_in":%s,"scope":"granted"}`, n, expiresIn)
	}
}

func respondWith(status int, contentType, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

type fakeSecrets map[string]string

func (f fakeSecrets) Secret(_ context.Context, name string) (string, error) {
	if s, ok := f[name]; ok {
		return s, nil
	}
	return "", &passphrase.Error{Provider: name, Err: fmt.Errorf("the environment variable X is not set or empty")}
}

// fixture is a configuration with one client-credentials method "m".
type fixture struct {
	reg     *config.Registry
	st      *config.State
	dir     string
	secrets fakeSecrets
	clock   *clock
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func testRegistry(t testing.TB) *config.Registry {
	t.Helper()
	reg, err := newTestRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func newTestRegistry() (*config.Registry, error) {
	// A stand-in for the smtp type that the global configuration refers
	// to, so that this package's tests need not import the mailer.
	smtp := []*config.Type{{Kind: config.KindExternalServer, Name: "smtp", Synopsis: "A stand-in for tests."}}
	return config.NewRegistry(config.Kinds(), config.GlobalTypes(), passphrase.Types(), tlsconf.Types(), Types(), smtp)
}

func newFixture(t testing.TB, endpoint string, props map[string][]string) *fixture {
	f := &fixture{reg: testRegistry(t), st: config.NewState(), dir: t.TempDir(),
		secrets: fakeSecrets{"secret": testSecret}, clock: &clock{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}}
	vals := map[string][]string{config.PropEnabled: {"true"}, propTokenEndpointURL: {endpoint},
		propClientID: {testClientID}, propClientSecretProvider: {"secret"}}
	for k, v := range props {
		vals[k] = v
	}
	f.put(config.KindHTTPAuthorizationMethod, "m", TypeClientCredentials, vals)
	return f
}

func (f *fixture) put(kind, name, typ string, vals map[string][]string) {
	f.st.Put(&config.Object{Kind: kind, Name: name, Type: typ, Values: vals})
}

func (f *fixture) set(prop string, vals ...string) {
	f.st.Get(config.KindHTTPAuthorizationMethod, "m").Values[prop] = vals
}

func (f *fixture) options() Options {
	return Options{Config: &config.Snapshot{Registry: f.reg, State: f.st, Dir: f.dir}, Secrets: f.secrets, Now: f.clock.now}
}

func (f *fixture) source(t *testing.T) Source {
	t.Helper()
	return f.sourceWith(t, f.options())
}

func (f *fixture) sourceWith(t *testing.T, o Options) Source {
	t.Helper()
	s, err := New(o, "m")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func mustToken(t *testing.T, s Source) *Token {
	t.Helper()
	tok, err := s.Token(context.Background())
	if err != nil {
		t.Fatalf("Token: %v", err)
	}
	return tok
}

// makeJWT builds an unsigned JWT with the given claims.
func makeJWT(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

// assertNoSecret fails if s holds the planted secret in any form.
func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, form := range secretForms() {
		if strings.Contains(s, form) {
			t.Errorf("%s contains the secret (as %q):\n%s", what, form, s)
		}
	}
}

func secretForms() []string {
	return []string{testSecret, url.QueryEscape(testSecret), url.PathEscape(testSecret),
		base64.StdEncoding.EncodeToString([]byte(testSecret)),
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(testClientID) + ":" + url.QueryEscape(testSecret)))}
}

func asConfigError(err error, target **ConfigError) bool {
	return errorsAs(err, target)
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }
