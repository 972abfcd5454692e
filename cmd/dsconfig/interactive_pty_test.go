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
)

// The prompts for what a create-* or set-*-prop lacks, driven through a
// real pseudo-terminal against the built binary.

func storeBytes(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return b
}

func TestPromptedCreate(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-passphrase-provider")
	s.waitFor("Enter the name, or q to quit: ")
	s.typeText("Env\r")
	s.waitFor("  1) environment-variable  Reads the secret from an environment variable.")
	s.waitFor("Enter choice [1-4, or q to quit]: ")
	s.typeText("9\r")
	s.waitFor("Invalid value: 9 is not a choice")
	s.typeText("1\r")
	s.waitFor("Property enabled:")
	s.waitFor("Enter the value of enabled, or q to quit: ")
	s.typeText("maybe\r")
	s.waitFor("Invalid value: ")
	s.typeText("true\r")
	s.waitFor("Property environment-variable: The name of the environment variable that holds the secret.")
	s.typeText("MY_SECRET\r")
	s.waitFor("The equivalent non-interactive command:")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("y\r")
	out := s.succeed()
	m := regexp.MustCompile(`(?m)^  (dsconfig create-passphrase-provider .*?)\r?$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no equivalent command shown:\n%s", out)
	}
	const want = "dsconfig create-passphrase-provider --provider-name Env --type environment-variable --set enabled:true --set environment-variable:MY_SECRET"
	if m[1] != want {
		t.Errorf("equivalent command:\n%s\nwant\n%s", m[1], want)
	}
	// The equivalent command, run in a fresh store, gives the same store.
	if a, b := storeBytes(t, dir), replay(t, bin, t.TempDir(), m[1]); len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("the prompted store:\n%s\ndiffers from the equivalent command's:\n%s", a, b)
	}
}

// replay runs the equivalent commands a prompt or the console showed, in
// order, on the store in dir, and returns the store they leave.
func replay(t *testing.T, bin, dir string, shown ...string) []byte {
	t.Helper()
	for _, line := range shown {
		lines, err := batchfile.Parse("shown", strings.NewReader(line+"\n"))
		if err != nil || len(lines) != 1 {
			t.Fatalf("parsing %q: %v", line, err)
		}
		runBin(t, bin, append([]string{"--config-dir", dir}, lines[0].Args...)...)
	}
	return storeBytes(t, dir)
}

// A sensitive mandatory property is read hidden, re-asked when empty, and
// the equivalent command prompts for it rather than show it.
func TestPromptedSecretHidden(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	const secret = "pty-Prompted-Zz41"
	s := startPTY(t, bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "Obs",
		"--type", "obscured-value", "--set", "enabled:true")
	s.waitFor("Enter the value of obscured-value, or q to quit: ")
	s.typeText("\r")
	s.waitFor("Invalid value: it is empty")
	s.typeText(secret + "\r")
	s.waitFor("Apply this change? [y/N]: ")
	s.typeText("yes\r")
	out := s.succeed()
	if strings.Contains(out, secret) {
		t.Fatalf("the secret was shown:\n%s", out)
	}
	if !strings.Contains(out, "dsconfig create-passphrase-provider --provider-name Obs --type obscured-value --set enabled:true --set obscured-value\r\n") {
		t.Errorf("the equivalent command does not prompt for the secret:\n%s", out)
	}
	for _, f := range []string{"config.yaml", "config-audit.log"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the secret in clear", f)
		}
	}
}

// q, Ctrl-C and a "no" to the confirmation leave the store byte for byte
// as it was.
func TestPromptedLeaving(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	if b, err := exec.Command(bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "Old",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:OLD").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	before := storeBytes(t, dir)
	for _, c := range []struct {
		name, keys string
		code       int
	}{
		{"q", "q\r", exitInterrupted},
		{"ctrl-c", "tr\x03", exitInterrupted},
		{"declined", "true\rNEW\r\r", exitInterrupted},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := startPTY(t, bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "New")
			s.waitFor("Enter choice")
			s.typeText("environment-variable\r")
			s.waitFor("Enter the value of enabled")
			for _, k := range strings.SplitAfter(c.keys, "\r") {
				if k != "" {
					s.typeText(k)
				}
				if k == "true\r" {
					s.waitFor("Enter the value of environment-variable")
				}
				if k == "NEW\r" {
					s.waitFor("Apply this change? [y/N]: ")
				}
			}
			if code := s.wait(); code != c.code {
				t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, c.code, s.output())
			}
			if !bytes.Equal(storeBytes(t, dir), before) {
				t.Error("the store changed")
			}
		})
	}
}

// set-*-prop without the name offers the existing objects.
func TestPromptedSetPropName(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	if b, err := exec.Command(bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "Old",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:OLD").CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	s := startPTY(t, bin, "--config-dir", dir, "set-passphrase-provider-prop", "--set", "enabled:false")
	s.waitFor("Select the Passphrase Provider to modify (--provider-name):")
	s.waitFor("  1) Old  environment-variable")
	s.typeText("Old\r")
	s.waitFor("dsconfig set-passphrase-provider-prop --provider-name Old --set enabled:false")
	s.typeText("y\r")
	s.succeed()
	if !bytes.Contains(storeBytes(t, dir), []byte("false")) {
		t.Errorf("not applied:\n%s", storeBytes(t, dir))
	}
}

// With --no-prompt, or without a terminal, nothing is asked: the
// missing argument is named, exit 2.
func TestNoPromptNamesMissing(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "--no-prompt", "create-passphrase-provider", "--type", "environment-variable")
	if code := s.wait(); code != exitUsage {
		t.Fatalf("exit %d, want %d:\n%s", code, exitUsage, s.output())
	}
	if out := s.output(); !strings.Contains(out, `The argument "--provider-name" must be specified when this application is used non-interactively`) || strings.Contains(out, "Enter") {
		t.Errorf("the terminal shows:\n%s", out)
	}
	cmd := exec.Command(bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "P")
	out, err := cmd.CombinedOutput()
	if exitCodeOf(err) != exitUsage || !strings.Contains(string(out), `The argument "--type" must be specified when this application is used non-interactively`) {
		t.Errorf("without a terminal: %v\n%s", err, out)
	}
	// A batch line never prompts, even with a terminal.
	batch := filepath.Join(dir, "batch.dsconfig")
	os.WriteFile(batch, []byte("dsconfig create-passphrase-provider --type environment-variable\n"), 0o600)
	s = startPTY(t, bin, "--config-dir", dir, "--batch-file", batch)
	if code := s.wait(); code != exitUsage {
		t.Fatalf("batch: exit %d, want %d:\n%s", code, exitUsage, s.output())
	}
	if out := s.output(); !strings.Contains(out, `"--provider-name" must be specified`) || strings.Contains(out, "Enter") {
		t.Errorf("batch: the terminal shows:\n%s", out)
	}
	if storeBytes(t, dir) != nil {
		t.Error("the store was written")
	}
}

func exitCodeOf(err error) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}
