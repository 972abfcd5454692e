package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The hidden prompt is tested through a real pseudo-terminal against the
// built binary: only then are echo, the controlling terminal and Ctrl-C
// real.

func buildDsconfig(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "dsconfig")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// ptySession is dsconfig running on a pseudo-terminal.
type ptySession struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File // the master side
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	seen int // the end of what waitFor last found
}

func startPTY(t *testing.T, bin string, args ...string) *ptySession {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "TERM=dumb")
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	s := &ptySession{t: t, cmd: cmd, tty: tty, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 1024)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); tty.Close() })
	return s
}

func (s *ptySession) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// waitFor waits until the terminal shows text after what the previous
// waitFor found. Searching only the new output keeps a prompt that is
// shown again, such as "Enter choice: ", from matching its earlier copy
// before the program has got there. The deadline only guards against a
// hung test.
func (s *ptySession) waitFor(text string) {
	s.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := s.output()
		if i := strings.Index(out[s.seen:], text); i >= 0 {
			s.seen += i + len(text)
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal never showed %q after what was last awaited; it shows:\n%s\n[awaited up to here]\n%s", text, out[:s.seen], out[s.seen:])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *ptySession) typeText(text string) {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(text)); err != nil {
		s.t.Fatal(err)
	}
}

// answer goes through a dialogue: it waits for each prompt in turn and
// types its answer, then Enter. qa alternates prompts and answers.
func (s *ptySession) answer(qa ...string) {
	s.t.Helper()
	for i := 0; i+1 < len(qa); i += 2 {
		s.waitFor(qa[i])
		s.typeText(qa[i+1] + "\r")
	}
}

// succeed waits for the process to end, fails the test unless it exited
// 0, and returns what the terminal showed.
func (s *ptySession) succeed() string {
	s.t.Helper()
	if code := s.wait(); code != 0 {
		s.t.Fatalf("exit %d; the terminal shows:\n%s", code, s.output())
	}
	return s.output()
}

// wait returns the exit code once the process has ended and its output
// is drained.
func (s *ptySession) wait() int {
	s.t.Helper()
	err := s.cmd.Wait()
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		s.t.Fatal(err)
	}
	return 0
}

func TestHiddenPrompt(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	const secret = "pty-Secret-Wq7Zr3"
	s := startPTY(t, bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "Typed",
		"--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value")
	s.waitFor("Enter the value of obscured-value: ")
	s.typeText(secret + "\r")
	s.waitFor("Confirm the value of obscured-value: ")
	s.typeText(secret + "\r")
	s.succeed()
	if strings.Contains(s.output(), secret) {
		t.Fatalf("the typed secret was echoed:\n%s", s.output())
	}
	out, err := exec.Command(bin, "--config-dir", dir, "test-passphrase-provider", "--provider-name", "Typed").CombinedOutput()
	if err != nil || !strings.Contains(string(out), config.Fingerprint(secret)) {
		t.Fatalf("test-passphrase-provider: %v\n%s\nwant fingerprint %s", err, out, config.Fingerprint(secret))
	}
}

func TestHiddenPromptMismatch(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-passphrase-provider", "--provider-name", "Typed",
		"--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value")
	s.waitFor("Enter the value")
	s.typeText("one-value\r")
	s.waitFor("Confirm the value")
	s.typeText("another-value\r")
	if code := s.wait(); code != exitUsage {
		t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, exitUsage, s.output())
	}
	if !strings.Contains(s.output(), "differ") {
		t.Errorf("no mismatch message:\n%s", s.output())
	}
	if _, err := os.Stat(filepath.Join(dir, "config.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the store was written after a mismatch: %v", err)
	}
}

func TestHiddenPromptInterrupted(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	s := startPTY(t, bin, "--config-dir", dir, "create-external-server", "--server-name", "S", "--type", "smtp",
		"--set", "server-host-name:smtp.example.com", "--set", "user-name:u", "--set", "password")
	s.waitFor("Enter the value of password: ")
	s.typeText("half-typed\x03") // Ctrl-C
	if code := s.wait(); code != exitInterrupted {
		t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, exitInterrupted, s.output())
	}
	tio, err := unix.IoctlGetTermios(int(s.tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	if tio.Lflag&unix.ECHO == 0 {
		t.Error("the terminal was left without echo after Ctrl-C")
	}
	if strings.Contains(s.output(), "half-typed") {
		t.Errorf("the typed text was echoed:\n%s", s.output())
	}
}

// TestArgvSecretWarningAtTerminal checks that at a terminal the warning
// about a secret on the command line suggests the prompt, and that it is
// printed only once the change has succeeded.
func TestArgvSecretWarningAtTerminal(t *testing.T) {
	bin := buildDsconfig(t)
	dir := t.TempDir()
	create := []string{"--config-dir", dir, "create-passphrase-provider", "--provider-name", "Argv",
		"--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value:typed-in-argv"}
	s := startPTY(t, bin, create...)
	s.succeed()
	const want = "next time give --set obscured-value without a value to be prompted for it, or use --set-from-file obscured-value:FILE"
	if out := s.output(); !strings.Contains(out, want) || strings.Contains(out, "typed-in-argv") {
		t.Errorf("the terminal shows:\n%s\nwant the warning %q, without the value", out, want)
	}
	// The same again fails (the provider exists): no warning then.
	s = startPTY(t, bin, create...)
	if code := s.wait(); code != exitConfig {
		t.Fatalf("exit %d, want %d; the terminal shows:\n%s", code, exitConfig, s.output())
	}
	if strings.Contains(s.output(), "warning") {
		t.Errorf("a failed command warned:\n%s", s.output())
	}
}
