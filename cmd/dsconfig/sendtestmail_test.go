package main

import (
	"bytes"
	"encoding/json"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/report"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// mailEnv is a config directory and an in-process sandbox.
type mailEnv struct {
	t   *testing.T
	dir string
	sb  *sandbox.Sandbox
	env map[string]string
}

func newMailEnv(t *testing.T, opts sandbox.Options) *mailEnv {
	opts.Dir = t.TempDir()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	e := &mailEnv{t: t, dir: t.TempDir(), sb: sb, env: map[string]string{}}
	e.env["SMTP_BEARER_TOKEN"] = sb.Issue(time.Hour)
	return e
}

func (e *mailEnv) run(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
	getenv := func(k string) string { return e.env[k] }
	code = Main(append([]string{"--config-dir", e.dir}, args...), ios, getenv)
	return code, out.String(), errOut.String()
}

func (e *mailEnv) must(args ...string) {
	e.t.Helper()
	if code, out, errOut := e.run(args...); code != 0 {
		e.t.Fatalf("dsconfig %v: exit %d\n%s%s", args, code, out, errOut)
	}
}

// provision creates a static-token method and an SMTP server "Sandbox" on
// the sandbox with STARTTLS and the sandbox CA, listed globally.
func (e *mailEnv) provision() {
	host, port, _ := net.SplitHostPort(e.sb.SMTPAddr)
	e.must("create-passphrase-provider", "--provider-name", "Token", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:SMTP_BEARER_TOKEN")
	e.must("create-http-authorization-method", "--method-name", "Bearer", "--type", "static-bearer-token",
		"--set", "enabled:true", "--set", "oauth-token-passphrase-provider:Token")
	e.must("create-trust-manager-provider", "--provider-name", "Sandbox CA", "--type", "file-based",
		"--set", "enabled:true", "--set", "trust-store-file:"+e.sb.CAFile)
	e.must("create-external-server", "--server-name", "Sandbox", "--type", "smtp",
		"--set", "server-host-name:"+host, "--set", "server-port:"+port, "--set", "smtp-security:starttls",
		"--set", "user-name:alerts@example.com", "--set", "token-acquisition-method:Bearer",
		"--set", "trust-manager-provider:Sandbox CA")
	e.must("set-global-configuration-prop", "--set", "smtp-server:Sandbox")
}

func TestSendTestMail(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--verbose")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ok    config", "ok    token", "ok    connect", "ok    tls         ", "TLS 1.3",
		"AUTH mechanisms: XOAUTH2 OAUTHBEARER", "ok    auth", "ok    mail", "ok    rcpt", "ok    data",
		"ok    result", "queued as SBX000001", "C: AUTH OAUTHBEARER", "C: STARTTLS"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if tok := e.env["SMTP_BEARER_TOKEN"]; strings.Contains(out+errOut, tok) || strings.Contains(out+errOut, tok[:20]) {
		t.Errorf("the token appears in the output:\n%s", out)
	}
	if len(e.sb.Messages()) != 1 {
		t.Errorf("%d messages", len(e.sb.Messages()))
	}
	// The method is a static token: one warning line says so.
	if want := "dsconfig: warning: http authorization method \"Bearer\" is a static bearer token: for testing and troubleshooting only [static-token]\n"; !strings.Contains(errOut, want) {
		t.Errorf("stderr %q lacks %q", errOut, want)
	}
}

func TestSendTestMailJSON(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provision()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--output", "json", "--mechanism", "xoauth2", "--verbose")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	var doc report.Mail
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var steps []string
	for _, s := range doc.Steps {
		steps = append(steps, s.Step+":"+s.Status)
	}
	want := "config:ok token:ok connect:ok tls:ok ehlo:ok auth:ok mail:ok rcpt:ok data:ok"
	if strings.Join(steps, " ") != want || doc.Result == nil || !strings.Contains(doc.Result.Reply, "queued as") || doc.Error != nil {
		t.Errorf("steps %v, result %+v, error %+v", steps, doc.Result, doc.Error)
	}
	if !strings.Contains(errOut, "C: AUTH XOAUTH2 *****") || strings.Contains(errOut, e.env["SMTP_BEARER_TOKEN"]) {
		t.Errorf("transcript on stderr:\n%s", errOut)
	}
}

func TestSendTestMailExitCodes(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cases := []struct {
		name  string
		setup func(e *mailEnv)
		args  []string
		code  int
		want  string
	}{
		{"no recipient", nil, nil, exitUsage, "--to is required"},
		{"bad mechanism", nil, []string{"--to", "a@b", "--mechanism", "plain"}, exitUsage, "xoauth2 or oauthbearer"},
		{"unknown server", nil, []string{"--to", "a@b", "--server-name", "Nope"}, exitConfig, `"Nope" does not exist`},
		{"secret missing", func(e *mailEnv) { delete(e.env, "SMTP_BEARER_TOKEN") }, []string{"--to", "a@b"}, exitConfig, "SMTP_BEARER_TOKEN is not set"},
		{"plaintext", func(e *mailEnv) {
			e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-host-name:smtp.example.com", "--set", "smtp-security:none")
		}, []string{"--to", "a@b"}, exitConfig, "over a connection without TLS"},
		{"refused", func(e *mailEnv) {
			e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-port:"+itoa(dead))
		}, []string{"--to", "a@b"}, exitConnect, "nothing listens"},
		{"expired token", func(e *mailEnv) { e.env["SMTP_BEARER_TOKEN"] = e.sb.Issue(-time.Minute) }, []string{"--to", "a@b", "--mechanism", "xoauth2"}, exitAuth, "SMTP.SendAsApp"},
		{"recipient refused", nil, []string{"--to", "nobody@invalid"}, exitMessage, "550 5.1.1"},
		{"recipient with a comment", nil, []string{"--to", "a(b@example.com"}, exitUsage, `invalid --to address "a(b@example.com"`},
		{"recipient cut at a line break", nil, []string{"--to", "ops@example.com\r\nRCPT TO:<x@example.com>"}, exitUsage, "control character"},
		{"recipient with a tab", nil, []string{"--to", "ops\t@example.com"}, exitUsage, "control character"},
		{"recipient with a vertical tab", nil, []string{"--to", "ops@example.com\v"}, exitUsage, "control character"},
		{"recipient with a quoted comma", nil, []string{"--to", `"a,b"@example.com`}, exitUsage, "not a bare address"},
		{"recipient not ASCII", nil, []string{"--to", "jörg@example.com"}, exitUsage, "SMTPUTF8"},
		{"sender not ASCII", nil, []string{"--to", "a@b", "--from", "jörg@example.com"}, exitUsage, "SMTPUTF8"},
		{"recipient without a domain", nil, []string{"--to", "nobody"}, exitUsage, `invalid --to address "nobody"`},
		{"sender without a domain", nil, []string{"--to", "a@b", "--from", "x"}, exitUsage, `invalid --from address "x"`},
		{"sender ending in @", nil, []string{"--to", "a@b", "--from", "x@"}, exitUsage, `invalid --from address "x@"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newMailEnv(t, sandbox.Options{})
			e.provision()
			if c.setup != nil {
				c.setup(e)
			}
			code, out, errOut := e.run(append([]string{"send-test-mail"}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d (want %d), stderr lacks %q?\n%s%s", code, c.code, c.want, out, errOut)
			}
			if c.name == "expired token" && len(e.sb.AuthAttempts()) != 1 {
				t.Errorf("a static token was tried %d times", len(e.sb.AuthAttempts()))
			}
		})
	}
}

func TestSendTestMailFailoverAndQuitAfter(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provision()
	e.must("create-external-server", "--server-name", "Dead", "--type", "smtp", "--set", "server-host-name:127.0.0.1",
		"--set", "server-port:1", "--set", "smtp-security:starttls", "--set", "smtp-timeout:2 s")
	e.must("set-global-configuration-prop", "--set", "smtp-server:Dead", "--set", "smtp-server:Sandbox")
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "auth")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{`[Dead] server 1 of 2`, `FAIL  connect`, `trying the next server, "Sandbox"`, `[Sandbox] server 2 of 2`, `stopped after auth`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if len(e.sb.Messages()) != 0 || len(e.sb.AuthAttempts()) != 1 {
		t.Errorf("messages %d, auth %d", len(e.sb.Messages()), len(e.sb.AuthAttempts()))
	}
}

func TestSendTestMailPassword(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{Users: map[string]string{"alerts@example.com": "pw-secret-1"}, Mechanisms: []string{"PLAIN"}})
	e.env["SMTP_PASSWORD"] = "pw-secret-1"
	host, port, _ := net.SplitHostPort(e.sb.SMTPAddr)
	e.must("create-passphrase-provider", "--provider-name", "Password", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:SMTP_PASSWORD")
	e.must("create-external-server", "--server-name", "Local", "--type", "smtp", "--set", "server-host-name:"+host,
		"--set", "server-port:"+port, "--set", "user-name:alerts@example.com", "--set", "passphrase-provider:Password")
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--server-name", "Local", "--verbose")
	if code != 0 || !strings.Contains(out, "PLAIN as alerts@example.com accepted") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, "pw-secret-1") || strings.Contains(out, "cHctc2VjcmV0LTE") {
		t.Errorf("the password appears:\n%s", out)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestSendTestMailJSONFailure(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provision()
	e.env["SMTP_BEARER_TOKEN"] = e.sb.Issue(-time.Minute)
	code, out, _ := e.run("send-test-mail", "--to", "ops@example.com", "--output", "json", "--mechanism", "xoauth2")
	var doc report.Mail
	if err := json.Unmarshal([]byte(out), &doc); err != nil || code != exitAuth {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if doc.Result != nil || doc.Error == nil || doc.Error.Stage != "auth" || doc.Error.Reply != "535 5.7.3 Authentication unsuccessful" || !strings.Contains(doc.Error.Hint, "SMTP.SendAsApp") {
		t.Errorf("result %+v, error %+v", doc.Result, doc.Error)
	}
}

// Batch files hold configuration commands only: a line that would send
// mail (or fetch tokens, or run a provider's command) is refused before
// any line runs, in a dry run as in a real one, and nothing is sent.
func TestBatchRefusesNonConfigCommands(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	before := readStore(t, e.dir)
	for _, line := range []string{"send-test-mail --to ops@example.com", "--quiet send-test-mail --to ops@example.com",
		"get-access-token --method-name Bearer --clear-cache", "test-passphrase-provider --provider-name Token",
		"export-config", "config-diff", "list-config-archive", "restore-config-archive", "completion bash", "help",
		"__complete set-"} {
		for _, dry := range []bool{false, true} {
			batch := filepath.Join(t.TempDir(), "b.dsconfig")
			writeFile(t, batch, "set-external-server-prop --server-name Sandbox --set server-port:1\n\n"+line+"\n")
			args := []string{"--batch-file", batch}
			if dry {
				args = append(args, "--dry-run")
			}
			code, out, errOut := e.run(args...)
			name := strings.Fields(strings.TrimPrefix(line, "--quiet "))[0]
			if name == "completion" {
				name = "completion bash"
			}
			want := "dsconfig: error: " + batch + ":3: " + name + " cannot be used in a batch file\n"
			if code != exitUsage || !strings.HasPrefix(errOut, want) || out != "" {
				t.Errorf("%q (dry run %v): exit %d\nstdout: %s\nstderr: %s\nwant exit %d, stderr %q", line, dry, code, out, errOut, exitUsage, want)
			}
		}
	}
	if n := len(e.sb.Messages()); n != 0 {
		t.Errorf("the sandbox received %d messages from batches", n)
	}
	if !bytes.Equal(readStore(t, e.dir), before) {
		t.Errorf("a refused batch changed the store")
	}
	// Read-only lines stay allowed.
	batch := filepath.Join(t.TempDir(), "ok.dsconfig")
	writeFile(t, batch, "list-external-servers --script-friendly\nget-external-server-prop --server-name Sandbox --property server-port\nlist-properties --type smtp\n")
	if code, out, errOut := e.run("--batch-file", batch, "--dry-run"); code != 0 {
		t.Errorf("read-only batch: exit %d\n%s%s", code, out, errOut)
	}
}

// A blind-trust trust manager is flagged: the TLS step says the
// certificate was not verified and a warning is printed; a verified
// connection says neither.
func TestSendTestMailFlagsBlindTrust(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	_, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "tls")
	if strings.Contains(out+errOut, "NOT verified") {
		t.Errorf("a verified connection is flagged:\n%s%s", out, errOut)
	}
	e.must("create-trust-manager-provider", "--provider-name", "Blind", "--type", "blind-trust", "--set", "enabled:true")
	e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "trust-manager-provider:Blind")
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "tls")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "ok    tls ") || !strings.Contains(out, ", certificate NOT verified (blind-trust)\n") {
		t.Errorf("the TLS step does not say the certificate was not verified:\n%s", out)
	}
	if !strings.Contains(errOut, `dsconfig: warning: the certificate of SMTP server "Sandbox" is NOT verified: trust-manager-provider "Blind" is blind-trust`) {
		t.Errorf("no warning on stderr:\n%s", errOut)
	}
	_, out, _ = e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "tls", "--output", "json")
	var doc report.Mail
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if n := len(doc.Steps); n == 0 || !strings.HasSuffix(doc.Steps[n-1].Detail, "certificate NOT verified (blind-trust)") {
		t.Errorf("JSON TLS step does not flag blind-trust: %+v", doc.Steps)
	}
}

// provisionClient adds a client-credentials method "Client" on the
// sandbox's token endpoint and points the "Sandbox" server at it.
func (e *mailEnv) provisionClient(extra ...string) {
	e.env["SMTP_CLIENT_SECRET"] = e.sb.ClientSecret()
	e.must("create-passphrase-provider", "--provider-name", "Client Secret", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:SMTP_CLIENT_SECRET")
	e.must(append([]string{"create-http-authorization-method", "--method-name", "Client", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:" + e.sb.TokenURL(),
		"--set", "oauth-client-id:" + e.sb.ClientID(), "--set", "oauth-client-secret-passphrase-provider:Client Secret"}, extra...)...)
	e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "token-acquisition-method:Client")
}

// Renewal through the real token path: get-access-token fills the shared
// cache, the sandbox revokes the cached token, and send-test-mail takes
// it from the cache, is refused, discards it and retries once with a new
// one: two token requests in all, one message.
func TestSendTestMailRenewsRejectedCachedToken(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	e.provisionClient()
	e.must("get-access-token", "--method-name", "Client")
	if n := e.sb.TokenRequests(); n != 1 {
		t.Fatalf("get-access-token made %d token requests", n)
	}
	e.sb.RevokeAll()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	// The steps in order: the cached token, its rejection, the retry,
	// a new token, the message.
	rest := out
	// The duration column is right-aligned: "ok    token " matches any.
	for _, want := range []string{"ok    token ", "cached token", "FAIL  auth", "535 5.7.8",
		"the token was rejected; discarding it and retrying once with a new token on a new connection",
		"ok    token ", "new token", "ok    auth", "ok    result"} {
		i := strings.Index(rest, want)
		if i < 0 {
			t.Fatalf("output lacks %q (in this order):\n%s", want, out)
		}
		rest = rest[i+len(want):]
	}
	if n := strings.Count(out, "the token was rejected"); n != 1 {
		t.Errorf("%d retries reported, want 1:\n%s", n, out)
	}
	if n, m := e.sb.TokenRequests(), len(e.sb.Messages()); n != 2 || m != 1 {
		t.Errorf("the sandbox saw %d token requests and %d messages, want 2 and 1", n, m)
	}
	if a := e.sb.AuthAttempts(); len(a) != 2 || a[0].OK || !a[1].OK {
		t.Errorf("AUTH attempts %+v, want a refused one then an accepted one", a)
	}
}

// maximum-token-lifetime:1 s means a token is never reused: each run asks
// for a new one. Without it the cached token serves all three runs.
func TestSendTestMailMaximumTokenLifetime(t *testing.T) {
	for _, c := range []struct {
		extra []string
		want  int
	}{{nil, 1}, {[]string{"--set", "maximum-token-lifetime:1 s"}, 3}} {
		e := newMailEnv(t, sandbox.Options{})
		e.provision()
		e.provisionClient(c.extra...)
		for i := 0; i < 3; i++ {
			e.must("send-test-mail", "--to", "ops@example.com")
		}
		if n, m := e.sb.TokenRequests(), len(e.sb.Messages()); n != c.want || m != 3 {
			t.Errorf("%q: 3 sends made %d token requests and %d messages, want %d and 3", c.extra, n, m, c.want)
		}
	}
}
