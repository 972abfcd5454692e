package httpauth

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestBasicAuthorization(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL+"/token", map[string][]string{propRequestedScope: {"https://a.example/.default", "mail"}})
	tok := mustToken(t, f.source(t))
	if tok.AccessToken != "tok-1" || tok.FromCache || tok.Scope != "granted" {
		t.Errorf("token = %+v, want a new tok-1 with scope granted", tok)
	}
	if p.count() != 1 {
		t.Fatalf("requests = %d, want 1", p.count())
	}
	r := p.last()
	if r.Method != "POST" || r.ContentType != "application/x-www-form-urlencoded" {
		t.Errorf("method %s, content type %q; want a POSTed form", r.Method, r.ContentType)
	}
	// RFC 6749 §2.3.1: id and secret are form-urlencoded inside Basic.
	if !r.HasBasic || r.User != url.QueryEscape(testClientID) || r.Pass != url.QueryEscape(testSecret) {
		t.Errorf("basic auth = %q:%q (%t), want the urlencoded id and secret", r.User, r.Pass, r.HasBasic)
	}
	if got := r.Form.Get("grant_type"); got != "client_credentials" {
		t.Errorf("grant_type == %q, want client_credentials", got)
	}
	if got := r.Form.Get("scope"); got != "https://a.example/.default mail" {
		t.Errorf("scope == %q, want the values joined with a space", got)
	}
	if r.Form.Has("client_secret") || r.Form.Has("client_id") {
		t.Errorf("body %v carries the credentials as well as the header", r.Form)
	}
}

func TestRequestBody(t *testing.T) {
	tests := []struct {
		name            string
		idName, secName string
		wantID, wantSec string
	}{
		{"default names", "", "", "client_id", "client_secret"},
		{"custom names", "appId", "appPassword", "appId", "appPassword"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newIdP(t, false)
			f := newFixture(t, p.URL+"/token", map[string][]string{propCredentialsSubmission: {submitBody}})
			if tt.idName != "" {
				f.set(propClientIDParameterName, tt.idName)
				f.set(propClientSecretParamName, tt.secName)
			}
			mustToken(t, f.source(t))
			r := p.last()
			if r.HasBasic {
				t.Error("request has an Authorization header; want the credentials in the body only")
			}
			if r.Form.Get(tt.wantID) != testClientID || r.Form.Get(tt.wantSec) != testSecret {
				t.Errorf("body = %v, want %s and %s", r.Form, tt.wantID, tt.wantSec)
			}
			if tt.wantID != "client_id" && (r.Form.Has("client_id") || r.Form.Has("client_secret")) {
				t.Errorf("body = %v also has the default parameter names", r.Form)
			}
			if p.count() != 1 {
				t.Errorf("requests = %d, want 1", p.count())
			}
		})
	}
}

func TestRequestMethodGet(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL+"/token?tenant=x", map[string][]string{propRequestMethod: {methodGet},
		propCredentialsSubmission: {submitBody}, propRequestedScope: {"s1"}})
	mustToken(t, f.source(t))
	r := p.last()
	if r.Method != "GET" || len(r.Form) != 0 || r.ContentType != "" {
		t.Errorf("method %s, body %v, content type %q; want a GET without body", r.Method, r.Form, r.ContentType)
	}
	want := url.Values{"tenant": {"x"}, "grant_type": {"client_credentials"}, "scope": {"s1"},
		"client_id": {testClientID}, "client_secret": {testSecret}}
	if r.Query.Encode() != want.Encode() {
		t.Errorf("query = %v, want %v", r.Query, want)
	}
}

func TestExpiresIn(t *testing.T) {
	for _, raw := range []string{`3599`, `"3599"`} {
		t.Run(raw, func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = tokenResponse(raw)
			f := newFixture(t, p.URL, nil)
			tok := mustToken(t, f.source(t))
			if want := f.clock.t.Add(3599 * time.Second); !tok.Expiry.Equal(want) {
				t.Errorf("expiry = %v, want %v", tok.Expiry, want)
			}
			if want := tok.Expiry.Add(-10 * time.Minute); !tok.ReuseUntil.Equal(want) {
				t.Errorf("reuse until = %v, want 10 minutes before expiry, %v", tok.ReuseUntil, want)
			}
		})
	}
}

func TestExpiryFromJWTWhenNoExpiresIn(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	exp := f.clock.t.Add(time.Hour)
	jwt := makeJWT(map[string]any{"exp": exp.Unix(), "aud": "x"})
	p.respond = respondWith(200, "application/json", `{"access_token":"`+jwt+`","token_type":"Bearer"}`)
	tok := mustToken(t, f.source(t))
	if !tok.Expiry.Equal(exp) {
		t.Errorf("expiry = %v, want the JWT exp %v", tok.Expiry, exp)
	}
}

func TestUnknownLifetime(t *testing.T) {
	p := newIdP(t, false)
	p.respond = respondWith(200, "application/json", `{"access_token":"opaque","token_type":"bearer"}`)
	f := newFixture(t, p.URL, nil)
	tok := mustToken(t, f.source(t))
	if !tok.Expiry.IsZero() || !tok.ReuseUntil.Equal(f.clock.t.Add(5*time.Minute)) {
		t.Errorf("expiry %v, reuse until %v; want none and 5 minutes", tok.Expiry, tok.ReuseUntil)
	}
}

func TestMargin(t *testing.T) {
	tests := []struct {
		lifetime, want time.Duration
	}{
		{time.Hour, 10 * time.Minute},
		{90 * time.Minute, 10 * time.Minute},
		{40 * time.Minute, 10 * time.Minute},
		{20 * time.Minute, 5 * time.Minute},
		{60 * time.Second, 15 * time.Second},
		{0, 0},
	}
	for _, tt := range tests {
		if got := margin(tt.lifetime); got != tt.want {
			t.Errorf("margin(%v) = %v, want %v", tt.lifetime, got, tt.want)
		}
	}
}

func TestShortLivedTokenIsReusedThenRenewed(t *testing.T) {
	p := newIdP(t, false)
	p.respond = tokenResponse(`60`)
	f := newFixture(t, p.URL, nil)
	s := f.source(t)
	mustToken(t, s)
	f.clock.advance(44 * time.Second)
	if tok := mustToken(t, s); tok.AccessToken != "tok-1" || !tok.FromCache {
		t.Errorf("at 44 s of 60: got %s (from cache %t), want tok-1 reused", tok.AccessToken, tok.FromCache)
	}
	f.clock.advance(2 * time.Second)
	if tok := mustToken(t, s); tok.AccessToken != "tok-2" || tok.FromCache {
		t.Errorf("at 46 s of 60: got %s, want a new tok-2", tok.AccessToken)
	}
}

func TestMaximumTokenLifetime(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, map[string][]string{propMaximumTokenLifetime: {"2 m"}})
	s := f.source(t)
	tok := mustToken(t, s)
	if want := f.clock.t.Add(2 * time.Minute); !tok.ReuseUntil.Equal(want) {
		t.Errorf("reuse until = %v, want %v", tok.ReuseUntil, want)
	}
	f.clock.advance(time.Minute)
	mustToken(t, s)
	f.clock.advance(90 * time.Second)
	mustToken(t, s)
	if p.count() != 2 {
		t.Errorf("requests = %d, want 2 (one reuse at 1 m, a new token at 2.5 m)", p.count())
	}
}

func TestMaximumTokenLifetimeOneSecond(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, map[string][]string{propMaximumTokenLifetime: {"1 s"}})
	s := f.source(t)
	other := f.source(t)
	seenTokens := map[string]bool{}
	for _, src := range []Source{s, s, other, s} {
		seenTokens[mustToken(t, src).AccessToken] = true
	}
	if p.count() != 4 || len(seenTokens) != 4 {
		t.Errorf("requests = %d, distinct tokens = %d; want 4 and 4: 1 s means a fresh token every time", p.count(), len(seenTokens))
	}
}

func TestSecretIsResolvedOnFirstUse(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	f.secrets = fakeSecrets{}
	s := f.source(t)
	_, err := s.Token(t.Context())
	var ce *ConfigError
	if !asConfigError(err, &ce) || !strings.Contains(err.Error(), `http authorization method "m": client secret: passphrase provider "secret"`) {
		t.Fatalf("err = %v, want a *ConfigError naming the method and provider", err)
	}
	if p.count() != 0 {
		t.Errorf("requests = %d, want none without a secret", p.count())
	}
}

func TestReservedParameterNames(t *testing.T) {
	for _, names := range [][2]string{{"grant_type", "client_secret"}, {"client_id", "scope"}, {"x", "x"}} {
		f := newFixture(t, "http://127.0.0.1:1/token", map[string][]string{propCredentialsSubmission: {submitBody},
			propClientIDParameterName: {names[0]}, propClientSecretParamName: {names[1]}})
		errs := f.reg.CheckObject(f.st.Get(config.KindHTTPAuthorizationMethod, "m"))
		if len(errs) != 1 || !strings.Contains(errs[0].Error(), "parameter") {
			t.Errorf("names %q: problems %v, want one about the parameter names", names, errs)
		}
	}
	// With basic authorization the names are not sent, so not checked.
	f := newFixture(t, "http://127.0.0.1:1/token", map[string][]string{propClientIDParameterName: {"scope"}})
	if errs := f.reg.CheckObject(f.st.Get(config.KindHTTPAuthorizationMethod, "m")); len(errs) != 0 {
		t.Errorf("basic authorization: problems %v", errs)
	}
}

// A negative or zero expires_in says the token is already expired: it
// serves this one attempt, with a warning, and is neither reused in
// memory nor cached.
func TestNonPositiveExpiresInIsNotReused(t *testing.T) {
	for _, v := range []string{`-30`, `0`, `"-1"`} {
		t.Run(v, func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = tokenResponse(v)
			f := newFixture(t, p.URL, nil)
			var warnings []string
			o := f.options()
			o.Warn = func(msg string) { warnings = append(warnings, msg) }
			s := f.sourceWith(t, o)
			if tok := mustToken(t, s); tok.AccessToken != "tok-1" || !tok.Expiry.Equal(f.clock.t) {
				t.Errorf("first token %s, expiry %v; want tok-1, expired when obtained", tok.AccessToken, tok.Expiry)
			}
			mustToken(t, s)
			mustToken(t, f.sourceWith(t, o))
			if p.count() != 3 {
				t.Errorf("requests = %d, want 3: such a token is never reused", p.count())
			}
			if len(warnings) != 3 || !strings.Contains(warnings[0], "not cached") || !strings.Contains(warnings[0], "expires_in") {
				t.Errorf("warnings = %q", warnings)
			}
			if data, _ := os.ReadFile(filepath.Join(f.dir, CacheFileName)); strings.Contains(string(data), `"method"`) {
				t.Error("the token was cached")
			}
		})
	}
}
