package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// TestNoSecretLeaksLive is TestNoSecretLeaks for the commands that handle
// live credentials: the sandbox's client secret is the planted file
// secret, its SMTP password the planted smtp password, and every token it
// issues joins the needles. get-access-token (with and without the
// --verbose trace of the token request), send-test-mail --verbose (succeeding,
// retrying, failing at AUTH and at the token endpoint), a batch on
// standard input, export-config, config-diff and the archive commands
// run, and none of the secrets may appear in their output or in any file
// of the configuration directory, compressed archives included.
func TestNoSecretLeaksLive(t *testing.T) {
	sb, err := sandbox.Start(sandbox.Options{Dir: t.TempDir(), RequireTLS: true, JWT: true,
		ClientSecret: leakSecrets["file"], Users: map[string]string{"alerts@example.com": leakSecrets["smtp-password"]}})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	l := &leakRun{t: t, dir: filepath.Join(t.TempDir(), "config"), env: map[string]string{"LIVE_TOKEN": sb.Issue(time.Hour)}}
	outside := t.TempDir()
	pwFile := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(pwFile, []byte(leakSecrets["file"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	liveProvision(l, sb, pwFile)
	snapshot := filepath.Join(outside, "before.yaml")
	copyFile(t, filepath.Join(l.dir, config.StoreFileName), snapshot)

	liveTokens(l)
	liveCheck(l)
	liveSend(l, sb)
	liveSendMail(l, sb)
	liveStoreCommands(l, snapshot)

	if n := len(sb.Issued()); n < 5 {
		t.Fatalf("the sandbox issued %d tokens: the commands did not really fetch and use tokens\n%s", n, l.transcript.String())
	}
	if n := len(sb.Messages()); n != 7 {
		t.Errorf("the sandbox received %d messages, want 7\n%s", n, l.transcript.String())
	}
	liveSearch(t, l, sb)
}

// liveProvision: a client-credentials method whose secret comes from the
// file-based provider, a static method, the sandbox CA as a file-based
// trust manager, and four SMTP servers on the sandbox.
func liveProvision(l *leakRun, sb *sandbox.Sandbox, pwFile string) {
	host, port, _ := net.SplitHostPort(sb.SMTPAddr)
	l.must("", "create-passphrase-provider", "--provider-name", "File", "--type", "file-based",
		"--set", "enabled:true", "--set", "password-file:"+pwFile)
	l.must("", "create-passphrase-provider", "--provider-name", "Env", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:LIVE_TOKEN")
	l.must("", "create-http-authorization-method", "--method-name", "Client", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:"+sb.TokenURL(),
		"--set", "oauth-client-id:"+sb.ClientID(), "--set", "oauth-client-secret-passphrase-provider:File")
	l.must("", "create-http-authorization-method", "--method-name", "Static", "--type", "static-bearer-token",
		"--set", "enabled:true", "--set", "oauth-token-passphrase-provider:Env")
	l.must("", "create-trust-manager-provider", "--provider-name", "Sandbox CA", "--type", "file-based",
		"--set", "enabled:true", "--set", "trust-store-file:"+sb.CAFile)
	server := func(name string, auth ...string) {
		args := []string{"create-external-server", "--server-name", name, "--type", "smtp",
			"--set", "server-host-name:" + host, "--set", "server-port:" + port, "--set", "smtp-security:starttls",
			"--set", "user-name:alerts@example.com", "--set", "trust-manager-provider:Sandbox CA"}
		l.must("", append(args, auth...)...)
	}
	server("OAuth", "--set", "token-acquisition-method:Client")
	server("Static", "--set", "token-acquisition-method:Static")
	server("Password", "--set", "password:"+leakSecrets["smtp-password"])
	server("Wrong Password", "--set", "password:"+leakSecrets["smtp-other"])
	l.must("", "set-global-configuration-prop", "--set", "smtp-server:OAuth")
}

// liveTokens fetches tokens in every output format, without --show-token,
// and traces the token requests (--verbose) beside text and JSON.
func liveTokens(l *leakRun) {
	for _, format := range [][]string{nil, {"--script-friendly"}, {"--output", "json"}, {"--no-token-cache"},
		{"--no-token-cache", "--verbose"}, {"--no-token-cache", "--verbose", "--output", "json"}} {
		l.must("", append([]string{"get-access-token", "--method-name", "Client"}, format...)...)
	}
	if out := l.must("", "get-access-token", "--method-name", "Client", "--no-token-cache", "--verbose"); !strings.Contains(out, "> Authorization: Basic ") ||
		!strings.Contains(out, "< HTTP/1.1 200 OK") || !strings.Contains(out, `"access_token":"***** (`) {
		l.t.Errorf("get-access-token --verbose shows no trace of the exchange:\n%s", out)
	}
	l.must("", "get-access-token", "--method-name", "Static")
}

// liveCheck runs check-config --online, which gets tokens and
// authenticates with every server, in both formats.
func liveCheck(l *leakRun) {
	for _, args := range [][]string{{"--online"}, {"--online", "--output", "json"}, {"--online", "--server-name", "Static"},
		{"--online", "--server-name", "Password", "--strict"}} {
		code, out, errOut := l.run("", append([]string{"check-config"}, args...)...)
		if code != 0 || !strings.Contains(out, "accepted") {
			l.t.Errorf("check-config %q: exit %d, want 0 and an accepted AUTH\n%s%s", args, code, out, errOut)
		}
	}
}

// liveSend sends five messages and fails three times, each run verbose.
func liveSend(l *leakRun, sb *sandbox.Sandbox) {
	send := func(server string, extra ...string) (int, string) {
		code, out, errOut := l.run("", append([]string{"send-test-mail", "--to", "ops@example.com", "--server-name", server, "--verbose"}, extra...)...)
		return code, out + errOut
	}
	json := []string{"--output", "json"}
	mustSend := func(server string, extra ...string) {
		l.t.Helper()
		if code, out := send(server, extra...); code != 0 {
			l.t.Fatalf("send-test-mail via %s %q: exit %d\n%s", server, extra, code, out)
		}
	}
	mustSend("OAuth")
	mustSend("OAuth", append(json, "--mechanism", "xoauth2")...)
	// The cached token is revoked: rejected, discarded, retried.
	sb.RevokeAll()
	if code, out := send("OAuth"); code != 0 || !strings.Contains(out, "the token was rejected") {
		l.t.Errorf("a revoked cached token: exit %d, want 0 after a retry\n%s", code, out)
	}
	mustSend("Password")
	mustSend("Password", json...)
	// Failing at AUTH: a revoked static token and a wrong password.
	sb.RevokeAll()
	for _, extra := range [][]string{nil, json} {
		if code, out := send("Static", extra...); code != exitAuth {
			l.t.Errorf("a revoked static token %q: exit %d, want %d\n%s", extra, code, exitAuth, out)
		}
		if code, out := send("Wrong Password", extra...); code != exitAuth {
			l.t.Errorf("a wrong password %q: exit %d, want %d\n%s", extra, code, exitAuth, out)
		}
	}
	// Rejected, and the token endpoint fails the retry: the rejection
	// is what is reported (mailer.Send), so the exit code is 6.
	sb.FailTokenRequests(503)
	if code, out := send("OAuth", "--mechanism", "xoauth2"); code != exitAuth || !strings.Contains(out, "HTTP 503") {
		l.t.Errorf("a rejected token and a failing token endpoint: exit %d, want %d\n%s", code, exitAuth, out)
	}
	sb.FailTokenRequests(0)
}

// liveSendMail runs send-mail, verbose, delivering (token, password),
// refused (revoked static token, wrong password), and queued (the same
// credentials on a closed port), then the queue commands; the queue
// stays, for liveSearch to read its files.
func liveSendMail(l *leakRun, sb *sandbox.Sandbox) {
	msg := "From: alerts@example.com\nTo: ops@example.com\nBcc: audit@example.com\nSubject: leak check\n\nbody\n"
	sendMail := func(want int, args ...string) {
		l.t.Helper()
		if code, out, errOut := l.run(msg, append([]string{"send-mail", "-v"}, args...)...); code != want {
			l.t.Errorf("send-mail %q: exit %d, want %d\n%s%s", args, code, want, out, errOut)
		}
	}
	sendMail(0, "-t", "--server-name", "OAuth")
	sendMail(0, "--server-name", "Password", "ops@example.com")
	sb.RevokeAll()
	sendMail(77, "-t", "--server-name", "Static", "--queue")
	sendMail(77, "-t", "--server-name", "Wrong Password", "--queue")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		l.t.Fatal(err)
	}
	closed := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	ln.Close()
	for name, auth := range map[string]string{"OAuth": "token-acquisition-method:Client", "Password": "password:" + leakSecrets["smtp-password"]} {
		l.must("", "create-external-server", "--server-name", name+" Down", "--type", "smtp", "--set", "server-host-name:127.0.0.1",
			"--set", "server-port:"+closed, "--set", "smtp-security:starttls", "--set", "user-name:alerts@example.com",
			"--set", "trust-manager-provider:Sandbox CA", "--set", "smtp-timeout:2 s", "--set", auth)
	}
	sendMail(0, "-t", "--server-name", "OAuth Down", "--queue")
	sendMail(0, "-t", "--server-name", "Password Down", "--queue")
	sendMail(75, "-t", "--server-name", "Password Down")
	l.must("", "list-queued-mail")
	if code, out, errOut := l.run("", "send-queued-mail", "-v"); code != 75 {
		l.t.Errorf("send-queued-mail with the servers down: exit %d, want 75\n%s%s", code, out, errOut)
	}
}

// liveStoreCommands runs the commands that copy the store: export,
// diff, a batch on standard input, and the archive.
func liveStoreCommands(l *leakRun, snapshot string) {
	batch := "set-external-server-prop --server-name \"Wrong Password\" --set password:" + leakSecrets["smtp-other"] + "2\n" +
		"set-external-server-prop --server-name Password --set password:" + leakSecrets["smtp-password"] + "\n" +
		"set-http-authorization-method-prop --method-name Client --set description:rotated\n"
	l.must(batch, "-F", "-", "--dry-run")
	l.must(batch, "-F", "-")
	for _, extra := range [][]string{nil, {"-O", filepath.Join(filepath.Dir(l.dir), "export.dsconfig")}} {
		l.must("", append([]string{"export-config"}, extra...)...)
		l.must("", append([]string{"config-diff", "--source-store", snapshot}, extra...)...)
	}
	l.must("", "config-diff", "--source-store", l.dir, "--target-store", snapshot)
	l.must("", "list-config-archive")
	// The last archive is the store before the batch.
	lines := strings.Split(strings.TrimSpace(l.must("", "list-config-archive", "--script-friendly")), "\n")
	last := strings.Fields(lines[len(lines)-1])
	if len(last) == 0 {
		l.t.Fatal("list-config-archive lists nothing")
	}
	l.must("", "restore-config-archive", "--archive", last[0])
	l.must("", "list-config-archive", "--script-friendly")
	// A last token after the restore: the cache is written again.
	l.must("", "get-access-token", "--method-name", "Client")
}

// liveSearch looks for the planted secrets and every issued token in the
// output and in every file of the config directory and beside it,
// decompressing .gz.
func liveSearch(t *testing.T, l *leakRun, sb *sandbox.Sandbox) {
	secrets := map[string]string{"client-secret": leakSecrets["file"], "smtp-password": leakSecrets["smtp-password"],
		"smtp-other": leakSecrets["smtp-other"]}
	for i, tok := range sb.Issued() {
		secrets[fmt.Sprintf("token %d", i+1)] = tok
	}
	hits := leakHitsOf(secrets, "stdout/stderr", l.outputs.Bytes())
	seen := map[string]bool{}
	// The config dir's parent: it also holds export-config's output, which
	// may not be written into the config dir.
	err := filepath.WalkDir(filepath.Dir(l.dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := readMaybeGzip(p)
		seen[filepath.Base(p)] = true
		seen[filepath.Base(filepath.Dir(p))] = true
		hits = append(hits, leakHitsOf(secrets, p, data)...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The search must have covered the files where a leak would land.
	for _, f := range []string{httpauth.CacheFileName, history.AuditLogName, history.ArchiveDirName, "export.dsconfig",
		"envelope.json", "message"} {
		if !seen[f] {
			t.Errorf("the config dir has no %s: the search did not cover it", f)
		}
	}
	if len(hits) > 0 {
		t.Fatalf("%d leaks:\n%s\n\ntranscript:\n%s", len(hits), strings.Join(hits, "\n"), l.transcript.String())
	}
}

// readMaybeGzip reads a file, decompressed when its name ends in .gz.
func readMaybeGzip(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil || !strings.HasSuffix(path, ".gz") {
		return data, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return io.ReadAll(zr)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
