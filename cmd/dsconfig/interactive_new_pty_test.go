package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// Creating a referenced object on the spot, at the prompts and in the
// console, driven through a real pseudo-terminal against the built binary.

// A full create through prompts: the name, the type, the mandatory
// properties, a property the type requires given the others (the client
// secret's provider), and that provider created on the spot, in the same
// change. The equivalent commands, run in a fresh store, give the same
// store.
func TestPromptedCreateNewReference(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-http-authorization-method")
	s.answer("Enter the name, or q to quit: ", "SMTP Bearer Token",
		"Select the type of HTTP Authorization Method to create:", "client-credentials-bearer-token",
		"Enter the value of enabled, or q to quit: ", "true",
		"Enter the value of oauth-server-token-endpoint-url, or q to quit: ", "ftp://idp.example.com/token",
		"Invalid value: ", "https://idp.example.com/token",
		"Enter the value of oauth-client-id, or q to quit: ", "client-1")
	s.waitFor("Select the value of oauth-client-secret-passphrase-provider:")
	s.answer("  1) Create a new Passphrase Provider\r\n", "1",
		">>>> Create a new Passphrase Provider for oauth-client-secret-passphrase-provider", "SMTP Client Secret",
		"Select the type of Passphrase Provider to create:", "environment-variable",
		"Enter the value of enabled, or q to quit: ", "true",
		"Enter the value of environment-variable, or q to quit: ", "SMTP_CLIENT_SECRET")
	s.waitFor(`The Passphrase Provider "SMTP Client Secret" will be created with this change`)
	s.waitFor("The equivalent non-interactive commands, to run in this order:")
	s.answer("Apply this change? [y/N]: ", "y")
	out := s.succeed()
	var shown []string
	for _, m := range regexp.MustCompile(`(?m)^  (dsconfig create-.*?)\r?$`).FindAllStringSubmatch(out, -1) {
		shown = append(shown, m[1])
	}
	want := []string{
		`dsconfig create-passphrase-provider --provider-name "SMTP Client Secret" --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET`,
		`dsconfig create-http-authorization-method --method-name "SMTP Bearer Token" --type client-credentials-bearer-token --set enabled:true --set oauth-server-token-endpoint-url:https://idp.example.com/token --set oauth-client-id:client-1 --set "oauth-client-secret-passphrase-provider:SMTP Client Secret"`,
	}
	if strings.Join(shown, "\n") != strings.Join(want, "\n") {
		t.Fatalf("equivalent commands:\n%s\nwant\n%s", strings.Join(shown, "\n"), strings.Join(want, "\n"))
	}
	audit, err := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"create-passphrase-provider", "create-http-authorization-method"} {
		if !bytes.Contains(audit, []byte(w)) {
			t.Errorf("the audit log does not record %s:\n%s", w, audit)
		}
	}
	if a, b := storeBytes(t, dir), replay(t, bin, t.TempDir(), shown...); len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("the prompted store:\n%s\ndiffers from the equivalent commands':\n%s", a, b)
	}
}

// Quitting inside the object created on the spot applies nothing: neither
// it nor the object that was to refer to it.
func TestPromptedNewReferenceQuit(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-http-authorization-method", "--method-name", "Static",
		"--type", "static-bearer-token", "--set", "enabled:true")
	s.waitFor("Select the value of oauth-token-passphrase-provider:")
	s.answer("or q to quit]: ", "1", "Enter the name, or q to quit: ", "Token", "or q to quit]: ", "q")
	if code := s.wait(); code == 0 {
		t.Fatalf("exit 0 after q; the terminal shows:\n%s", s.output())
	}
	if b := storeBytes(t, dir); len(b) != 0 {
		t.Errorf("q wrote a store:\n%s", b)
	}
}

// menuNumber returns the number the console's menu gives the entry that
// starts with label. It reads the menu shown after what was last
// awaited; failing that, the one last awaited, for a caller that has
// already waited for the menu's prompt; failing both, it waits.
func menuNumber(t *testing.T, s *ptySession, label string) string {
	t.Helper()
	re := regexp.MustCompile(`(\d+)\) ` + regexp.QuoteMeta(label))
	out := s.output()
	if s.seen < len(out) && re.MatchString(out[s.seen:]) {
		s.waitFor(") " + label)
	} else if re.MatchString(out[:s.seen]) {
		m := re.FindAllStringSubmatch(out[:s.seen], -1)
		return m[len(m)-1][1]
	} else {
		s.waitFor(") " + label)
	}
	m := re.FindAllStringSubmatch(s.output()[:s.seen], -1)
	return m[len(m)-1][1]
}

// openServer opens the console on dir and the property table of the
// External Server name.
func openServer(t *testing.T, bin, dir, name string) *ptySession {
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor(">>>> dsconfig main menu")
	s.typeText(menuNumber(t, s, "External Server") + "\r")
	s.typeText(menuNumber(t, s, "View and edit an existing External Server") + "\r")
	s.typeText(menuNumber(t, s, name+"  (smtp)") + "\r")
	s.waitFor(`>>>> Configure the properties of the External Server "` + name + `" (smtp)`)
	return s
}

// In the console, a reference property's value can be an object created
// on the spot, which may need one of its own: here an SMTP server's
// token-acquisition-method becomes a new static-bearer-token method,
// whose token comes from a new obscured-value provider, read hidden. The
// three commands are shown, the secret never, and one change applies
// them all, or nothing when the server refuses it.
func TestConsoleNewReference(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	const secret = "pty-OnTheSpot-Qx82"
	runBin(t, bin, "--config-dir", dir, "create-external-server", "--server-name", "Mail", "--type", "smtp",
		"--set", "server-host-name:127.0.0.1")
	s := openServer(t, bin, dir, "Mail")
	s.typeText(propNumber(t, s, "token-acquisition-method") + "\r")
	s.typeText(menuNumber(t, s, "Change the value") + "\r")
	s.waitFor("Select the value of token-acquisition-method:")
	s.typeText(menuNumber(t, s, "Create a new HTTP Authorization Method") + "\r")
	s.answer("Enter the name, or q to quit: ", "Static",
		"or q to quit]: ", "static-bearer-token",
		"Enter the value of enabled, or q to quit: ", "true",
		"Select the value of oauth-token-passphrase-provider:", "1",
		"Enter the name, or q to quit: ", "Token",
		"or q to quit]: ", "obscured-value",
		"Enter the value of enabled, or q to quit: ", "true",
		"Enter the value of obscured-value, or q to quit: ", secret)
	s.waitFor(`The HTTP Authorization Method "Static" will be created with this change`)
	s.answer("f) finish - apply the 1 pending change(s)", "f")
	s.waitFor("The equivalent non-interactive commands, to run in this order:")
	s.answer("Apply this change? [y/N]: ", "y")
	// The server refuses a token method without user-name: the change
	// fails as a whole, and nothing created on the spot is kept.
	s.waitFor(`the "user-name" property must be set when the server authenticates`)
	s.waitFor("Enter choice: ")
	if b := storeBytes(t, dir); bytes.Contains(b, []byte("Static")) || bytes.Contains(b, []byte("Token")) {
		t.Fatalf("a failed change kept the objects created on the spot:\n%s", b)
	}
	s.typeText(propNumber(t, s, "user-name") + "\r")
	s.typeText(menuNumber(t, s, "Change the value") + "\r")
	s.answer("Enter a value of user-name, or q to quit: ", "alerts@example.com",
		"f) finish - apply the 2 pending change(s)", "f",
		"Apply this change? [y/N]: ", "y")
	s.waitFor("The External Server was modified successfully")
	s.answer("Enter choice: ", "q")
	out := s.succeed()
	for _, w := range []string{
		"dsconfig create-passphrase-provider --provider-name Token --type obscured-value --set enabled:true --set obscured-value",
		"dsconfig create-http-authorization-method --method-name Static --type static-bearer-token --set enabled:true --set oauth-token-passphrase-provider:Token",
		"dsconfig set-external-server-prop --server-name Mail --set token-acquisition-method:Static --set user-name:alerts@example.com",
	} {
		if !strings.Contains(out, "  "+w+"\r\n") {
			t.Errorf("the equivalent commands do not include\n%s\n%s", w, out)
		}
	}
	got, err := exec.Command(bin, "--config-dir", dir, "get-external-server-prop", "--server-name", "Mail",
		"--property", "token-acquisition-method", "--script-friendly").Output()
	if err != nil || !strings.Contains(string(got), "Static") {
		t.Errorf("token-acquisition-method is not Static: %q %v", got, err)
	}
	for _, f := range []string{"config.yaml", "config-audit.log"} {
		b, _ := os.ReadFile(filepath.Join(dir, f))
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret in clear", f)
		}
		if !bytes.Contains(b, []byte("Token")) {
			t.Errorf("%s does not hold the provider created on the spot:\n%s", f, b)
		}
	}
	if strings.Contains(out, secret) {
		t.Errorf("the terminal showed the secret:\n%s", out)
	}
}

// The console's send-test-mail shortcut sends a real message through the
// server being edited (the loopback sandbox, STARTTLS, a bearer token),
// shows the steps, and returns to the property table with the store
// unchanged.
func TestConsoleSendTestMailShortcut(t *testing.T) {
	bin := buildDsconfig(t)
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	t.Setenv("SMTP_BEARER_TOKEN", e.env["SMTP_BEARER_TOKEN"])
	before := storeBytes(t, e.dir)
	s := openServer(t, bin, e.dir, "Sandbox")
	s.answer("   t) send a test mail through this server (send-test-mail)", "t",
		"Enter the recipient address, or q to quit: ", "ops@example.com")
	s.waitFor("Running: dsconfig send-test-mail --server-name Sandbox --to ops@example.com")
	s.waitFor("ok    result")
	s.waitFor(`>>>> Configure the properties of the External Server "Sandbox" (smtp)`)
	s.answer("Enter choice: ", "q")
	out := s.succeed()
	if n := len(e.sb.Messages()); n != 1 {
		t.Errorf("the sandbox received %d messages, want 1", n)
	}
	if tok := e.env["SMTP_BEARER_TOKEN"]; strings.Contains(out, tok[:20]) {
		t.Errorf("the terminal shows the token:\n%s", out)
	}
	if !bytes.Equal(storeBytes(t, e.dir), before) {
		t.Error("the store changed")
	}
}
