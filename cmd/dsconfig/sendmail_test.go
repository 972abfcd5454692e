package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

func (e *mailEnv) runIn(in string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	ios := &IOStreams{In: strings.NewReader(in), Out: &out, ErrOut: &errOut}
	getenv := func(k string) string { return e.env[k] }
	code = Main(append([]string{"--config-dir", e.dir}, args...), ios, getenv)
	return code, out.String(), errOut.String()
}

const testMessage = "From: Alerts <alerts@example.com>\nTo: ops@example.com\nCc: dev@example.com\nBcc: secret@example.com\nSubject: disk full\n\n.hidden dot line\nbody\n"

func TestSendMailT(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	code, out, errOut := e.runIn(testMessage, "send-mail", "-t", "-oi", "-oem", "-B8BITMIME")
	if code != 0 || out != "" || errOut != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	msgs := e.sb.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if strings.Join(m.To, " ") != "ops@example.com dev@example.com secret@example.com" || m.From != "alerts@example.com" {
		t.Errorf("envelope %q → %q", m.From, m.To)
	}
	data := string(m.Data)
	for _, want := range []string{"Subject: disk full\r\n", "\r\n.hidden dot line\r\n", "Message-ID: <", "Date: "} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(data, "secret@") || strings.Contains(data, "Bcc") {
		t.Errorf("Bcc was sent:\n%s", data)
	}
}

func TestSendMailExitCodes(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	long := "Subject: " + strings.Repeat("x", 1000) + "\n\nbody\n"
	for _, c := range []struct {
		name, in string
		args     []string
		code     int
		want     string
	}{
		{"usage", testMessage, []string{"-Z"}, 64, "unknown option -Z"},
		{"no recipient", "Subject: x\n\nbody\n", nil, 64, "no recipient"},
		{"long header", long, []string{"ops@example.com"}, 65, "header line 1 is 1009 octets long"},
		{"too large", testMessage, []string{"-t", "--max-size", "10"}, 65, "larger than 10 bytes"},
		{"bad header", "From: a@example.com\nnot a header\n\nbody\n", []string{"ops@example.com"}, 65, "header line 2 is malformed"},
		{"refused", testMessage, []string{"nobody@invalid"}, 69, "550"},
		{"bad server", testMessage, []string{"--server-name", "Nope", "ops@example.com"}, 78, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errOut := e.runIn(c.in, append([]string{"send-mail"}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, c.code, errOut)
			}
		})
	}
	if n := len(e.sb.Messages()); n != 0 {
		t.Errorf("%d messages sent", n)
	}
}

// TestSendMailQueue: with the server down, --queue keeps the message
// and exits 0, without it exits 75 and keeps nothing; once the server is
// back, two concurrent send-queued-mail runs deliver it exactly once.
func TestSendMailQueue(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().(*net.TCPAddr).Port
	l.Close()
	_, port, _ := net.SplitHostPort(e.sb.SMTPAddr)
	e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-port:"+itoa(dead))
	code, _, errOut := e.runIn(testMessage, "send-mail", "-t")
	if code != 75 {
		t.Fatalf("without --queue: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "queue")); err == nil {
		t.Errorf("a queue was made without --queue")
	}
	code, _, errOut = e.runIn(testMessage, "send-mail", "-t", "--queue")
	if code != 0 || !strings.Contains(errOut, "queued as ") || !strings.Contains(errOut, "send-queued-mail will retry it") {
		t.Fatalf("with --queue: exit %d\n%s", code, errOut)
	}
	fi, err := os.Stat(filepath.Join(e.dir, "queue"))
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("queue: %v %v", fi, err)
	}
	if code, _, errOut = e.run("send-queued-mail"); code != 75 {
		t.Fatalf("send-queued-mail with the server down: exit %d\n%s", code, errOut)
	}
	code, out, _ := e.run("list-queued-mail")
	if code != 0 || !strings.Contains(out, "queued") || !strings.Contains(out, "ops@example.com") {
		t.Errorf("list-queued-mail: %d\n%s", code, out)
	}
	e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-port:"+port)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = e.run("send-queued-mail")
		}()
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Errorf("exits %v", codes)
	}
	if n := len(e.sb.Messages()); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
	if code, out, _ := e.run("list-queued-mail", "--script-friendly"); code != 0 || out != "" {
		t.Errorf("queue after flush: %d %q", code, out)
	}
}

func TestArgsSendmailName(t *testing.T) {
	if got := Args([]string{"/usr/sbin/sendmail", "-t"}); strings.Join(got, " ") != "send-mail -t" {
		t.Errorf("%q", got)
	}
	if got := Args([]string{"dsconfig", "-V"}); strings.Join(got, " ") != "-V" {
		t.Errorf("%q", got)
	}
}
