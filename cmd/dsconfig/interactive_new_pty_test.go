package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// A full create through prompts: the name, the type, the mandatory
// properties, a property the type requires given the others (the client
// secret's provider), and that provider created on the spot, in the same
// change. The equivalent commands, run in a fresh store, give the same
// store.
func TestPromptedCreateNewReference(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-http-authorization-method")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("SMTP Bearer Token\r")
	s.waitFor("Select the type of HTTP Authorization Method to create:")
	s.waitFor("or q to quit]: ")
	s.typeText("client-credentials-bearer-token\r")
	s.waitFor("Enter the value of enabled, or q to quit: ")
	s.typeText("true\r")
	s.waitFor("Enter the value of oauth-server-token-endpoint-url, or q to quit: ")
	s.typeText("ftp://idp.example.com/token\r")
	s.waitFor("Invalid value: ")
	s.typeText("https://idp.example.com/token\r")
	s.waitFor("Enter the value of oauth-client-id, or q to quit: ")
	s.typeText("client-1\r")
	s.waitFor("Select the value of oauth-client-secret-passphrase-provider:")
	s.waitFor("  1) Create a new Passphrase Provider")
	s.waitFor("Enter choice [1-1, or q to quit]: ")
	s.typeText("1\r")
	s.waitFor(">>>> Create a new Passphrase Provider for oauth-client-secret-passphrase-provider")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("SMTP Client Secret\r")
	s.waitFor("Select the type of Passphrase Provider to create:")
	s.waitFor("or q to quit]: ")
	s.typeText("environment-variable\r")
	s.waitFor("Enter the value of enabled, or q to quit: ")
	s.typeText("true\r")
	s.waitFor("Enter the value of environment-variable, or q to quit: ")
	s.typeText("SMTP_CLIENT_SECRET\r")
	s.waitFor(`The Passphrase Provider "SMTP Client Secret" will be created with this change`)
	s.waitFor("The equivalent non-interactive commands, to run in this order:")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	if code := s.wait(); code != 0 {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, s.output())
	}
	out := s.output()
	cmds := regexp.MustCompile(`(?m)^  (dsconfig create-.*?)\r?$`).FindAllStringSubmatch(out, -1)
	want := []string{
		"dsconfig create-passphrase-provider --provider-name \"SMTP Client Secret\" --type environment-variable --set enabled:true --set environment-variable:SMTP_CLIENT_SECRET",
		"dsconfig create-http-authorization-method --method-name \"SMTP Bearer Token\" --type client-credentials-bearer-token --set enabled:true --set oauth-server-token-endpoint-url:https://idp.example.com/token --set oauth-client-id:client-1 --set \"oauth-client-secret-passphrase-provider:SMTP Client Secret\"",
	}
	if len(cmds) != len(want) {
		t.Fatalf("equivalent commands %q, want %q:\n%s", cmds, want, out)
	}
	for i, m := range cmds {
		if m[1] != want[i] {
			t.Errorf("equivalent command %d:\n%s\nwant\n%s", i+1, m[1], want[i])
		}
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
	fresh := t.TempDir()
	for _, m := range cmds {
		lines, err := batchfile.Parse("shown", strings.NewReader(m[1]+"\n"))
		if err != nil || len(lines) != 1 {
			t.Fatalf("parsing %q: %v", m[1], err)
		}
		cmd := exec.Command(bin, append([]string{"--config-dir", fresh}, lines[0].Args...)...)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", m[1], err, b)
		}
	}
	if a, b := storeBytes(t, dir), storeBytes(t, fresh); len(a) == 0 || !bytes.Equal(a, b) {
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
	s.typeText("1\r")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("Token\r")
	s.waitFor("or q to quit]: ")
	s.typeText("q\r")
	if code := s.wait(); code == 0 {
		t.Fatalf("exit 0 after q; the terminal shows:\n%s", s.output())
	}
	if b := storeBytes(t, dir); len(b) != 0 {
		t.Errorf("q wrote a store:\n%s", b)
	}
}

// menuNumber returns the number the console's menu gives the entry that
// starts with label.
func menuNumber(t *testing.T, s *ptySession, label string) string {
	t.Helper()
	s.waitFor(") " + label)
	m := regexp.MustCompile(`(\d+)\) `+regexp.QuoteMeta(label)).FindAllStringSubmatch(s.output(), -1)
	return m[len(m)-1][1]
}

// In the console, a reference property's value can be an object created
// on the spot, which may need one of its own: here an SMTP server's
// token-acquisition-method becomes a new static-bearer-token method,
// whose token comes from a new obscured-value provider, read hidden. The
// three commands are shown, the secret never, and one change applies
// them all.
func TestConsoleNewReference(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	const secret = "pty-OnTheSpot-Qx82"
	runBin(t, bin, "--config-dir", dir, "create-external-server", "--server-name", "Mail", "--type", "smtp",
		"--set", "server-host-name:127.0.0.1")
	s := startPTY(t, bin, "--config-dir", dir)
	s.waitFor(">>>> dsconfig main menu")
	s.typeText(menuNumber(t, s, "External Server") + "\r")
	s.typeText(menuNumber(t, s, "View and edit an existing External Server") + "\r")
	s.waitFor("1) Mail  (smtp)")
	s.typeText("1\r")
	s.typeText(propNumber(t, s, "token-acquisition-method") + "\r")
	s.typeText(menuNumber(t, s, "Change the value") + "\r")
	s.waitFor("Select the value of token-acquisition-method:")
	s.typeText(menuNumber(t, s, "Create a new HTTP Authorization Method") + "\r")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("Static\r")
	s.waitFor("or q to quit]: ")
	s.typeText("static-bearer-token\r")
	s.waitFor("Enter the value of enabled, or q to quit: ")
	s.typeText("true\r")
	s.waitFor("Select the value of oauth-token-passphrase-provider:")
	s.waitFor("1) Create a new Passphrase Provider")
	s.waitFor("or q to quit]: ")
	s.typeText("1\r")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("Token\r")
	s.waitFor("or q to quit]: ")
	s.typeText("obscured-value\r")
	s.waitFor("Enter the value of enabled, or q to quit: ")
	s.typeText("true\r")
	s.waitFor("Enter the value of obscured-value, or q to quit: ")
	s.typeText(secret + "\r")
	s.waitFor(`The HTTP Authorization Method "Static" will be created with this change`)
	s.waitFor("f) finish - apply the 1 pending change(s)")
	s.typeText("f\r")
	s.waitFor("The equivalent non-interactive commands, to run in this order:")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	// The server refuses a token method without user-name: the change
	// fails as a whole, and nothing created on the spot is kept.
	s.waitFor(`the "user-name" property must be set when the server authenticates`)
	s.waitFor("Enter choice: ")
	if b := storeBytes(t, dir); bytes.Contains(b, []byte("Static")) || bytes.Contains(b, []byte("Token")) {
		t.Fatalf("a failed change kept the objects created on the spot:\n%s", b)
	}
	s.typeText(propNumber(t, s, "user-name") + "\r")
	s.typeText(menuNumber(t, s, "Change the value") + "\r")
	s.waitFor("Enter a value of user-name, or q to quit: ")
	s.typeText("alerts@example.com\r")
	s.waitFor("f) finish - apply the 2 pending change(s)")
	s.typeText("f\r")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	s.waitFor("The External Server was modified successfully")
	s.waitFor("Enter choice: ")
	s.typeText("q\r")
	if code := s.wait(); code != 0 {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, s.output())
	}
	out := s.output()
	want := []string{
		"dsconfig create-passphrase-provider --provider-name Token --type obscured-value --set enabled:true --set obscured-value",
		"dsconfig create-http-authorization-method --method-name Static --type static-bearer-token --set enabled:true --set oauth-token-passphrase-provider:Token",
		"dsconfig set-external-server-prop --server-name Mail --set token-acquisition-method:Static --set user-name:alerts@example.com",
	}
	for _, w := range want {
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
	s := startPTY(t, bin, "--config-dir", e.dir)
	s.waitFor(">>>> dsconfig main menu")
	s.typeText(menuNumber(t, s, "External Server") + "\r")
	s.typeText(menuNumber(t, s, "View and edit an existing External Server") + "\r")
	s.waitFor("1) Sandbox  (smtp)")
	s.typeText("1\r")
	s.waitFor("   t) send a test mail through this server (send-test-mail)")
	s.waitFor("Enter choice: ")
	s.typeText("t\r")
	s.waitFor("Enter the recipient address, or q to quit: ")
	s.typeText("ops@example.com\r")
	s.waitFor("Running: dsconfig send-test-mail --server-name Sandbox --to ops@example.com")
	s.waitFor("ok    result")
	s.waitFor(`>>>> Configure the properties of the External Server "Sandbox" (smtp)`)
	s.waitFor("Enter choice: ")
	s.typeText("q\r")
	if code := s.wait(); code != 0 {
		t.Fatalf("exit %d; the terminal shows:\n%s", code, s.output())
	}
	if n := len(e.sb.Messages()); n != 1 {
		t.Errorf("the sandbox received %d messages, want 1", n)
	}
	if tok := e.env["SMTP_BEARER_TOKEN"]; strings.Contains(s.output(), tok[:20]) {
		t.Errorf("the terminal shows the token:\n%s", s.output())
	}
	if !bytes.Equal(storeBytes(t, e.dir), before) {
		t.Error("the store changed")
	}
}
