package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// dsResult is what one in-process dsconfig run produced.
type dsResult struct {
	Out, Err string
	Code     int
}

// testFactory returns a factory with empty streams, an empty environment
// and the real clock.
func testFactory(t testing.TB) *factory {
	t.Helper()
	f, err := newFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}},
		func(string) string { return "" }, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// dsRunEnv runs dsconfig in-process with the configuration directory dir,
// stdin and extra environment variables.
func dsRunEnv(t testing.TB, dir, stdin string, env map[string]string, args ...string) dsResult {
	t.Helper()
	return dsRunClock(t, dir, stdin, env, time.Now, args...)
}

// dsMustAt runs dsconfig as dsMust does, with a clock stopped at now.
func dsMustAt(t testing.TB, dir string, now time.Time, args ...string) dsResult {
	t.Helper()
	r := dsRunClock(t, dir, "", nil, func() time.Time { return now }, args...)
	if r.Code != 0 {
		t.Fatalf("dsconfig %s: exit %d\nstderr: %s", strings.Join(args, " "), r.Code, r.Err)
	}
	return r
}

func dsRunClock(t testing.TB, dir, stdin string, env map[string]string, now func() time.Time, args ...string) dsResult {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	getenv := func(k string) string {
		if k == "DSCONFIG_CONFIG_DIR" {
			return dir
		}
		return env[k]
	}
	f, err := newFactory(io, getenv, now)
	if err != nil {
		t.Fatal(err)
	}
	code := run(f, args)
	return dsResult{out.String(), errOut.String(), code}
}

func dsRun(t testing.TB, dir string, args ...string) dsResult {
	t.Helper()
	return dsRunEnv(t, dir, "", nil, args...)
}

// dsMust runs dsconfig and fails the test unless it succeeds.
func dsMust(t testing.TB, dir string, args ...string) dsResult {
	t.Helper()
	r := dsRun(t, dir, args...)
	if r.Code != 0 {
		t.Fatalf("dsconfig %s: exit %d\nstderr: %s", strings.Join(args, " "), r.Code, r.Err)
	}
	return r
}

// readStore returns the store file's bytes, or nil when there is none.
func readStore(t testing.TB, dir string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return data
}

func writeFile(t testing.TB, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyKey gives dir the encryption key of from, so that sealed values
// written for from open in dir.
func copyKey(t testing.TB, from, dir string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(from, "encryption-key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "encryption-key"), string(data))
}

// provisioned returns a new configuration directory holding the
// PingDirectory example chain: provisionBatch followed by the batch lines
// in extra, run as one batch file. It also returns the batch's result.
func provisioned(t testing.TB, extra string) (string, dsResult) {
	t.Helper()
	dir := t.TempDir()
	batch := filepath.Join(t.TempDir(), "provision.dsconfig")
	writeFile(t, batch, provisionBatch+extra)
	return dir, dsMust(t, dir, "--no-prompt", "--batch-file", batch)
}

// provisionBatch is the PingDirectory example chain, with a sealed
// secret and a multi-valued property, as a batch file.
const provisionBatch = `# SMTP with client-credentials tokens
dsconfig create-passphrase-provider --provider-name "SMTP Client Secret" \
    --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET
dsconfig create-passphrase-provider --provider-name vault --type obscured-value --set enabled:true --set obscured-value:s3cr3t-Value
dsconfig create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token \
    --set enabled:true --set oauth-server-token-endpoint-url:https://idp.example.com/oauth2/token \
    --set oauth-client-id:your-client-id --set "oauth-client-secret-passphrase-provider:SMTP Client Secret" \
    --set "requested-scope:https://outlook.office365.com/.default" --set requested-scope:offline_access

dsconfig create-external-server --server-name "Exchange Online" --type smtp --set server-host-name:smtp.office365.com \
    --set server-port:587 --set smtp-security:starttls --set user-name:alerts@example.com \
    --set "token-acquisition-method:SMTP Bearer Token"
dsconfig set-global-configuration-prop --set "smtp-server:Exchange Online"
`
