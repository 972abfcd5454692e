package main

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The leak search plants distinctive secrets in every passphrase provider
// type and in the smtp password, runs the whole command surface, and looks
// for each secret in every byte dsconfig wrote: stdout, stderr and every
// file in the configuration directory.

// leakSecrets are the planted values. They are distinctive enough that a
// match cannot be a coincidence.
var leakSecrets = map[string]string{
	"env":           "Lk7-envSecret-q9Zx2Wm4",
	"file":          "Lk7-fileSecret-Rt5Yp8Bv",
	"obscured":      "Lk7-obscuredSecret-Hn3Jd6Fa",
	"obscured2":     "Lk7-obscuredAgain-Pw2Qe7Kc",
	"stdin":         "Lk7-stdinSecret-Ux4Tg1Ls",
	"command":       "Lk7-commandSecret-Vb8Nm3Xo",
	"command-fail":  "Lk7-commandFailing-Ci6Od9Ey",
	"smtp-password": "Lk7-smtpPassword-Gz5Kr2Ah",
	"smtp-other":    "Lk7-smtpOther-Mf1Ws8Ij",
	"argv-error":    "Lk7-argvError-Tq3Lb7Nd",
	"argv-lower":    "lk7-argvlower-tq3lb7nd", // reads like a property name
	"bind-password": "Lk7-bindPassword-Ew4Zs9Rb",
	"file-ref":      "Lk7-fileRef-Jy6Hu2Mq",
}

// leakNeedles returns the forms in which s must not appear: clear text,
// URL-encoded (as a query or form value), hex, and base64 (standard and URL alphabets, padded or raw) at every
// alignment, so that s is also found inside a longer encoded blob such as
// a SASL response. At alignments 1 and 2 the first and last groups mix in
// neighbouring bytes, so only the groups that encode s alone are searched.
func leakNeedles(s string) map[string]string {
	out := map[string]string{"clear": s, "hex": hex.EncodeToString([]byte(s))}
	if q := url.QueryEscape(s); q != s {
		out["url"] = q
	}
	for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
		for k := 0; k < 3; k++ {
			b := enc.EncodeToString(append(make([]byte, k), s...))
			start := 0
			if k > 0 {
				start = 4
			}
			out[fmt.Sprintf("%s@%d", name, k)] = b[start : (k+len(s))/3*4]
		}
	}
	return out
}

// leakHits counts every needle of every planted secret in data.
func leakHits(where string, data []byte) []string {
	return leakHitsOf(leakSecrets, where, data)
}

// leakHitsOf counts every needle of every secret in data.
func leakHitsOf(secrets map[string]string, where string, data []byte) []string {
	var hits []string
	for id, s := range secrets {
		for form, n := range leakNeedles(s) {
			if c := bytes.Count(data, []byte(n)); c > 0 {
				hits = append(hits, fmt.Sprintf("%s: secret %q as %s, %d times", where, id, form, c))
			}
		}
	}
	return hits
}

func TestLeakSearchFindsPlantedSecrets(t *testing.T) {
	// The search must be able to fail: each form is found when present.
	s := leakSecrets["env"]
	if len(leakHitsOf(map[string]string{"url": atSecret}, "test", []byte("client_secret="+url.QueryEscape(atSecret)))) == 0 {
		t.Errorf("the search misses a URL-encoded secret")
	}
	for _, blob := range []string{
		"x " + s + " y",
		base64.StdEncoding.EncodeToString([]byte("user=a\x01auth=Bearer " + s + "\x01\x01")),
		base64.RawURLEncoding.EncodeToString([]byte("ab" + s)),
		base64.StdEncoding.EncodeToString([]byte("a" + s + "z")),
		hex.EncodeToString([]byte(s)),
	} {
		if len(leakHits("test", []byte(blob))) == 0 {
			t.Errorf("the search misses the secret in %q", blob)
		}
	}
}

// leakRun is the harness: one config dir, a fake environment, and the
// transcript of everything written.
type leakRun struct {
	t          *testing.T
	dir        string
	env        map[string]string
	outputs    bytes.Buffer // what dsconfig wrote: searched
	transcript bytes.Buffer // the same with the commands, for failures
}

// run runs dsconfig in-process with stdin and returns the exit code,
// stdout and stderr; both streams also go to the transcript.
func (l *leakRun) run(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut, StdoutTTY: true}
	code := Main(append([]string{"--config-dir", l.dir}, args...), io, func(k string) string { return l.env[k] })
	// argv holds planted secrets on purpose; only the output is searched.
	l.outputs.WriteString(out.String() + errOut.String())
	fmt.Fprintf(&l.transcript, "$ dsconfig %q\n[exit %d]\n%s%s", args, code, out.String(), errOut.String())
	return code, out.String(), errOut.String()
}

// must runs a command that has to succeed.
func (l *leakRun) must(stdin string, args ...string) string {
	l.t.Helper()
	code, out, errOut := l.run(stdin, args...)
	if code != 0 {
		l.t.Fatalf("dsconfig %q: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// fails runs a command that has to fail with code.
func (l *leakRun) fails(code int, args ...string) {
	l.t.Helper()
	got, out, errOut := l.run("", args...)
	if got != code {
		l.t.Errorf("dsconfig %q: exit %d, want %d\n%s%s", args, got, code, out, errOut)
	}
}

func writeExecutable(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
}

func TestNoSecretLeaks(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("the command provider's test program needs /bin/sh")
	}
	l := &leakRun{t: t, dir: filepath.Join(t.TempDir(), "config"), env: map[string]string{"LEAK_SECRET": leakSecrets["env"]}}
	// The secret file and programs live outside the config dir: the
	// search covers every file inside it.
	outside := t.TempDir()
	pwFile := filepath.Join(outside, "secret.txt")
	if err := os.WriteFile(pwFile, []byte(leakSecrets["file"]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeExecutable(t, filepath.Join(outside, "ok.sh"), "echo "+leakSecrets["command"])
	writeExecutable(t, filepath.Join(outside, "fail.sh"),
		fmt.Sprintf("echo %s; echo \"denied: %s\" >&2; exit 4", leakSecrets["command-fail"], leakSecrets["command-fail"]))

	leakProvision(l, pwFile, outside)
	leakShow(l)
	leakTestProviders(l)
	leakModify(l)
	leakApply(l, outside)
	leakErrors(l)
	leakEveryCommand(l)
	leakDelete(l)

	hits := leakHits("stdout/stderr", l.outputs.Bytes())
	err := filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		hits = append(hits, leakHits(p, data)...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) > 0 {
		t.Fatalf("%d leaks:\n%s\n\ntranscript:\n%s", len(hits), strings.Join(hits, "\n"), l.transcript.String())
	}
}

func leakProvision(l *leakRun, pwFile, outside string) {
	l.must("", "create-passphrase-provider", "--provider-name", "Env", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:LEAK_SECRET")
	l.must("", "create-passphrase-provider", "--provider-name", "File", "--type", "file-based",
		"--set", "enabled:true", "--set", "password-file:"+pwFile, "--set", "max-cache-duration:1 m")
	l.must("", "create-passphrase-provider", "--provider-name", "Obscured", "--type", "obscured-value",
		"--set", "enabled:true", "--set", "obscured-value:"+leakSecrets["obscured"])
	l.must(leakSecrets["stdin"]+"\n", "create-passphrase-provider", "--provider-name", "Stdin", "--type", "obscured-value",
		"--set", "enabled:true", "--set-from-file", "obscured-value:-")
	l.must("", "create-passphrase-provider", "--provider-name", "Command", "--type", "command",
		"--set", "enabled:true", "--set", "command-path:"+filepath.Join(outside, "ok.sh"), "--set", "command-argument:--field=password")
	l.must("", "create-passphrase-provider", "--provider-name", "Failing", "--type", "command",
		"--set", "enabled:true", "--set", "command-path:"+filepath.Join(outside, "fail.sh"))
	// PingDirectory's forms: a value read with PROP<PATH, and an ignored
	// --bindPassword.
	refFile := filepath.Join(outside, "ref.txt")
	if err := os.WriteFile(refFile, []byte(leakSecrets["file-ref"]+"\n"), 0o600); err != nil {
		l.t.Fatal(err)
	}
	l.must("", "create-passphrase-provider", "--hostname", "ds.example.com", "--bindPassword", leakSecrets["bind-password"],
		"--provider-name", "FileRef", "--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value<"+refFile)
	l.must("", "create-http-authorization-method", "--method-name", "Static", "--type", "static-bearer-token",
		"--set", "enabled:true", "--set", "oauth-token-passphrase-provider:Env")
	l.must("", "create-http-authorization-method", "--method-name", "Client", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:https://idp.example.com/token",
		"--set", "oauth-client-id:app", "--set", "oauth-client-secret-passphrase-provider:File")
	l.must("", "create-external-server", "--server-name", "Password", "--type", "smtp",
		"--set", "server-host-name:smtp.example.com", "--set", "user-name:alerts@example.com",
		"--set", "password:"+leakSecrets["smtp-password"])
	l.must("", "create-external-server", "--server-name", "Provider", "--type", "smtp",
		"--set", "server-host-name:smtp.example.com", "--set", "user-name:alerts@example.com",
		"--set", "passphrase-provider:Command")
	l.must("", "set-global-configuration-prop", "--set", "smtp-server:Password", "--set", "smtp-server:Provider")
}

// leakShow runs every listing and property display, in each format.
func leakShow(l *leakRun) {
	for _, format := range [][]string{nil, {"--output", "json"}, {"--script-friendly"}} {
		for _, k := range []string{"passphrase-providers", "http-authorization-methods", "external-servers", "trust-manager-providers", "key-manager-providers"} {
			l.must("", append([]string{"list-" + k}, format...)...)
		}
		l.must("", append([]string{"list-external-servers", "--property", "password", "--property", "user-name"}, format...)...)
		l.must("", append([]string{"list-passphrase-providers", "--property", "obscured-value"}, format...)...)
		for _, name := range []string{"Env", "File", "Obscured", "Stdin", "Command", "Failing"} {
			l.must("", append([]string{"get-passphrase-provider-prop", "--provider-name", name, "--advanced"}, format...)...)
		}
		for _, name := range []string{"Password", "Provider"} {
			l.must("", append([]string{"get-external-server-prop", "--server-name", name, "--advanced"}, format...)...)
		}
		l.must("", append([]string{"get-external-server-prop", "--server-name", "Password", "--property", "password"}, format...)...)
		l.must("", append([]string{"get-passphrase-provider-prop", "--provider-name", "Obscured", "--property", "obscured-value"}, format...)...)
		l.must("", append([]string{"get-http-authorization-method-prop", "--method-name", "Client"}, format...)...)
		l.must("", append([]string{"get-global-configuration-prop"}, format...)...)
		l.must("", append([]string{"list-properties", "--advanced", "--include-description"}, format...)...)
	}
	out := l.must("", "get-external-server-prop", "--server-name", "Password", "--property", "password")
	if !strings.Contains(out, "*****") {
		l.t.Errorf("get-external-server-prop does not mask the password:\n%s", out)
	}
}

// leakTestProviders resolves every provider: the secrets really flow
// through the process, so their absence from the output means something.
func leakTestProviders(l *leakRun) {
	for name, secret := range map[string]string{"Env": "env", "File": "file", "Obscured": "obscured", "Stdin": "stdin", "Command": "command"} {
		out := l.must("", "test-passphrase-provider", "--provider-name", name)
		want := config.Fingerprint(leakSecrets[secret])
		if !strings.Contains(out, want) || !strings.Contains(out, fmt.Sprint(len(leakSecrets[secret]))) {
			l.t.Errorf("test-passphrase-provider %s: %q does not show length %d and fingerprint %s", name, out, len(leakSecrets[secret]), want)
		}
		l.must("", "test-passphrase-provider", "--provider-name", name, "--output", "json")
	}
	code, _, errOut := l.run("", "test-passphrase-provider", "--provider-name", "Failing")
	if code != exitConfig || !strings.Contains(errOut, "exit code 4") || !strings.Contains(errOut, `denied: *****`) {
		l.t.Errorf("a failing command: exit %d, %q; want 3 with its exit code and redacted stderr", code, errOut)
	}
	l.fails(exitConfig, "test-passphrase-provider", "--provider-name", "Nope")
	delete(l.env, "LEAK_SECRET")
	l.fails(exitConfig, "test-passphrase-provider", "--provider-name", "Env")
	l.env["LEAK_SECRET"] = leakSecrets["env"]
}

func leakModify(l *leakRun) {
	l.must("", "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", "obscured-value:"+leakSecrets["obscured2"])
	l.must(leakSecrets["smtp-other"], "set-external-server-prop", "--server-name", "Password", "--set-from-file", "password:-")
	l.must("", "set-external-server-prop", "--server-name", "Password", "--set", "description:rotated")
}

// leakApply converges the store to its own export, without and with the
// sealed values, and feeds apply-config desired files that hold secrets,
// in clear and sealed, which it refuses.
func leakApply(l *leakRun, outside string) {
	export := l.must("", "export-config")
	desired := filepath.Join(outside, "desired.dsconfig")
	text := sealedArg.ReplaceAllString(passwordArg.ReplaceAllString(export, ""), "")
	writeLeakFile(l.t, desired, text)
	for _, args := range [][]string{{"--dry-run"}, {"--output", "json"}, {"--prune", "--detailed-exitcode"}, {"--dry-run", "--output", "json"}} {
		l.must("", append(append([]string{"apply-config"}, args...), desired)...)
	}
	l.must(text, "apply-config", "--dry-run", "--prune", "-")
	withSealed := filepath.Join(outside, "sealed.dsconfig")
	writeLeakFile(l.t, withSealed, export)
	l.fails(exitConfig, "apply-config", withSealed)
	s := leakSecrets["argv-error"]
	for i, line := range []string{
		"create-external-server --server-name Password --type smtp --set server-host-name:h --set user-name:u --set password:" + s,
		"set-external-server-prop --server-name Password --set password:" + s,
		"create-passphrase-provider --provider-name Obscured --type obscured-value --set enabled:true --set obscured-value:" + s,
		"set-passphrase-provider-prop --provider-name Obscured --set obscured-value " + s,
		"create-passphrase-provider --provider-name X --type obscured-valu --set enabled:true --set obscured-value:" + s,
		"create-passphrase-provider --provider-name X --type environment-variable " + s,
		"create-passphrase-provider --provider-name X --type environment-variable --set " + s,
	} {
		file := filepath.Join(outside, fmt.Sprintf("secret%d.dsconfig", i))
		writeLeakFile(l.t, file, line+"\n")
		if code, _, _ := l.run("", "apply-config", file); code == 0 {
			l.t.Errorf("apply-config of %q succeeded", line)
		}
	}
}

var passwordArg = regexp.MustCompile(` --set password:\S+`)

func writeLeakFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// leakErrors puts secrets on the command line of commands that fail, in
// every error path that repeats an argument.
func leakErrors(l *leakRun) {
	s := leakSecrets["argv-error"]
	srv := []string{"set-external-server-prop", "--server-name", "Password"}
	l.fails(exitUsage, append(srv, "--set", "password:"+s, "--add", "password:"+s)...)
	l.fails(exitUsage, append(srv, "--reset", "password:"+s)...)
	l.fails(exitUsage, append(srv, "--set", "passwrod:"+s)...)
	l.fails(exitUsage, append(srv, "--set", "pasword:"+s)...)
	l.fails(exitConfig, append(srv, "--remove", "password:"+s)...)
	l.fails(exitConfig, append(srv, "--add", "password:"+s)...)
	l.fails(exitConfig, append(srv, "--set", "password:"+s, "--set", "password:"+s+"2")...)
	l.fails(exitConfig, append(srv, "--set", "password:"+s+"\nline")...)
	l.fails(exitConfig, append(srv, "--set", "password:"+s, "--set", "passphrase-provider:Env")...)
	l.fails(exitUsage, append(srv, "--set", "password")...) // no terminal to prompt on
	l.fails(exitUsage, append(srv, "--set-from-file", "password:/nonexistent/value.txt")...)
	l.fails(exitConfig, "set-external-server-prop", "--server-name", "Nope", "--set", "password:"+s)
	l.fails(exitConfig, "create-external-server", "--server-name", "Password", "--type", "smtp",
		"--set", "server-host-name:h", "--set", "user-name:u", "--set", "password:"+s)
	l.fails(exitConfig, "create-external-server", "--server-name", "NoHost", "--type", "smtp", "--set", "password:"+s)
	l.fails(exitUsage, "create-external-server", "--server-name", "Proxy", "--type", "http-proxy",
		"--set", "server-host-name:h", "--set", "server-port:1", "--set", "password:"+s)
	l.fails(exitUsage, "create-passphrase-provider", "--provider-name", "E2", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:X", "--set", "obscured-value:"+s)
	l.fails(exitUsage, "create-passphrase-provider", "--provider-name", "O2", "--type", "obscured-valu",
		"--set", "enabled:true", "--set", "obscured-value:"+s)
	l.fails(exitConfig, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--reset", "obscured-value")
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", "obscured-value:"+s, "extra-arg")
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--sett", "obscured-value:"+s)
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "obscured-value:"+s)
	// Typos in the separator: the secret is all that follows the name.
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", "obscured-value="+s)
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", ":"+s)
	l.fails(exitUsage, append(srv, "--set", "password", s)...)
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", s)
	// A lower-case secret typed without its name looks like a name.
	low := leakSecrets["argv-lower"]
	for _, arg := range []string{low, low + ":", low + "=x", low + " x"} {
		l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--set", arg)
	}
	l.fails(exitUsage, "set-passphrase-provider-prop", "--provider-name", "Obscured", "--reset", low+":x")
	// Credentials in a URL: the user information is refused and masked.
	for _, u := range []string{"https://admin:" + s + "@idp.example.com/token", "https://" + s + "@idp.example.com/token", "https://admin:" + s + "%zz@idp.example.com/token"} {
		l.fails(exitConfig, "set-http-authorization-method-prop", "--method-name", "Client", "--set", "oauth-server-token-endpoint-url:"+u)
	}
}

// leakEveryCommand runs --help, and a bare invocation, of every command in
// the tree, including commands added after this test was written.
func leakEveryCommand(l *leakRun) {
	l.must("", "--help")
	f := testFactory(l.t)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			l.run("", sub.Name(), "--help")
			l.run("", sub.Name(), "--no-prompt")
			l.run("", "help", sub.Name())
			walk(sub)
		}
	}
	walk(newRootCmd(f))
}

func leakDelete(l *leakRun) {
	l.fails(exitConfig, "delete-passphrase-provider", "--provider-name", "Env")
	l.must("", "set-global-configuration-prop", "--reset", "smtp-server")
	for _, s := range []string{"Password", "Provider"} {
		l.must("", "delete-external-server", "--server-name", s)
	}
	for _, m := range []string{"Static", "Client"} {
		l.must("", "delete-http-authorization-method", "--method-name", m)
	}
	for _, p := range []string{"Env", "File", "Obscured", "Stdin", "Command", "Failing"} {
		l.must("", "delete-passphrase-provider", "--provider-name", p)
	}
	l.must("", "delete-passphrase-provider", "--provider-name", "Env", "--force")
}
