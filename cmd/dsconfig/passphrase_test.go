package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

// ppRun runs dsconfig in-process against dir with the given environment
// and standard input.
func ppRun(t *testing.T, dir string, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	io := &IOStreams{In: strings.NewReader(stdin), Out: &out, ErrOut: &errOut}
	code := Main(append([]string{"--config-dir", dir}, args...), io, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func ppMust(t *testing.T, dir string, stdin string, args ...string) string {
	t.Helper()
	code, out, errOut := ppRun(t, dir, nil, stdin, args...)
	if code != 0 {
		t.Fatalf("dsconfig %q: exit %d\n%s%s", args, code, out, errOut)
	}
	return out
}

// fingerprintOf resolves a provider through the CLI and returns its
// fingerprint from the JSON output.
func fingerprintOf(t *testing.T, dir, name string) string {
	t.Helper()
	var res report.Secret
	out := ppMust(t, dir, "", "test-passphrase-provider", "--provider-name", name, "--output", "json")
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return res.Fingerprint
}

func createObscured(name string, extra ...string) []string {
	return append([]string{"create-passphrase-provider", "--provider-name", name, "--type", "obscured-value", "--set", "enabled:true"}, extra...)
}

func TestSetFromFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(t.TempDir(), "value.txt")
	if err := os.WriteFile(in, []byte("from-a-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ppMust(t, dir, "", createObscured("F", "--set-from-file", "obscured-value:"+in)...)
	ppMust(t, dir, "from-stdin\r\n", createObscured("S", "--set-from-file", "obscured-value:-")...)
	if got, want := fingerprintOf(t, dir, "F"), config.Fingerprint("from-a-file"); got != want {
		t.Errorf("F: fingerprint %s, want %s (trailing newline trimmed)", got, want)
	}
	if got, want := fingerprintOf(t, dir, "S"), config.Fingerprint("from-stdin"); got != want {
		t.Errorf("S: fingerprint %s, want %s", got, want)
	}
	ppMust(t, dir, "rotated\n", "set-passphrase-provider-prop", "--provider-name", "S", "--set-from-file", "obscured-value:-")
	if got, want := fingerprintOf(t, dir, "S"), config.Fingerprint("rotated"); got != want {
		t.Errorf("S after set-prop: fingerprint %s, want %s", got, want)
	}
}

// TestSecretInputErrors checks that each bad way of giving a secret is a
// usage error that leaves the store byte-for-byte unchanged.
func TestSecretInputErrors(t *testing.T) {
	dir := t.TempDir()
	ppMust(t, dir, "", createObscured("O", "--set", "obscured-value:original")...)
	before, err := os.ReadFile(filepath.Join(dir, config.StoreFileName))
	if err != nil {
		t.Fatal(err)
	}
	set := []string{"set-passphrase-provider-prop", "--provider-name", "O"}
	for _, c := range []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", append(set, "--set", "obscured-value"), "only at a terminal"},
		{"x\n", append(set, "--no-prompt", "--set", "obscured-value"), "--set-from-file obscured-value:-"},
		{"", append(set, "--set-from-file", "obscured-value:-"), "is empty"},
		{"\n\n", append(set, "--set-from-file", "obscured-value:-"), "is empty"},
		{"", append(set, "--set-from-file", "obscured-value:/nonexistent/file"), "no such file"},
		{"", append(set, "--set-from-file", "obscured-value"), "PROP:PATH"},
		{"a", append(set, "--set-from-file", "obscured-value:-", "--set-from-file", "description:-"), "only one value"},
		{"", append(set, "--set", "description"), "does not contain a name/value separator"},
	} {
		code, out, errOut := ppRun(t, dir, nil, c.stdin, c.args...)
		if code != exitUsage || !strings.Contains(errOut, c.want) {
			t.Errorf("dsconfig %q: exit %d, stderr %q; want %d mentioning %q", c.args, code, errOut, exitUsage, c.want)
		}
		if out != "" {
			t.Errorf("dsconfig %q printed %q on stdout", c.args, out)
		}
	}
	after, err := os.ReadFile(filepath.Join(dir, config.StoreFileName))
	if err != nil || !bytes.Equal(before, after) {
		t.Fatalf("the store changed: %v", err)
	}
}

// TestTestPassphraseProviderFailures checks that each failure says why
// and exits 3.
func TestTestPassphraseProviderFailures(t *testing.T) {
	dir := t.TempDir()
	create := func(name, typ string, props ...string) {
		args := []string{"create-passphrase-provider", "--provider-name", name, "--type", typ, "--set", "enabled:true"}
		for _, p := range props {
			args = append(args, "--set", p)
		}
		ppMust(t, dir, "", args...)
	}
	create("Env", "environment-variable", "environment-variable:PP_TEST_UNSET")
	create("File", "file-based", "password-file:missing.txt")
	create("Cmd", "command", "command-path:/nonexistent/vault")
	create("Key", "obscured-value", "obscured-value:kept")
	create("Off", "environment-variable", "environment-variable:X")
	ppMust(t, dir, "", "set-passphrase-provider-prop", "--provider-name", "Off", "--set", "enabled:false")
	if err := os.Remove(filepath.Join(dir, config.KeyFileName)); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"Env":  "the environment variable PP_TEST_UNSET is not set",
		"File": filepath.Join(dir, "missing.txt") + " does not exist",
		"Cmd":  "the command /nonexistent/vault cannot be run",
		"Key":  "encryption key file is missing",
		"Off":  "disabled",
		"None": `The Passphrase Provider "None" does not exist`,
	} {
		code, out, errOut := ppRun(t, dir, nil, "", "test-passphrase-provider", "--provider-name", name)
		if code != exitConfig || !strings.Contains(errOut, want) || !strings.Contains(errOut, "dsconfig: hint: ") || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 3 saying %q with a hint", name, code, out, errOut, want)
		}
	}
	code, _, errOut := ppRun(t, dir, nil, "", "test-passphrase-provider")
	if code != exitUsage || !strings.Contains(errOut, "--provider-name") {
		t.Errorf("no name: exit %d, %q", code, errOut)
	}
}

// A password-file that no user can read, root included: a directory, and
// a path below a regular file. test-passphrase-provider exits 3 and the
// error names the file and the reason.
func TestTestPassphraseProviderUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	plain := filepath.Join(outside, "plain.txt")
	if err := os.WriteFile(plain, []byte("x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		outside:             "the password file " + outside + " is a directory",
		plain + "/secret":   "the password file " + plain + "/secret cannot be read: not a directory",
		plain + "/a/secret": "the password file " + plain + "/a/secret cannot be read: not a directory",
	} {
		ppMust(t, dir, "", "create-passphrase-provider", "--provider-name", "File", "--type", "file-based",
			"--set", "enabled:true", "--set", "password-file:"+path)
		code, out, errOut := ppRun(t, dir, nil, "", "test-passphrase-provider", "--provider-name", "File")
		if code != exitConfig || !strings.HasPrefix(errOut, "dsconfig: error: ") || !strings.Contains(errOut, want) ||
			!strings.Contains(errOut, "dsconfig: hint: ") || out != "" {
			t.Errorf("password-file %s: exit %d, stdout %q, stderr %q; want exit 3 saying %q with a hint", path, code, out, errOut, want)
		}
		ppMust(t, dir, "", "delete-passphrase-provider", "--provider-name", "File")
	}
}

func TestWarnsAboutSecretsInArgv(t *testing.T) {
	dir := t.TempDir()
	_, _, errOut := ppRun(t, dir, nil, "", createObscured("A", "--set", "obscured-value:typed-in-argv")...)
	if !strings.Contains(errOut, "warning: the value of the sensitive property obscured-value was given on the command line") {
		t.Errorf("no warning: %q", errOut)
	}
	if strings.Contains(errOut, "typed-in-argv") {
		t.Errorf("the warning repeats the value: %q", errOut)
	}
	_, _, errOut = ppRun(t, dir, nil, "v\n", createObscured("B", "--set-from-file", "obscured-value:-")...)
	if errOut != "" {
		t.Errorf("warning without a value on the command line: %q", errOut)
	}
}

// TestArgvWarningSkipsSealedValues replays a value in encrypted form, as
// the audit log and export-config write it: nothing secret is on the
// command line, so there is no warning.
func TestArgvWarningSkipsSealedValues(t *testing.T) {
	dir := t.TempDir()
	ppMust(t, dir, "v\n", createObscured("A", "--set-from-file", "obscured-value:-")...)
	must := func(b []byte, err error) []byte {
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sealed := regexp.MustCompile(`AES256GCM:[^\s"']+`).FindString(string(must(os.ReadFile(filepath.Join(dir, config.StoreFileName)))))
	if sealed == "" {
		t.Fatal("no sealed value in the store")
	}
	code, _, errOut := ppRun(t, dir, nil, "", createObscured("B", "--set", "obscured-value:"+sealed)...)
	if code != 0 || errOut != "" {
		t.Errorf("a sealed value on the command line: exit %d, stderr %q; want 0 and no warning", code, errOut)
	}
}

// TestArgvWarningInBatch checks that a clear-text secret in a batch file
// is warned about as being in the file, not on the command line.
func TestArgvWarningInBatch(t *testing.T) {
	dir := t.TempDir()
	batch := filepath.Join(t.TempDir(), "b.dsconfig")
	line := "dsconfig create-passphrase-provider --provider-name A --type obscured-value --set enabled:true --set obscured-value:in-the-file\n"
	if err := os.WriteFile(batch, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := ppRun(t, dir, nil, "", "--batch-file", batch)
	want := "dsconfig: warning: the value of the sensitive property obscured-value is in the batch file in clear text; keep the file private, or use --set-from-file obscured-value:FILE\n" +
		"dsconfig: created a new configuration store in " + dir + "\n"
	if code != 0 || errOut != want {
		t.Errorf("batch: exit %d, stderr %q; want 0 and %q", code, errOut, want)
	}
}

func TestTestPassphraseProviderOutput(t *testing.T) {
	dir := t.TempDir()
	ppMust(t, dir, "", "create-passphrase-provider", "--provider-name", "Env", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:PP_SECRET")
	code, out, errOut := ppRun(t, dir, map[string]string{"PP_SECRET": "héllo"}, "", "test-passphrase-provider", "--provider-name", "Env")
	want := "gave a secret of 5 characters, fingerprint " + config.Fingerprint("héllo")
	if code != 0 || !strings.Contains(out, want) || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %q", code, out, errOut, want)
	}
}

func TestFileProviderPermissionWarning(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw.txt"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "pw.txt"), 0o644); err != nil {
		t.Fatal(err)
	}
	ppMust(t, dir, "", "create-passphrase-provider", "--provider-name", "F", "--type", "file-based",
		"--set", "enabled:true", "--set", "password-file:pw.txt")
	_, _, errOut := ppRun(t, dir, nil, "", "test-passphrase-provider", "--provider-name", "F")
	if !strings.Contains(errOut, "dsconfig: warning: the password file") || !strings.Contains(errOut, "chmod 600") {
		t.Errorf("no warning about a world-readable file: %q", errOut)
	}
	_, _, errOut = ppRun(t, dir, nil, "", "-Q", "test-passphrase-provider", "--provider-name", "F")
	if errOut != "" {
		t.Errorf("-Q still warns: %q", errOut)
	}
}
