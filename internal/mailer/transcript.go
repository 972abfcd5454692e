package mailer

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// transcript writes every SMTP line of a session, "C: " for what the
// client sent and "S: " for what the server answered, with credentials
// masked. go-smtp's DebugWriter cannot be used: it mixes both directions
// in one stream and writes the AUTH line as is.
//
// Masking does not depend on recognising a token: the arguments of the
// AUTH command and every client line sent while AUTH is in progress are
// replaced, except the empty line and the "*" abort, which carry nothing.
// The known secrets are masked wherever else they might appear, too.
type transcript struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *secrets
	inAuth  bool
	partial [2][]byte // unfinished line per direction
}

const (
	dirClient = 0
	dirServer = 1
)

func newTranscript(w io.Writer, sec *secrets) *transcript {
	if sec == nil {
		sec = &secrets{}
	}
	return &transcript{w: w, secrets: sec}
}

// addSecret makes sure s never appears in the transcript, in any form
// config.Redact masks; the lines of a SASL exchange are masked whole.
func (t *transcript) addSecret(s string) {
	if t == nil || s == "" {
		return
	}
	t.secrets.add(s)
}

// note writes a line of commentary, such as "TLS handshake done".
func (t *transcript) note(format string, args ...any) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	fmt.Fprintf(t.w, "-- "+format+"\n", args...)
}

func (t *transcript) write(dir int, b []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	buf := append(t.partial[dir], b...)
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break
		}
		t.line(dir, strings.TrimRight(string(buf[:i]), "\r"))
		buf = buf[i+1:]
	}
	t.partial[dir] = append([]byte(nil), buf...)
}

func (t *transcript) line(dir int, l string) {
	prefix := "C: "
	if dir == dirServer {
		prefix = "S: "
		t.serverLine(l)
	} else {
		l = t.clientLine(l)
	}
	fmt.Fprintf(t.w, "%s%s\n", prefix, t.scrub(l))
}

// serverLine tracks whether an AUTH exchange goes on: a 334 continues it,
// any other final reply ends it.
func (t *transcript) serverLine(l string) {
	if len(l) >= 3 && !strings.HasPrefix(l, "334") && (len(l) == 3 || l[3] == ' ') {
		t.inAuth = false
	}
}

func (t *transcript) clientLine(l string) string {
	if t.inAuth {
		if l == "" || l == "*" {
			return l
		}
		return config.Mask
	}
	f := strings.Fields(l)
	if len(f) >= 1 && strings.EqualFold(f[0], "AUTH") {
		t.inAuth = true
		if len(f) > 2 {
			return f[0] + " " + f[1] + " " + config.Mask
		}
	}
	return l
}

func (t *transcript) scrub(l string) string { return t.secrets.redact(l) }

// loggedConn copies what goes over c, in clear text, to the transcript.
// It sits above TLS, so the transcript shows SMTP, not ciphertext.
type loggedConn struct {
	net.Conn
	t *transcript
}

func (c *loggedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.t.write(dirServer, b[:n])
	}
	return n, err
}

func (c *loggedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.t.write(dirClient, b[:n])
	}
	return n, err
}

// logged wraps c when there is a transcript.
func logged(c net.Conn, t *transcript) net.Conn {
	if t == nil {
		return c
	}
	return &loggedConn{Conn: c, t: t}
}
