package httpauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func msError(status int, code string, aadsts int, desc string) func(http.ResponseWriter, *http.Request, int) {
	body := fmt.Sprintf(`{"error":%q,"error_description":"AADSTS%d: %s Trace ID: t-1 Correlation ID: c-1 Timestamp: 2026-03-01 12:00:00Z","error_codes":[%d],"timestamp":"2026-03-01 12:00:00Z","trace_id":"t-1","correlation_id":"c-1"}`,
		code, aadsts, desc, aadsts)
	return respondWith(status, "application/json; charset=utf-8", body)
}

func TestTokenErrors(t *testing.T) {
	tests := []struct {
		name     string
		respond  func(http.ResponseWriter, *http.Request, int)
		class    ErrorClass
		wantErr  []string
		wantHint string
	}{
		{"invalid secret", msError(401, "invalid_client", 7000215, "Invalid client secret provided."),
			ClassOAuth, []string{`HTTP 401 Unauthorized with error "invalid_client"`, "AADSTS7000215", "trace id t-1", "correlation id c-1"}, "ID instead of its Value"},
		{"expired secret", msError(401, "invalid_client", 7000222, "The provided client secret keys are expired."),
			ClassOAuth, []string{"AADSTS7000222"}, "expired"},
		{"app not in tenant", msError(400, "unauthorized_client", 700016, "Application with identifier 'x' was not found in the directory 'y'."),
			ClassOAuth, []string{"AADSTS700016"}, "not found in this tenant"},
		{"invalid scope", msError(400, "invalid_scope", 70011, "The provided value for the input parameter 'scope' is not valid."),
			ClassOAuth, []string{"invalid_scope", "AADSTS70011"}, "/.default"},
		{"tenant not found", msError(400, "invalid_request", 90002, "Tenant 'nope' not found."),
			ClassOAuth, []string{"AADSTS90002"}, "tenant"},
		{"code only from error_codes", respondWith(400, "application/json", `{"error":"invalid_request","error_codes":[7000218]}`),
			ClassOAuth, []string{`error "invalid_request"`}, "passphrase provider"},
		{"rfc 6749 code", respondWith(400, "application/json", `{"error":"unsupported_grant_type","error_description":"grant type not supported"}`),
			ClassOAuth, []string{`"unsupported_grant_type": grant type not supported`}, "does not support client credentials"},
		{"unknown code", respondWith(400, "application/json", `{"error":"weird_thing"}`),
			ClassOAuth, []string{`"weird_thing"`}, "documentation"},
		{"error in a 200", respondWith(200, "application/json", `{"error":"invalid_client"}`),
			ClassOAuth, []string{"HTTP 200 OK", "invalid_client"}, "oauth-client-id"},
		{"http error with html", respondWith(502, "text/html", "<html><body>\n<h1>Bad   Gateway</h1></body></html>"),
			ClassHTML, []string{"the token endpoint answered with an HTML page, not JSON (HTTP 502 Bad Gateway, no <title>)"}, "try again later"},
		{"html page without a content type", respondWith(404, "", "\n <!doctype HTML><head><TITLE>\n Page  &amp; not found</title>"),
			ClassHTML, []string{`an HTML page, not JSON (HTTP 404 Not Found, title "Page & not found")`}, "oauth2/v2.0/token"},
		{"407 from a plain-http proxy", respondWith(407, "text/html", "<html><title>Access denied</title></html>"),
			ClassProxy, []string{"a proxy answered HTTP 407 Proxy Authentication Required: it asks for proxy credentials, and dsconfig sends none"}, "proxy requires authentication"},
		{"not found", respondWith(404, "text/plain", "no such page"),
			ClassHTTP, []string{"HTTP 404 Not Found", "no such page"}, "oauth2/v2.0/token"},
		{"method not allowed", respondWith(405, "text/plain", ""),
			ClassHTTP, []string{"HTTP 405 Method Not Allowed with an empty body"}, "request-method"},
		{"redirect", func(w http.ResponseWriter, r *http.Request, _ int) {
			http.Redirect(w, r, "https://login.example.com/elsewhere", http.StatusFound)
		}, ClassHTTP, []string{"HTTP 302 Found, redirecting to https://login.example.com/elsewhere"}, "final URL"},
		{"html page with 200", respondWith(200, "text/html", "<!DOCTYPE html><title>Sign in</title>"),
			ClassHTML, []string{`the token endpoint answered with an HTML page, not JSON (HTTP 200 OK, title "Sign in")`}, "login page"},
		{"json without access_token", respondWith(200, "application/json", `{"token_type":"Bearer","expires_in":3600}`),
			ClassNoToken, []string{"without an access_token", "expires_in, token_type"}, "token endpoint"},
		{"form without access_token", respondWith(200, "application/x-www-form-urlencoded", `token_type=bearer`),
			ClassNoToken, []string{"without an access_token", "token_type"}, "token endpoint"},
		{"bad expires_in", respondWith(200, "application/json", `{"access_token":"x","expires_in":"soon"}`),
			ClassBadResponse, []string{"with an access_token, but the response could not be read", "fields in the response: access_token, expires_in"}, "expires_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = tt.respond
			f := newFixture(t, p.URL+"/token", nil)
			_, err := f.source(t).Token(t.Context())
			te := checkTokenError(t, err, tt.class, p.URL+"/token")
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(te.ErrorHint(), tt.wantHint) {
				t.Errorf("hint %q does not contain %q", te.ErrorHint(), tt.wantHint)
			}
			if p.count() != 1 {
				t.Errorf("requests = %d, want exactly 1 per attempt", p.count())
			}
		})
	}
}

// checkTokenError checks what every token error must have: its class,
// the endpoint and client id, and no secret.
func checkTokenError(t *testing.T, err error, class ErrorClass, endpoint string) *TokenError {
	t.Helper()
	var te *TokenError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v (%T), want a *TokenError", err, err)
	}
	if te.Class != class {
		t.Errorf("class = %s, want %s (error: %v)", te.Class, class, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "oauth2: token request to "+endpoint) || !strings.Contains(msg, fmt.Sprintf("client id %q", testClientID)) {
		t.Errorf("error %q does not say what was attempted", msg)
	}
	if te.ErrorHint() == "" {
		t.Errorf("no hint for %v", err)
	}
	assertNoSecret(t, "error", msg+"\n"+te.ErrorHint())
	return te
}

func TestSecretEchoedByServerIsRedacted(t *testing.T) {
	for _, get := range []bool{false, true} {
		t.Run(fmt.Sprintf("get=%t", get), func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = func(w http.ResponseWriter, r *http.Request, _ int) {
				b, _ := io.ReadAll(r.Body)
				w.WriteHeader(400)
				fmt.Fprintf(w, `{"error":"invalid_request","error_description":"bad request %s body %s auth %s"}`,
					r.URL.RawQuery, b, r.Header.Get("Authorization"))
			}
			f := newFixture(t, p.URL+"/token", nil)
			if get {
				f.set(propRequestMethod, methodGet)
				f.set(propCredentialsSubmission, submitBody)
			}
			_, err := f.source(t).Token(t.Context())
			te := checkTokenError(t, err, ClassOAuth, p.URL+"/token")
			if !strings.Contains(te.Description, "*****") {
				t.Errorf("description %q: want the echoed secret masked", te.Description)
			}
		})
	}
}

func TestNetworkErrors(t *testing.T) {
	slow := newIdP(t, false)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	slow.respond = func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String() + "/token"
	closed.Close()
	tests := []struct {
		name     string
		url      string
		props    map[string][]string
		class    ErrorClass
		wantErr  string
		wantHint string
	}{
		{"timeout", slow.URL + "/token", map[string][]string{propResponseTimeout: {"200 ms"}}, ClassTimeout, "no answer within 200 ms", "response-timeout"},
		{"timeout with get", slow.URL + "/token", map[string][]string{propResponseTimeout: {"200 ms"}, propRequestMethod: {methodGet}, propCredentialsSubmission: {submitBody}}, ClassTimeout, "no answer within", "response-timeout"},
		{"connection refused", closedURL, nil, ClassConnect, "connection refused", "firewalls"},
		{"unknown host", "https://no-such-host.invalid/token", map[string][]string{propResponseTimeout: {"5 s"}}, ClassDNS, "no-such-host.invalid", "DNS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.url, tt.props)
			_, err := f.source(t).Token(t.Context())
			te := checkTokenError(t, err, tt.class, tt.url)
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(te.ErrorHint(), tt.wantHint) {
				t.Errorf("error %q / hint %q: want %q / %q", err, te.ErrorHint(), tt.wantErr, tt.wantHint)
			}
		})
	}
}

func TestInterruptedIsCanceled(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := f.source(t).Token(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want it to match context.Canceled", err)
	}
}

func TestTimeoutKeepsDeadlineExceeded(t *testing.T) {
	p := newIdP(t, false)
	p.respond = func(w http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() }
	f := newFixture(t, p.URL, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err := f.source(t).Token(ctx)
	var te *TokenError
	if !errors.As(err, &te) || te.Class != ClassTimeout {
		t.Errorf("err = %v, want a timeout", err)
	}
}

// A token in a 200 response that cannot be parsed must not reach the
// error text or hint, whatever is wrong with the rest of the body.
func TestUnreadableTokenResponseHidesToken(t *testing.T) {
	const token = "eyJTOKENshouldNEVERshow.9f8e7d6c5b4a"
	bodies := map[string]string{
		"expires_in word":  `{"access_token":"` + token + `","expires_in":"soon"}`,
		"expires_in float": `{"access_token":"` + token + `","expires_in":3600.5}`,
		"truncated json":   `{"token_type":"Bearer","access_token":"` + token,
		"refresh and id":   `{"access_token": 5, "refresh_token":"` + token + `","id_token":"` + token + `"`,
		"html page":        `<html><p>access_token=` + token + `</p></html>`,
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			p := newIdP(t, false)
			ct := "application/json"
			if strings.HasPrefix(body, "<html>") {
				ct = "text/html"
			}
			p.respond = respondWith(200, ct, body)
			f := newFixture(t, p.URL+"/token", nil)
			_, err := f.source(t).Token(t.Context())
			var te *TokenError
			if !errors.As(err, &te) {
				t.Fatalf("err = %v, want a TokenError", err)
			}
			for _, s := range []string{err.Error(), te.ErrorHint(), te.Snippet} {
				if strings.Contains(s, token) || strings.Contains(s, token[:20]) {
					t.Errorf("the token shows in %q", s)
				}
			}
		})
	}
}

func TestMaskTokens(t *testing.T) {
	for in, want := range map[string]string{
		`{"access_token":"abc","x":1}`:    `{"access_token":"*****","x":1}`,
		`{"ID_TOKEN" : "abc`:              `{"ID_TOKEN" : "*****`,
		`a=1&refresh_token=abc&b=2`:       `a=1&refresh_token=*****&b=2`,
		`{"token_type":"bearer"}`:         `{"token_type":"bearer"}`,
		`access_token=abc def`:            `access_token=***** def`,
		`{"access_token":"","expires":1}`: `{"access_token":"*****","expires":1}`,
	} {
		if got := maskTokens(in); got != want {
			t.Errorf("maskTokens(%s) = %s, want %s", in, got, want)
		}
	}
}

// A secret shorter than four characters is still masked where it stands
// alone in what the server sent back.
func TestShortSecretIsMasked(t *testing.T) {
	p := newIdP(t, false)
	p.respond = respondWith(401, "application/json", `{"error":"invalid_client","error_description":"client secret 'a1' is wrong"}`)
	f := newFixture(t, p.URL+"/token", nil)
	f.secrets = fakeSecrets{"secret": "a1"}
	_, err := f.source(t).Token(t.Context())
	if err == nil || strings.Contains(err.Error(), "'a1'") || !strings.Contains(err.Error(), "'*****'") {
		t.Errorf("err = %v, want the secret masked", err)
	}
}
