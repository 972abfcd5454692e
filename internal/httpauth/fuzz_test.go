package httpauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// cannedTransport answers every request with one response, without a
// network, so that a fuzz target runs thousands of token requests a
// second through the real client code.
type cannedTransport struct {
	status int
	header http.Header
	body   []byte
}

func (c *cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Status: fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)), Header: c.header.Clone(),
		Body: io.NopCloser(bytes.NewReader(c.body)), ContentLength: int64(len(c.body)), Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
}

// fuzzSource makes token requests against canned responses, through
// one fixture built once per fuzz worker.
type fuzzSource struct{ f *fixture }

func newFuzzSource(tb testing.TB) *fuzzSource {
	return &fuzzSource{newFixture(tb, "http://127.0.0.1:1/token", nil)}
}

// token runs one token request against a canned response.
func (fs *fuzzSource) token(status int, contentType string, body []byte) (*Token, error) {
	o := fs.f.options()
	o.NoCache = true
	o.Warn = func(string) {}
	o.WrapTransport = func(http.RoundTripper) http.RoundTripper {
		return &cannedTransport{status: status, header: http.Header{"Content-Type": {contentType}}, body: body}
	}
	src, err := New(o, "m")
	if err != nil {
		return nil, err
	}
	return src.Token(context.Background())
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\n' {
			continue
		}
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return false
		}
	}
	return true
}

// FuzzTokenResponse feeds arbitrary token endpoint responses to the
// client. Properties: an error is a *TokenError whose text and hint are
// printable, hold no form of the client secret, and do not quote an
// access_token of the body; a token is the body's access_token.
func FuzzTokenResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"access_token":"abc","token_type":"Bearer","expires_in":3600}`))
	f.Add(200, "application/json", []byte(`{"access_token":"abcdefghijklmnop","expires_in":"x"}`))
	f.Add(400, "application/json", []byte(`{"error":"invalid_client","error_description":"AADSTS7000215: bad \u001b[2J"}`))
	f.Add(200, "text/plain", []byte(`access_token=abcdefghijklmnop&token_type=bearer`))
	f.Add(200, "text/html", []byte(`<html><title>Sign in</title></html>`))
	f.Add(500, "text/plain", []byte(testSecret))
	f.Add(200, "application/json", []byte(`["abcdefghijklmnop"]`))
	fs := newFuzzSource(f)
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		if status < 200 || status > 599 || len(body) > 64<<10 {
			t.Skip()
		}
		tok, err := fs.token(status, contentType, body)
		// Decoded as x/oauth2 does: into a struct, whose field names
		// match case-insensitively.
		var m *struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.Unmarshal(body, &m)
		var access string
		if m != nil {
			access = m.AccessToken
		}
		if err == nil {
			if status >= 300 || tok.AccessToken == "" {
				t.Fatalf("HTTP %d gave token %q", status, tok.AccessToken)
			}
			if m != nil && access != tok.AccessToken {
				t.Fatalf("token %q, body's access_token %q", tok.AccessToken, access)
			}
			return
		}
		var te *TokenError
		if !errors.As(err, &te) {
			var ce *ConfigError
			if errors.As(err, &ce) {
				t.Skip() // the fixture, not the response
			}
			t.Fatalf("error %T %v, want a *TokenError", err, err)
		}
		text := err.Error() + "\n" + te.ErrorHint()
		if !printable(text) {
			t.Fatalf("error text is not printable: %q", text)
		}
		for _, form := range secretForms() {
			if strings.Contains(text, form) {
				t.Fatalf("error text holds the secret as %q: %q", form, text)
			}
		}
		if len(access) >= 16 && strings.Contains(te.Snippet, access) {
			t.Fatalf("the snippet quotes the access token %q: %q", access, te.Snippet)
		}
	})
}

// FuzzTokenResponseRoundTrip marshals a token response and parses it
// back: the fields come back as they were sent.
func FuzzTokenResponseRoundTrip(f *testing.F) {
	f.Add("eyJhbGciOiJub25lIn0.e30.c2ln", "Bearer", int64(3600), "https://outlook.office365.com/.default")
	f.Add("opaque", "", int64(0), "")
	f.Add("x", "mac", int64(-5), "a b")
	fs := newFuzzSource(f)
	f.Fuzz(func(t *testing.T, access, tokenType string, expiresIn int64, scope string) {
		if access == "" || !utf8.ValidString(access) || !utf8.ValidString(tokenType) || !utf8.ValidString(scope) {
			t.Skip()
		}
		resp := map[string]any{"access_token": access, "expires_in": expiresIn, "scope": scope}
		if tokenType != "" {
			resp["token_type"] = tokenType
		}
		body, err := json.Marshal(resp)
		if err != nil {
			t.Skip()
		}
		tok, err := fs.token(200, "application/json", body)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		wantType := tokenType
		if wantType == "" {
			wantType = "Bearer"
		}
		if tok.AccessToken != access || tok.TokenType != wantType || tok.Scope != scope {
			t.Fatalf("%s gave %+v", body, tok)
		}
		switch {
		case expiresIn <= 0 && !tok.Expiry.Equal(tok.ObtainedAt):
			t.Fatalf("expires_in %d: expiry %v, want obtained at %v", expiresIn, tok.Expiry, tok.ObtainedAt)
		case expiresIn > 0 && expiresIn <= 1<<31-1 && !tok.Expiry.Equal(tok.ObtainedAt.Add(time.Duration(expiresIn)*time.Second)):
			t.Fatalf("expires_in %d: expiry %v", expiresIn, tok.Expiry)
		}
	})
}

// FuzzClaimDisplay decodes arbitrary JWT payloads and displays their
// claims. Properties: every displayed value is printable text without
// line breaks; a value made of plain printable characters is shown as
// it is; the token itself never appears in the display.
func FuzzClaimDisplay(f *testing.F) {
	f.Add([]byte(`{"aud":"https://outlook.office365.com","roles":["SMTP.SendAsApp"],"exp":1900000000}`))
	f.Add([]byte(`{"iss":"\u001b]0;pwned\u0007","scp":"a\u202eb","tid":"x\\y"}`))
	f.Add([]byte(`{"aud":["a","b",3],"appid":"\xff\xfe"}`))
	f.Add([]byte(`{"azp":"line\nbreak","exp":"soon"}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		token := "eyJhbGciOiJub25lIn0." + base64.RawURLEncoding.EncodeToString(payload) + ".c2ln"
		c, err := DecodeJWT(token)
		if err != nil {
			return
		}
		raw := map[string]string{"scp": c.Scope, "appid": c.AppID, "azp": c.AuthorizedParty, "tid": c.TenantID, "iss": c.Issuer,
			"aud": strings.Join(c.Audience, " "), "roles": strings.Join(c.Roles, " ")}
		var all strings.Builder
		for _, row := range c.TextRows() {
			name, v := row[0], row[1]
			all.WriteString(v + "\n")
			if !printable(v) || strings.ContainsAny(v, "\r\n") {
				t.Fatalf("claim %s displays as %q, not one printable line", name, v)
			}
			if plain(raw[name]) && v != raw[name] {
				t.Fatalf("claim %s: %q displays as %q", name, raw[name], v)
			}
		}
		if strings.Contains(all.String(), token) {
			t.Fatalf("the display holds the token")
		}
	})
}

// plain reports whether s has only graphic characters and spaces and no
// backslash, which DisplayText leaves as they are.
func plain(s string) bool {
	for _, r := range s {
		if r == '\\' || r == utf8.RuneError || r != ' ' && !unicode.IsGraphic(r) || unicode.In(r, unicode.Zl, unicode.Zp) {
			return false
		}
	}
	return utf8.ValidString(s)
}
