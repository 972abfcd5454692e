package httpauth

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// traced runs one token request of f with a trace and returns the trace
// and the error.
func traced(t *testing.T, f *fixture) (string, error) {
	t.Helper()
	var b bytes.Buffer
	o := f.options()
	o.Trace = &b
	o.NoCache = true
	_, err := f.sourceWith(t, o).Token(t.Context())
	return b.String(), err
}

func wantLines(t *testing.T, trace string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(trace, w) {
			t.Errorf("the trace lacks %q:\n%s", w, trace)
		}
	}
}

// assertHidden fails if trace holds any of the values in clear, base64
// (both alphabets, padded or not) or URL-encoded.
func assertHidden(t *testing.T, trace string, values ...string) {
	t.Helper()
	for _, v := range values {
		b := []byte(v)
		for _, form := range []string{v, url.QueryEscape(v), url.PathEscape(v), base64.StdEncoding.EncodeToString(b),
			base64.RawStdEncoding.EncodeToString(b), base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)} {
			if strings.Contains(trace, form) {
				t.Errorf("the trace holds %q (as %q):\n%s", v, form, trace)
			}
		}
	}
	assertNoSecret(t, "the trace", trace)
}

func TestTraceOverTLS(t *testing.T) {
	p := newIdP(t, true)
	f := newFixture(t, p.URL+"/token", map[string][]string{propRequestedScope: {"https://outlook.office365.com/.default"}})
	f.trust(t, p)
	trace, err := traced(t, f)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, trace,
		"* token request: POST "+p.URL+"/token\n",
		"* no proxy\n",
		"* connected to "+strings.TrimPrefix(p.URL, "https://")+" (tcp)\n",
		"* TLS handshake done: TLS 1.3, ",
		`* server certificate: subject "O=Acme Co", issuer "O=Acme Co", names example.com *.example.com 127.0.0.1 ::1, valid `,
		"> POST /token HTTP/1.1\n",
		"> Authorization: Basic app id/1:*****\n",
		"> Content-Type: application/x-www-form-urlencoded\n",
		"> (form) grant_type=client_credentials\n",
		"> (form) scope=https://outlook.office365.com/.default\n",
		"< HTTP/1.1 200 OK\n",
		"< Content-Type: application/json\n",
		fmt.Sprintf(`< (body, 82 bytes) {"access_token":"***** (5 characters, sha256 %s)","expires_in":3600,"scope":"granted","token_type":"Bearer"}`, config.Fingerprint("tok-1")))
	assertHidden(t, trace, "tok-1")
}

func TestTraceRequestBodyAndGet(t *testing.T) {
	for _, method := range []string{methodPost, methodGet} {
		t.Run(method, func(t *testing.T) {
			p := newIdP(t, false)
			f := newFixture(t, p.URL+"/token", map[string][]string{propCredentialsSubmission: {submitBody},
				propRequestMethod: {method}, propClientSecretParamName: {"key"}})
			trace, err := traced(t, f)
			if err != nil {
				t.Fatal(err)
			}
			where := "form"
			if method == methodGet {
				where = "query"
				wantLines(t, trace, "> GET /token?client_id=app id/1&grant_type=client_credentials&key=***** HTTP/1.1\n")
			}
			wantLines(t, trace, "> ("+where+") client_id=app id/1\n", "> ("+where+") key=*****\n")
			if strings.Contains(trace, "Authorization") {
				t.Errorf("request-body sends no Authorization header, but the trace shows one:\n%s", trace)
			}
			assertHidden(t, trace, "tok-1")
		})
	}
}

func TestTraceHidesTokensAndEchoedSecrets(t *testing.T) {
	refresh, id := "Rf-planted-refresh-77", makeJWT(map[string]any{"sub": "planted-id-token"})
	for name, respond := range map[string]func(http.ResponseWriter, *http.Request, int){
		"json": func(w http.ResponseWriter, _ *http.Request, n int) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Echo", testSecret)
			fmt.Fprintf(w, `{"access_token":"first-%d","access_token":"tok-%d","refresh_token":%q,"id_token":%q,"note":"echo tok-%d %s","expires_in":60}`,
				n, n, refresh, id, n, testSecret)
		},
		"form": func(w http.ResponseWriter, _ *http.Request, n int) {
			w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
			fmt.Fprintf(w, "access_token=tok-%d&refresh_token=%s&id_token=%s&token_type=bearer", n, url.QueryEscape(refresh), id)
		},
		"error page": func(w http.ResponseWriter, _ *http.Request, n int) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(500)
			fmt.Fprintf(w, "failed: access_token=tok-%d refresh_token=%s \"id_token\": \"%s\" secret %s", n, refresh, id, url.QueryEscape(testSecret))
		},
	} {
		t.Run(name, func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = respond
			f := newFixture(t, p.URL+"/token", nil)
			trace, _ := traced(t, f)
			wantLines(t, trace, "< HTTP/1.1 ", "< (body, ")
			assertHidden(t, trace, "tok-1", "first-1", refresh, id)
		})
	}
}

func TestTraceHTMLPage(t *testing.T) {
	p := newIdP(t, false)
	p.respond = respondWith(200, "text/html; charset=utf-8", "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body>"+strings.Repeat("x", 5000)+"</body></html>")
	f := newFixture(t, p.URL+"/token", nil)
	trace, err := traced(t, f)
	var te *TokenError
	if !errorsAs(err, &te) || te.Class != ClassHTML || te.Title != "Sign in to your account" {
		t.Errorf("err = %v, want an html-page error with the title", err)
	}
	wantLines(t, trace, "< Content-Type: text/html; charset=utf-8\n",
		fmt.Sprintf("< (body, 5092 bytes, the start shown, up to %d bytes) <!DOCTYPE html>", traceBodyLimit),
		`* the token endpoint answered with an HTML page, not JSON (title "Sign in to your account")`)
	for _, l := range strings.Split(trace, "\n") {
		if len(l) > traceBodyLimit+100 {
			t.Errorf("a trace line of %d bytes: the body is not cut at %d", len(l), traceBodyLimit)
		}
	}
}

// refusingProxy answers CONNECT with 407, as a proxy that wants
// credentials does.
func refusingProxy(t *testing.T) *testProxy {
	p := &testProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="corp"`)
		w.WriteHeader(http.StatusProxyAuthRequired)
	}))
	t.Cleanup(p.Close)
	return p
}

func TestTraceProxyRefusesTunnel(t *testing.T) {
	p := newIdP(t, true)
	proxy := refusingProxy(t)
	f := newFixture(t, p.URL+"/token", nil)
	f.trust(t, p)
	f.useProxy(proxy)
	trace, err := traced(t, f)
	te := checkTokenError(t, err, ClassProxy, p.URL+"/token")
	want := "the proxy " + proxy.URL + " answered HTTP 407 Proxy Authentication Required: it asks for proxy credentials, and dsconfig sends none"
	if !strings.Contains(err.Error(), want) || !strings.Contains(te.ErrorHint(), "proxy requires authentication") {
		t.Errorf("err = %v (hint %q), want %q", err, te.ErrorHint(), want)
	}
	wantLines(t, trace, "* proxy "+proxy.URL+" (a CONNECT tunnel",
		"* proxy "+proxy.URL+" answered CONNECT: HTTP/1.1 407 Proxy Authentication Required\n",
		`* Proxy-Authenticate: Basic realm="corp"`)
	if p.count() != 0 {
		t.Errorf("the endpoint saw %d requests through a refusing proxy", p.count())
	}
}

func TestTraceProxyTunnel(t *testing.T) {
	p := newIdP(t, true)
	proxy := newTestProxy(t)
	f := newFixture(t, p.URL+"/token", nil)
	f.trust(t, p)
	f.useProxy(proxy)
	trace, err := traced(t, f)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, trace, "* proxy "+proxy.URL+" (a CONNECT tunnel",
		"* connected to "+strings.TrimPrefix(proxy.URL, "http://"),
		"* proxy "+proxy.URL+" answered CONNECT: HTTP/1.1 200 Connection established\n",
		"* TLS handshake done: ", "< HTTP/1.1 200 OK\n")
}

func TestTraceTLSFailureShowsCertificate(t *testing.T) {
	p := newIdP(t, true)
	f := newFixture(t, p.URL+"/token", nil) // the system roots do not trust httptest's CA
	trace, err := traced(t, f)
	checkTokenError(t, err, ClassTLS, p.URL+"/token")
	if !strings.Contains(err.Error(), `; the server presented: subject "O=Acme Co"`) {
		t.Errorf("the TLS error does not describe the certificate: %v", err)
	}
	wantLines(t, trace, "* TLS handshake failed: ", `* server certificate: subject "O=Acme Co"`)
}

func TestAssertionShowsHeaderAndClaimsOnly(t *testing.T) {
	jwt := makeJWT(map[string]any{"iss": "app", "aud": "https://idp.example/token"})
	got := fieldText("client_assertion", jwt, nil)
	want := `***** (JWT header {"alg":"RS256","typ":"JWT"}, claims {"aud":"https://idp.example/token","iss":"app"}, signature not shown)`
	if got != want {
		t.Errorf("fieldText(client_assertion) = %q, want %q", got, want)
	}
	if got := fieldText("assertion", "not-a-jwt", nil); got != config.Mask {
		t.Errorf("fieldText(assertion, opaque) = %q, want %q", got, config.Mask)
	}
}

func TestAuthorizationText(t *testing.T) {
	for in, want := range map[string]string{
		"Basic " + basicAuth(url.QueryEscape(testClientID), url.QueryEscape(testSecret)): "Basic app id/1:*****",
		"Bearer abc.def.ghi": "Bearer *****",
		"Basic !!notbase64":  "Basic *****",
	} {
		if got := authorizationText(in); got != want {
			t.Errorf("authorizationText(%q) = %q, want %q", in, got, want)
		}
	}
}
