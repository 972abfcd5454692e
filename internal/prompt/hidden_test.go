//go:build linux

package prompt

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (ptmx, tty *os.File) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { ptmx.Close(); tty.Close() })
	return ptmx, tty
}

// readUntil reads from the master end until want has appeared.
func readUntil(t *testing.T, r io.Reader, want string) string {
	t.Helper()
	var got bytes.Buffer
	buf := make([]byte, 256)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(got.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("no %q on the terminal; it shows %q", want, got.String())
		}
		n, err := r.Read(buf)
		got.Write(buf[:n])
		if err != nil {
			t.Fatalf("reading the terminal: %v (it shows %q)", err, got.String())
		}
	}
	return got.String()
}

// echoProbe is the prompt's writer: it records whether the terminal
// still echoed when the prompt was written.
type echoProbe struct {
	tty    *os.File
	echoed atomic.Bool // a prompt was written while echo was on
}

func (p *echoProbe) Write(b []byte) (int, error) {
	tio, err := unix.IoctlGetTermios(int(p.tty.Fd()), unix.TCGETS)
	if bytes.Contains(b, []byte("Secret")) && (err != nil || tio.Lflag&unix.ECHO != 0) {
		p.echoed.Store(true)
	}
	return p.tty.Write(b)
}

// Echo must be off before the prompt is written: a person (or a script)
// who types as soon as the prompt appears must not see the answer. The
// prompt used to be printed first, and echo turned off a moment later.
func TestEchoIsOffWhenThePromptAppears(t *testing.T) {
	ptmx, tty := openPTY(t)
	const secret = "typed-at-once-Qx81"
	probe := &echoProbe{tty: tty}
	done := make(chan string, 1)
	go func() {
		v, _ := ReadHidden(context.Background(), probe, int(tty.Fd()), "Secret: ")
		done <- v
	}()
	readUntil(t, ptmx, "Secret: ")
	if probe.echoed.Load() {
		t.Fatal("the prompt was written while the terminal still echoed")
	}
	ptmx.Write([]byte(secret + "\r"))
	if v := <-done; v != secret {
		t.Errorf("ReadHidden = %q, want %q", v, secret)
	}
	rest := readUntil(t, ptmx, "\n")
	if strings.Contains(rest, secret) {
		t.Errorf("the answer was echoed: %q", rest)
	}
	if tio, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); tio.Lflag&unix.ECHO == 0 {
		t.Error("echo was not restored")
	}
}

// Ctrl-C (a cancelled context) restores echo and returns the context's
// error.
func TestCancelRestoresEcho(t *testing.T) {
	ptmx, tty := openPTY(t)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := ReadHidden(ctx, tty, int(tty.Fd()), "Secret: ")
		errc <- err
	}()
	readUntil(t, ptmx, "Secret: ")
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if tio, _ := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS); tio.Lflag&unix.ECHO == 0 {
		t.Error("echo was not restored after cancellation")
	}
}
