package httpauth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func staticFixture(t *testing.T, token string) *fixture {
	f := newFixture(t, "http://127.0.0.1:1/unused", nil)
	f.secrets["tok"] = token
	f.put(config.KindHTTPAuthorizationMethod, "static", TypeStaticBearerToken,
		map[string][]string{config.PropEnabled: {"true"}, propTokenProvider: {"tok"}})
	return f
}

func TestStaticToken(t *testing.T) {
	f := staticFixture(t, "")
	exp := f.clock.t.Add(time.Hour)
	f.secrets["tok"] = makeJWT(map[string]any{"iat": f.clock.t.Unix(), "exp": exp.Unix()})
	s, err := New(f.options(), "static")
	if err != nil {
		t.Fatal(err)
	}
	tok := mustToken(t, s)
	if tok.AccessToken != f.secrets["tok"] || tok.TokenType != "Bearer" || !tok.Expiry.Equal(exp) {
		t.Errorf("token = %+v, want the provider's token expiring at %v", tok, exp)
	}
	if want := exp.Add(-10 * time.Minute); !tok.ReuseUntil.Equal(want) {
		t.Errorf("reuse until %v, want %v", tok.ReuseUntil, want)
	}
	if info := s.(Describer).Describe(); info.Provider != "tok" || info.Type != TypeStaticBearerToken {
		t.Errorf("info = %+v", info)
	}
}

func TestStaticTokenRejected(t *testing.T) {
	f := staticFixture(t, "opaque-token")
	s, err := New(f.options(), "static")
	if err != nil {
		t.Fatal(err)
	}
	tok := mustToken(t, s)
	if !tok.Expiry.IsZero() || !tok.ReuseUntil.IsZero() {
		t.Errorf("opaque static token: expiry %v, reuse %v; want both unknown", tok.Expiry, tok.ReuseUntil)
	}
	if err := s.Reject(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	_, err = s.Token(t.Context())
	var te *TokenError
	if !errors.As(err, &te) || te.Class != ClassStaticReject || !strings.Contains(te.ErrorHint(), "new token") {
		t.Fatalf("after Reject: %v, want a static-rejected *TokenError", err)
	}
	if !strings.Contains(err.Error(), `method "static"`) || strings.Contains(err.Error(), "opaque-token") {
		t.Errorf("error %q: want the method named and the token absent", err)
	}
	f.secrets["tok"] = "replacement-token"
	if got := mustToken(t, s); got.AccessToken != "replacement-token" {
		t.Errorf("after replacing the token: %q", got.AccessToken)
	}
}

func TestDisabledMethod(t *testing.T) {
	f := staticFixture(t, "x")
	f.st.Get(config.KindHTTPAuthorizationMethod, "static").Values[config.PropEnabled] = []string{"false"}
	_, err := New(f.options(), "static")
	var ce *ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, config.ErrRejected) || !strings.Contains(ce.ErrorHint(), "enabled:true") {
		t.Errorf("err = %v, want a *ConfigError with a hint to enable it", err)
	}
	if _, err := New(f.options(), "nope"); !errors.Is(err, config.ErrRejected) {
		t.Errorf("missing method: %v, want a not-found error", err)
	}
}
