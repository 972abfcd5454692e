package main

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The menu console (dsconfig with no arguments at a terminal), driven
// through a real pseudo-terminal against the built binary.

func runBin(t *testing.T, bin string, args ...string) {
	t.Helper()
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

var createEnv = []string{"create-passphrase-provider", "--provider-name", "Env",
	"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:OLD_VAR"}

// propNumber returns the number the console's property table gives prop.
func propNumber(t *testing.T, s *ptySession, prop string) string {
	t.Helper()
	return menuNumber(t, s, " "+prop+" ")
}

// openEnv opens the console on dir and goes to the property table of the
// passphrase provider Env.
func openEnv(t *testing.T, bin, dir string, extra ...string) *ptySession {
	s := startPTY(t, bin, append([]string{"--config-dir", dir}, extra...)...)
	s.waitFor(">>>> dsconfig main menu")
	s.waitFor("   1) Passphrase Provider")
	s.waitFor("   6) Global Configuration")
	s.waitFor("Enter choice: ")
	s.typeText("1\r")
	s.waitFor(">>>> Passphrase Provider management menu")
	s.waitFor("   3) View and edit an existing Passphrase Provider")
	s.waitFor("Enter choice: ")
	s.typeText("3\r")
	s.waitFor("   1) Env  (environment-variable)")
	s.typeText("1\r")
	s.waitFor(`>>>> Configure the properties of the Passphrase Provider "Env" (environment-variable)`)
	return s
}

func TestConsoleEdit(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	runBin(t, bin, append([]string{"--config-dir", dir}, createEnv...)...)
	s := openEnv(t, bin, dir)
	s.typeText(propNumber(t, s, "environment-variable") + "\r")
	s.waitFor(">>>> Property environment-variable")
	s.waitFor("The name of the environment variable that holds the secret.")
	s.waitFor("  Value(s):  OLD_VAR")
	s.waitFor("   1) Change the value")
	s.typeText("1\r")
	s.waitFor("Enter a value of environment-variable, or q to quit: ")
	s.typeText("NEW_VAR\r")
	s.typeText(propNumber(t, s, "enabled") + "\r")
	s.waitFor(">>>> Property enabled")
	s.typeText("1\r")
	s.waitFor("Enter a value of enabled, or q to quit: ")
	s.typeText("maybe\r")
	s.waitFor("Invalid value: ")
	s.typeText("false\r")
	s.waitFor("f) finish - apply the 2 pending change(s)")
	s.typeText("f\r")
	s.waitFor("The equivalent non-interactive command:")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	s.waitFor("The Passphrase Provider was modified successfully")
	s.waitFor("Enter choice: ")
	s.typeText("b\r")
	s.waitFor(">>>> Passphrase Provider management menu")
	s.typeText("q\r")
	out := s.succeed()
	m := regexp.MustCompile(`(?m)^  (dsconfig set-passphrase-provider-prop .*?)\r?$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no equivalent command shown:\n%s", out)
	}
	const want = "dsconfig set-passphrase-provider-prop --provider-name Env --set environment-variable:NEW_VAR --set enabled:false"
	if m[1] != want {
		t.Errorf("equivalent command:\n%s\nwant\n%s", m[1], want)
	}
	store := storeBytes(t, dir)
	if !bytes.Contains(store, []byte("NEW_VAR")) || bytes.Contains(store, []byte("OLD_VAR")) {
		t.Errorf("the change is not in the store:\n%s", store)
	}
	audit, err := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(audit, []byte("NEW_VAR")); n != 1 {
		t.Errorf("the audit log records NEW_VAR %d times, want once:\n%s", n, audit)
	}
	// The equivalent command, run in a fresh store, gives the same store.
	fresh := t.TempDir()
	runBin(t, bin, append([]string{"--config-dir", fresh}, createEnv...)...)
	if b := replay(t, bin, fresh, m[1]); !bytes.Equal(store, b) {
		t.Errorf("the console's store:\n%s\ndiffers from the equivalent command's:\n%s", store, b)
	}
}

// q with changes pending, Ctrl-C, b and a "no" to the confirmation
// apply nothing: the store and the audit log stay byte for byte.
func TestConsoleLeaving(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	runBin(t, bin, append([]string{"--config-dir", dir}, createEnv...)...)
	before := storeBytes(t, dir)
	auditBefore, _ := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	for _, c := range []struct {
		name, keys string
		code       int
	}{
		{"q-pending", "q\r", 0},
		{"q-at-value", "1\rq\r", 0},
		{"ctrl-c", "\x03", exitInterrupted},
		{"ctrl-c-at-value", "1\rNEW\x03", exitInterrupted},
		{"back", "b\rq\r", 0},
		{"b-at-value", "1\rb\rb\rq\r", 0},
		{"b-at-confirm", "f\rb\rb\rq\r", 0},
		{"declined", "f\rn\rb\rq\r", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := openEnv(t, bin, dir)
			s.typeText(propNumber(t, s, "environment-variable") + "\r")
			s.waitFor("   1) Change the value")
			s.typeText("1\r")
			s.waitFor("Enter a value of environment-variable, or q to quit: ")
			s.typeText("PENDING_VAR\r")
			s.waitFor("f) finish - apply the 1 pending change(s)")
			s.waitFor("Enter choice: ")
			s.typeText(propNumber(t, s, "enabled") + "\r")
			s.waitFor(">>>> Property enabled")
			s.waitFor("Enter choice: ")
			if strings.HasPrefix(c.keys, "1\r") {
				s.typeText("1\r")
				s.waitFor("Enter a value of enabled")
				s.typeText(strings.TrimPrefix(c.keys, "1\r"))
			} else {
				s.typeText("b\r")
				s.waitFor("f) finish")
				for _, k := range strings.SplitAfter(c.keys, "\r") {
					if k != "" {
						s.waitFor(": ")
						s.typeText(k)
					}
				}
			}
			if code := s.wait(); code != c.code {
				t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, c.code, s.output())
			}
			if !bytes.Equal(storeBytes(t, dir), before) {
				t.Error("the store changed")
			}
			if a, _ := os.ReadFile(filepath.Join(dir, "config-audit.log")); !bytes.Equal(a, auditBefore) {
				t.Error("the audit log changed")
			}
		})
	}
}

// Without a terminal, or with --no-prompt, dsconfig with no arguments
// still says that a subcommand is needed, exit 2.
func TestConsoleNeedsTerminal(t *testing.T) {
	bin := buildDsconfig(t)
	s := startPTY(t, bin, "--config-dir", t.TempDir(), "--no-prompt")
	if code := s.wait(); code != exitUsage || !strings.Contains(s.output(), "A sub-command must be specified") {
		t.Fatalf("--no-prompt: exit %d:\n%s", code, s.output())
	}
	out, err := exec.Command(bin, "--config-dir", t.TempDir()).CombinedOutput()
	if exitCodeOf(err) != exitUsage || !strings.Contains(string(out), "A sub-command must be specified") {
		t.Fatalf("no terminal: %v\n%s", err, out)
	}
}

// A create through the console (name, type and mandatory properties, the
// secret read hidden), an edit of the secret and a delete: the secrets
// are never shown, and the equivalent commands prompt for them.
func TestConsoleCreateSecretDelete(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	const secret1, secret2 = "console-First-Qx81", "console-Second-Wv27"
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor("Enter choice: ")
	s.typeText("1\r")
	s.waitFor("   2) Create a new Passphrase Provider")
	s.waitFor("Enter choice: ")
	s.typeText("2\r")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("Obs\r")
	s.waitFor("Enter choice [1-4, or q to quit]: ")
	s.typeText("obscured-value\r")
	s.waitFor("Enter the value of enabled")
	s.typeText("true\r")
	s.waitFor("Enter the value of obscured-value, or q to quit: ")
	s.typeText(secret1 + "\r")
	s.waitFor("  dsconfig create-passphrase-provider --provider-name Obs --type obscured-value --set enabled:true --set obscured-value\r\n")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	s.waitFor("The Passphrase Provider was created successfully")
	s.waitFor("Enter choice: ")
	s.typeText("3\r")
	s.waitFor("   1) Obs  (obscured-value)")
	s.typeText("1\r")
	s.typeText(propNumber(t, s, "obscured-value") + "\r")
	s.waitFor("   1) Change the value")
	s.typeText("1\r")
	s.waitFor("Enter a value of obscured-value, or q to quit: ")
	s.typeText(secret2 + "\r")
	s.waitFor("f) finish")
	s.typeText("f\r")
	s.waitFor("  dsconfig set-passphrase-provider-prop --provider-name Obs --set obscured-value\r\n")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	s.waitFor("The Passphrase Provider was modified successfully")
	s.waitFor("Enter choice: ")
	store := storeBytes(t, dir)
	s.typeText("b\r")
	s.waitFor("   4) Delete an existing Passphrase Provider")
	s.waitFor("Enter choice: ")
	s.typeText("4\r")
	s.waitFor("   1) Obs  (obscured-value)")
	s.typeText("1\r")
	s.waitFor("  dsconfig delete-passphrase-provider --provider-name Obs\r\n")
	s.typeText("y\r")
	s.waitFor("The Passphrase Provider was deleted successfully")
	s.waitFor("Enter choice: ")
	s.typeText("q\r")
	s.succeed()
	// The leak search's needles (clear, URL, hex, base64) in the terminal
	// and every file of the configuration directory: store, audit log,
	// archives.
	secrets := map[string]string{"first": secret1, "second": secret2}
	hits := leakHitsOf(secrets, "the terminal", []byte(s.output()))
	hits = append(hits, leakHitsOf(secrets, "the store before the delete", store)...)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		hits = append(hits, leakHitsOf(secrets, p, data)...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) > 0 {
		t.Errorf("%d leaks:\n%s", len(hits), strings.Join(hits, "\n"))
	}
	if !bytes.Contains(store, []byte("Obs")) || bytes.Contains(storeBytes(t, dir), []byte("Obs")) {
		t.Errorf("created, then deleted: the store was\n%s\nand is\n%s", store, storeBytes(t, dir))
	}
}

// An external server hides its advanced properties unless --advanced,
// and offers send-test-mail; a method offers get-access-token. A
// failing shortcut leaves the console running.
func TestConsoleShortcutsAndAdvanced(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	b, err := os.ReadFile("testdata/apply/quickstart.dsconfig")
	if err != nil {
		t.Fatal(err)
	}
	batch := filepath.Join(dir, "setup.dsconfig")
	os.WriteFile(batch, bytes.ReplaceAll(b, []byte("https://idp.example.com/oauth2/token"), []byte("https://127.0.0.1:1/token")), 0o600)
	runBin(t, bin, "--config-dir", dir, "--batch-file", batch)
	before := storeBytes(t, dir)

	for _, advanced := range []bool{false, true} {
		args := []string{"--config-dir", dir}
		if advanced {
			args = append(args, "--advanced")
		}
		s := startPTY(t, bin, args...)
		s.waitFor("Enter choice: ")
		s.typeText("5\r")
		s.waitFor("Enter choice: ")
		s.typeText("3\r")
		s.waitFor("   1) Exchange Online  (smtp)")
		s.typeText("1\r")
		s.waitFor("   t) send a test mail through this server (send-test-mail)")
		s.waitFor("Enter choice: ")
		if got := strings.Contains(s.output(), ")  smtp-timeout "); got != advanced {
			t.Errorf("--advanced %v: smtp-timeout shown %v:\n%s", advanced, got, s.output())
		}
		s.typeText("q\r")
		if code := s.wait(); code != 0 {
			t.Fatalf("exit %d; the terminal shows:\n%s", code, s.output())
		}
	}

	t.Setenv("SMTP_CLIENT_SECRET", "") // the token request fails before any network
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor("Enter choice: ")
	s.typeText("4\r")
	s.waitFor("Enter choice: ")
	s.typeText("3\r")
	s.waitFor("   1) SMTP Bearer Token  (client-credentials-bearer-token)")
	s.typeText("1\r")
	s.waitFor("   t) get an access token from this method (get-access-token, no cache)")
	s.waitFor("Enter choice: ")
	s.typeText("t\r")
	s.waitFor("Running: dsconfig get-access-token --method-name \"SMTP Bearer Token\" --no-token-cache")
	s.waitFor("the environment variable SMTP_CLIENT_SECRET is not set")
	s.waitFor("Enter choice: ")
	s.typeText("q\r")
	s.succeed()
	if !bytes.Equal(storeBytes(t, dir), before) {
		t.Error("the store changed")
	}
}

// The Global Configuration opens at once; a value of its multi-valued
// smtp-server is removed, then added back, each as one confirmed command.
func TestConsoleGlobalAddRemove(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	runBin(t, bin, "--config-dir", dir, "--batch-file", "testdata/apply/quickstart.dsconfig")
	before := storeBytes(t, dir)
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor("Enter choice: ")
	s.typeText("6\r")
	s.waitFor(">>>> Configure the properties of the Global Configuration")
	s.typeText(propNumber(t, s, "smtp-server") + "\r")
	s.waitFor("Remove a value")
	s.waitFor("Enter choice: ")
	s.typeText("3\r")
	s.waitFor("Select the value to remove:")
	s.waitFor("   1) Exchange Online")
	s.typeText("1\r")
	s.waitFor("f) finish")
	s.typeText("f\r")
	s.waitFor(`  dsconfig set-global-configuration-prop --remove "smtp-server:Exchange Online"`)
	s.typeText("y\r")
	s.waitFor("The Global Configuration was modified successfully")
	s.waitFor("Enter choice: ")
	if bytes.Contains(storeBytes(t, dir), []byte("smtp-server")) {
		t.Errorf("smtp-server still set:\n%s", storeBytes(t, dir))
	}
	s.typeText(propNumber(t, s, "smtp-server") + "\r")
	s.waitFor("   2) Add a value")
	s.typeText("2\r")
	s.waitFor("Select the value of smtp-server:")
	s.waitFor("   1) Exchange Online")
	s.waitFor("Enter choice: ")
	s.typeText("1\r")
	s.waitFor("f) finish")
	s.typeText("f\r")
	s.waitFor(`  dsconfig set-global-configuration-prop --add "smtp-server:Exchange Online"`)
	s.typeText("y\r")
	s.waitFor("The Global Configuration was modified successfully")
	s.waitFor("Enter choice: ")
	s.typeText("q\r")
	s.succeed()
	if !bytes.Equal(storeBytes(t, dir), before) {
		t.Errorf("removed and added back, the store is\n%s\nwas\n%s", storeBytes(t, dir), before)
	}
}

// b while a create asks its questions goes back to the kind's menu, and
// nothing is written.
func TestConsoleCreateBack(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor("Enter choice: ")
	s.typeText("b\r") // nothing above the main menu: refused
	s.waitFor(`Invalid choice "b": enter a number from 1 to 6 or q`)
	s.typeText("1\r")
	s.waitFor("Enter choice: ")
	s.typeText("2\r")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("New\r")
	s.waitFor("Enter choice [1-4, or q to quit]: ")
	s.typeText("b\r")
	s.waitFor("Nothing was changed")
	s.waitFor("Enter choice: ")
	if n := strings.Count(s.output(), ">>>> Passphrase Provider management menu"); n != 2 {
		t.Errorf("the kind's menu shown %d times, want 2:\n%s", n, s.output())
	}
	s.typeText("q\r")
	s.succeed()
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); !os.IsNotExist(err) {
		t.Errorf("the store was written: %v", err)
	}
}
