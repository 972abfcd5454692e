package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

// A distinctive secret that no output and no file may contain.
const atSecret = "Pl4nted-S3cret:zz&9"

// atIdP is a loopback token endpoint that counts requests and answers
// with respond, or with a fresh JWT-shaped token.
type atIdP struct {
	*httptest.Server
	n       atomic.Int32
	respond func(w http.ResponseWriter, n int32)
}

func newATIdP(t *testing.T) *atIdP {
	p := &atIdP{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := p.n.Add(1)
		if p.respond != nil {
			p.respond(w, n)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, atJWT(n))
	}))
	t.Cleanup(p.Close)
	return p
}

func atJWT(n int32) string {
	claims := fmt.Sprintf(`{"aud":"https://outlook.office365.com","roles":["IMAP.AccessAsApp"],"appid":"app-%d","tid":"tenant-1","iss":"https://sts.windows.net/tenant-1/","exp":4102444800,"nbf":1700000000}`, n)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString([]byte(claims)) + ".c2ln"
}

// atEnv is a configuration directory with an environment-variable
// provider "secret" and a client-credentials method "m".
type atEnv struct {
	dir string
	env map[string]string
}

func newATEnv(t *testing.T, endpoint string, extra ...string) *atEnv {
	e := &atEnv{dir: t.TempDir(), env: map[string]string{"SMTP_CLIENT_SECRET": atSecret}}
	e.mustRun(t, "create-passphrase-provider", "--provider-name", "secret", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:SMTP_CLIENT_SECRET")
	args := []string{"create-http-authorization-method", "--method-name", "m", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:" + endpoint, "--set", "oauth-client-id:app-1",
		"--set", "oauth-client-secret-passphrase-provider:secret"}
	e.mustRun(t, append(args, extra...)...)
	return e
}

func (e *atEnv) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	code = Main(append([]string{"--config-dir", e.dir}, args...), io, func(k string) string { return e.env[k] })
	return code, out.String(), errOut.String()
}

func (e *atEnv) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := e.run(args...)
	if code != 0 {
		t.Fatalf("dsconfig %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

func TestGetAccessTokenReusesCache(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token", "--set", "requested-scope:https://outlook.office365.com/.default")
	first := e.mustRun(t, "get-access-token", "--method-name", "m")
	second := e.mustRun(t, "get-access-token", "--method-name", "m")
	if p.n.Load() != 1 {
		t.Errorf("token requests = %d, want 1", p.n.Load())
	}
	for _, want := range []string{"Token Source              : new, from the token endpoint", "Token Type                : Bearer",
		"Access Token              : ***** (", "signature is NOT verified", "aud   : https://outlook.office365.com",
		"roles : IMAP.AccessAsApp", "tid   : tenant-1", "exp   : 2100-01-01T00:00:00Z", "Reuse Until"} {
		if !strings.Contains(first, want) {
			t.Errorf("first output lacks %q:\n%s", want, first)
		}
	}
	if !strings.Contains(second, "Token Source              : cache") {
		t.Errorf("second output does not say cache:\n%s", second)
	}
	if strings.Contains(first+second, atJWT(1)) {
		t.Error("the token is printed without --show-token")
	}
	assertNoATSecret(t, e, first+second)
}

func TestGetAccessTokenJSONAndWarnings(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token")
	code, out, errOut := e.run("get-access-token", "--method-name", "m", "--output", "json", "--show-token", "--no-token-cache")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r struct {
		Source   string         `json:"source"`
		Token    string         `json:"access-token"`
		Claims   map[string]any `json:"claims-unverified"`
		Warnings []string       `json:"warnings"`
		Sum      string         `json:"access-token-sha256"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	// One fingerprint for secrets and tokens: 8 hex digits.
	if want := config.Fingerprint(atJWT(1)); r.Sum != want || len(want) != 8 {
		t.Errorf("access-token-sha256 = %q, want %q", r.Sum, want)
	}
	if r.Token != atJWT(1) || r.Claims["appid"] != "app-1" || !strings.HasPrefix(r.Source, "new") {
		t.Errorf("report = %+v", r)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "SMTP.SendAsApp") ||
		!strings.Contains(errOut, "dsconfig: warning: the token is for Exchange Online but has no SMTP.SendAsApp role") {
		t.Errorf("warnings = %q, stderr = %q; want the missing SMTP.SendAsApp role", r.Warnings, errOut)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "token-cache.json")); err == nil {
		t.Error("--no-token-cache wrote the cache")
	}
}

func TestGetAccessTokenErrors(t *testing.T) {
	p := newATIdP(t)
	p.respond = func(w http.ResponseWriter, _ int32) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215],"trace_id":"tr-9"}`)
	}
	e := newATEnv(t, p.URL+"/token")
	code, out, errOut := e.run("get-access-token", "--method-name", "m")
	if code != exitToken {
		t.Errorf("exit %d, want %d", code, exitToken)
	}
	wantErr := fmt.Sprintf(`dsconfig: error: oauth2: token request to %s/token for client id "app-1" failed: the server answered HTTP 401 Unauthorized with error "invalid_client": AADSTS7000215: Invalid client secret provided. (trace id tr-9)`, p.URL)
	if !strings.Contains(errOut, wantErr+"\n") || !strings.Contains(errOut, "dsconfig: hint: the client secret is wrong; a common mistake is to use the secret's ID") {
		t.Errorf("stderr:\n%s\nwant:\n%s", errOut, wantErr)
	}
	assertNoATSecret(t, e, out+errOut)

	delete(e.env, "SMTP_CLIENT_SECRET")
	code, _, errOut = e.run("get-access-token", "--method-name", "m")
	if code != exitConfig || !strings.Contains(errOut, `http authorization method "m": client secret: passphrase provider "secret"`) {
		t.Errorf("without the secret: exit %d, stderr %q; want %d", code, errOut, exitConfig)
	}
	if code, _, _ := e.run("get-access-token"); code != exitUsage {
		t.Errorf("without --method-name: exit %d, want %d", code, exitUsage)
	}
	if code, _, errOut := e.run("get-access-token", "--method-name", "nope"); code != exitConfig || !strings.Contains(errOut, `"nope" does not exist`) {
		t.Errorf("unknown method: exit %d, %q", code, errOut)
	}
}

func TestGetAccessTokenClearCache(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token")
	e.mustRun(t, "get-access-token", "--method-name", "m")
	code, out, errOut := e.run("get-access-token", "--clear-cache")
	if code != 0 || out != "" || errOut != "dsconfig: removed 1 cached token(s)\n" {
		t.Errorf("--clear-cache: exit %d, %q, %q", code, out, errOut)
	}
	e.mustRun(t, "get-access-token", "--method-name", "m")
	// A misspelt method name is refused before anything is cleared.
	code, _, errOut = e.run("get-access-token", "--method-name", "nope", "--clear-cache")
	if code != exitConfig || !strings.Contains(errOut, `"nope" does not exist`) || strings.Contains(errOut, "removed") {
		t.Errorf("--clear-cache with an unknown method: exit %d (want %d), stderr %q", code, exitConfig, errOut)
	}
	out = e.mustRun(t, "get-access-token", "--method-name", "m")
	if !strings.Contains(out, "Token Source              : cache") {
		t.Errorf("the cached token is gone after a refused --clear-cache:\n%s", out)
	}
	out = e.mustRun(t, "get-access-token", "--method-name", "m", "--clear-cache")
	if p.n.Load() != 3 || !strings.Contains(out, "new, from the token endpoint") {
		t.Errorf("requests = %d, want 3 (each clear forces a new token)\n%s", p.n.Load(), out)
	}
}

// TestGetAccessTokenAcrossProcesses runs the real binary twice: the
// second process must reuse the first one's token.
func TestGetAccessTokenAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "dsconfig")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token")
	runBin := func(args ...string) (int, string) {
		cmd := exec.Command(bin, append([]string{"--config-dir", e.dir}, args...)...)
		cmd.Env = []string{"SMTP_CLIENT_SECRET=" + atSecret, "HOME=" + e.dir, "PATH=" + os.Getenv("PATH")}
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, string(out)
	}
	var all strings.Builder
	for i, want := range []string{"new, from the token endpoint", "cache"} {
		code, out := runBin("get-access-token", "--method-name", "m")
		all.WriteString(out)
		if code != 0 || !strings.Contains(out, "Token Source              : "+want) {
			t.Errorf("run %d: exit %d, want source %q:\n%s", i+1, code, want, out)
		}
	}
	if p.n.Load() != 1 {
		t.Errorf("token requests = %d, want 1 for two processes", p.n.Load())
	}
	code, out := runBin("get-access-token", "--method-name", "m", "--no-token-cache")
	all.WriteString(out)
	if code != 0 || p.n.Load() != 2 {
		t.Errorf("--no-token-cache: exit %d, requests %d; want a new request", code, p.n.Load())
	}
	assertNoATSecret(t, e, all.String())
}

// assertNoATSecret searches output and every file in the configuration
// directory for the planted secret, raw, URL-encoded or in base64.
func assertNoATSecret(t *testing.T, e *atEnv, output string) {
	t.Helper()
	forms := []string{atSecret, url.QueryEscape(atSecret), base64.StdEncoding.EncodeToString([]byte(atSecret)),
		base64.StdEncoding.EncodeToString([]byte("app-1:" + url.QueryEscape(atSecret))),
		base64.RawURLEncoding.EncodeToString([]byte(atSecret))}
	texts := map[string]string{"output": output}
	filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			texts[path] = string(data)
			if fi, _ := d.Info(); fi.Mode().Perm()&0o077 != 0 && strings.HasPrefix(d.Name(), "token-cache") {
				t.Errorf("%s has mode %v, want 0600", path, fi.Mode().Perm())
			}
		}
		return nil
	})
	for where, s := range texts {
		for _, f := range forms {
			if strings.Contains(s, f) {
				t.Errorf("%s contains the secret as %q", where, f)
			}
		}
	}
}

func TestGetAccessTokenStatic(t *testing.T) {
	e := &atEnv{dir: t.TempDir(), env: map[string]string{"STATIC_TOKEN": "eyJhbGciOiJub25lIn0." +
		base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"api://x","exp":1600000000}`)) + ".c2ln"}}
	e.mustRun(t, "create-passphrase-provider", "--provider-name", "tok", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:STATIC_TOKEN")
	e.mustRun(t, "create-http-authorization-method", "--method-name", "s", "--type", "static-bearer-token",
		"--set", "enabled:true", "--set", "oauth-token-passphrase-provider:tok")
	code, out, errOut := e.run("get-access-token", "--method-name", "s")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `Token Source              : static, from passphrase provider "tok"`) ||
		!strings.Contains(out, "Expires At                : 2020-09-13T12:26:40Z (") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(errOut, "dsconfig: warning: the token expired at 2020-09-13T12:26:40Z") {
		t.Errorf("stderr %q: want the expired warning", errOut)
	}
	if strings.Contains(out+errOut, e.env["STATIC_TOKEN"]) {
		t.Error("the static token is printed without --show-token")
	}
}

// A token cache that cannot be opened is bypassed with a warning; -Q
// silences the warning, not the token.
func TestGetAccessTokenUnusableCache(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token")
	if err := os.Mkdir(filepath.Join(e.dir, "token-cache.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := e.run("get-access-token", "--method-name", "m")
	if code != 0 || out == "" || !strings.Contains(errOut, "dsconfig: warning: token cache ") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	code, _, errOut = e.run("-Q", "get-access-token", "--method-name", "m")
	if code != 0 || strings.Contains(errOut, "token cache") {
		t.Errorf("with -Q: exit %d, stderr %q", code, errOut)
	}
}

// An https token endpoint behind a blind-trust trust manager is flagged.
func TestGetAccessTokenFlagsBlindTrust(t *testing.T) {
	p := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, atJWT(1))
	}))
	p.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake of the first run
	p.StartTLS()
	defer p.Close()
	e := newATEnv(t, p.URL+"/token")
	if code, _, errOut := e.run("get-access-token", "--method-name", "m"); code != exitToken || strings.Contains(errOut, "NOT verified") {
		t.Errorf("with the system roots: exit %d (want %d, the test CA is not trusted), stderr %q", code, exitToken, errOut)
	}
	e.mustRun(t, "create-trust-manager-provider", "--provider-name", "Blind", "--type", "blind-trust", "--set", "enabled:true")
	e.mustRun(t, "set-http-authorization-method-prop", "--method-name", "m", "--set", "trust-manager-provider:Blind")
	code, out, errOut := e.run("get-access-token", "--method-name", "m", "--output", "json")
	want := `the token endpoint's certificate is NOT verified: trust-manager-provider "Blind" is blind-trust`
	if code != 0 || !strings.Contains(errOut, "dsconfig: warning: "+want) {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var r report.Token
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Warnings) == 0 || !strings.HasPrefix(r.Warnings[0], want) {
		t.Errorf("JSON warnings = %q", r.Warnings)
	}
}

// The warnings about the method's settings do not wait for a token: when
// the request fails they are printed too, since they may explain it.
func TestGetAccessTokenConfigWarningsOnFailure(t *testing.T) {
	// The Microsoft endpoint is reached only through a loopback proxy
	// that refuses to connect anywhere.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no", http.StatusForbidden)
	}))
	defer proxy.Close()
	host, port, _ := net.SplitHostPort(proxy.Listener.Addr().String())
	e := newATEnv(t, "https://login.microsoftonline.com/common/oauth2/v2.0/token",
		"--set", "requested-scope:https://outlook.office365.com/SMTP.Send")
	e.mustRun(t, "create-external-server", "--server-name", "proxy", "--type", "http-proxy",
		"--set", "server-host-name:"+host, "--set", "server-port:"+port)
	e.mustRun(t, "set-http-authorization-method-prop", "--method-name", "m", "--set", "http-proxy-external-server:proxy")
	code, out, errOut := e.run("get-access-token", "--method-name", "m")
	if code != exitToken {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitToken, out, errOut)
	}
	for _, want := range []string{`dsconfig: warning: the requested scope "https://outlook.office365.com/SMTP.Send" does not end in /.default`,
		`dsconfig: warning: the token endpoint uses the "common" tenant`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Index(errOut, "dsconfig: warning:") > strings.Index(errOut, "dsconfig: error:") {
		t.Errorf("the warnings should come before the error:\n%s", errOut)
	}
}

// --script-friendly prints name<TAB>value lines, claims included, without
// alignment or headings.
func TestGetAccessTokenScriptFriendly(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token")
	out := e.mustRun(t, "--script-friendly", "get-access-token", "--method-name", "m", "--show-token")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for _, l := range lines {
		if strings.Count(l, "\t") != 1 || strings.Contains(l, " : ") || strings.HasPrefix(l, "\t") {
			t.Errorf("line %q is not name<TAB>value", l)
		}
	}
	for _, want := range []string{"HTTP Authorization Method\tm", "Token Source\tnew, from the token endpoint",
		"Access Token\t" + atJWT(1), "appid\tapp-1", "tid\ttenant-1"} {
		if !slices.Contains(lines, want) {
			t.Errorf("output lacks the line %q:\n%s", want, out)
		}
	}
}

func TestGetAccessTokenVerbose(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token", "--set", "requested-scope:https://outlook.office365.com/.default")
	out := e.mustRun(t, "get-access-token", "--method-name", "m", "--verbose")
	for _, want := range []string{"* token request: POST " + p.URL + "/token\n", "* no proxy\n",
		"> POST /token HTTP/1.1\n", "> Authorization: Basic app-1:*****\n",
		"> (form) grant_type=client_credentials\n", "> (form) scope=https://outlook.office365.com/.default\n",
		"< HTTP/1.1 200 OK\n", `< (body, `, `{"access_token":"***** (`, "Token Source              : new, from the token endpoint"} {
		if !strings.Contains(out, want) {
			t.Errorf("get-access-token --verbose lacks %q:\n%s", want, out)
		}
	}
	if i, j := strings.Index(out, "< HTTP/1.1"), strings.Index(out, "HTTP Authorization Method"); i < 0 || j < i {
		t.Errorf("the trace should come before the report:\n%s", out)
	}
	// From the cache, there is no request to trace, and the trace says so.
	out = e.mustRun(t, "get-access-token", "--method-name", "m", "--verbose")
	if !strings.Contains(out, "* the token came from the cache: no request was made") || strings.Contains(out, "> POST") {
		t.Errorf("a cached token's trace:\n%s", out)
	}
	// Beside JSON the trace goes to standard error.
	code, stdout, stderr := e.run("get-access-token", "--method-name", "m", "--verbose", "--no-token-cache", "--output", "json")
	if code != 0 || !json.Valid([]byte(stdout)) || !strings.Contains(stderr, "< HTTP/1.1 200 OK") {
		t.Errorf("--output json --verbose: exit %d, stdout must be JSON and stderr the trace\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	all := out + stdout + stderr
	secrets := map[string]string{"secret": atSecret, "token 1": atJWT(1), "token 2": atJWT(2)}
	if hits := leakHitsOf(secrets, "trace", []byte(all)); len(hits) > 0 {
		t.Errorf("the trace leaks:\n%s\n%s", strings.Join(hits, "\n"), all)
	}
}

func TestGetAccessTokenVerboseHTMLPage(t *testing.T) {
	p := newATIdP(t)
	p.respond = func(w http.ResponseWriter, _ int32) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><head><title>Sign in to your account</title></head><body>form</body></html>")
	}
	e := newATEnv(t, p.URL+"/token")
	code, out, errOut := e.run("get-access-token", "--method-name", "m", "--verbose")
	if code != exitToken {
		t.Errorf("exit %d, want %d", code, exitToken)
	}
	want := `the token endpoint answered with an HTML page, not JSON (HTTP 200 OK, title "Sign in to your account")`
	if !strings.Contains(errOut, want) || !strings.Contains(out, `* the token endpoint answered with an HTML page, not JSON (title "Sign in to your account")`) {
		t.Errorf("want %q in the error and the trace\nstdout:\n%s\nstderr:\n%s", want, out, errOut)
	}
}

// A lifetime under a minute earns get-access-token's one-line warning,
// as it does send-test-mail's.
func TestGetAccessTokenWarnsShortLifetime(t *testing.T) {
	p := newATIdP(t)
	e := newATEnv(t, p.URL+"/token", "--set", "maximum-token-lifetime:1 s")
	code, _, errOut := e.run("get-access-token", "--method-name", "m")
	want := `dsconfig: warning: http authorization method "m": maximum-token-lifetime: 1 s is under a minute: testing only; remove in production [short-token-lifetime]`
	if code != 0 || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stderr %q: want the warning %q", code, errOut, want)
	}
	if _, _, errOut := e.run("get-access-token", "--method-name", "m", "--quiet"); errOut != "" {
		t.Errorf("--quiet: stderr %q", errOut)
	}
}
