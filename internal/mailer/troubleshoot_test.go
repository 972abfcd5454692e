package mailer

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// failingSource cannot reach its token endpoint.
type failingSource struct{}

func (failingSource) Token(context.Context) (*httpauth.Token, error) {
	return nil, &httpauth.TokenError{Method: "entra", Endpoint: "https://127.0.0.1:1/token", ClientID: "id",
		Class: httpauth.ClassConnect, Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}
}
func (failingSource) Reject(context.Context, *httpauth.Token) error { return nil }

// A token-stage failure gets the token endpoint's hint, not the SMTP
// connection's.
func TestTokenFailureHasEndpointHint(t *testing.T) {
	s := &Server{Host: "127.0.0.1", Port: 1, Security: SecurityNone, Timeout: time.Second, User: "alerts@example.com", Tokens: failingSource{}}
	_, err := send(t, s, opts(&steps{}))
	e := asError(t, err)
	if e.Stage != StageToken {
		t.Fatalf("stage %s: %v", e.Stage, err)
	}
	h := e.ErrorHint()
	if strings.Contains(h, "server-host-name") || strings.Contains(h, "smtp-timeout") || !strings.Contains(h, "oauth-server-token-endpoint-url") {
		t.Errorf("hint %q", h)
	}
}

// A port that accepts but never greets says so, with a hint about the
// port and the security; one that closes at once says that.
func TestNoGreeting(t *testing.T) {
	for _, closeAtOnce := range []bool{false, true} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			c, err := l.Accept()
			if err == nil {
				if !closeAtOnce {
					io.Copy(io.Discard, c) // until the client gives up
				}
				c.Close()
			}
		}()
		s := &Server{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: SecurityNone, Timeout: 300 * time.Millisecond, User: "alerts@example.com"}
		_, err = send(t, s, opts(&steps{}))
		l.Close()
		<-done
		e := asError(t, err)
		want := "connected, but no SMTP greeting within smtp-timeout"
		if closeAtOnce {
			want = "connected, but the server closed the connection without an SMTP greeting"
		}
		if e.Stage != StageConnect || !strings.Contains(err.Error(), want) ||
			!strings.Contains(e.ErrorHint(), "implicit TLS") || !strings.Contains(e.ErrorHint(), "firewall") {
			t.Errorf("got %v / %q", err, e.ErrorHint())
		}
	}
}

// A TLS failure names the trust manager provider that judged the
// certificate.
func TestTLSFailureNamesTrustManager(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	s := server(t, sb, newEndpointSource(sb))
	s.Security, s.TLS = SecurityStartTLS, nil
	_, err := send(t, s, opts(&steps{}))
	if err == nil || !strings.Contains(err.Error(), "checked against the system trust store") {
		t.Errorf("got %v", err)
	}
	s.TrustManager = "Corporate CA"
	_, err = send(t, s, opts(&steps{}))
	if err == nil || !strings.Contains(err.Error(), `checked against trust-manager-provider "Corporate CA"`) {
		t.Errorf("got %v", err)
	}
}

// staticFake is a static-bearer-token source that the server rejects.
type staticFake struct{ badSource }

func (*staticFake) Describe() httpauth.Info {
	return httpauth.Info{Method: "pasted", Type: httpauth.TypeStaticBearerToken}
}

// A rejected static token is not retried, and the report says why.
func TestStaticTokenIsNotRenewed(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	src := &staticFake{}
	st := &steps{}
	_, err := send(t, server(t, sb, src), opts(st))
	e := asError(t, err)
	if e.Stage != StageAuth || src.calls != 1 || len(sb.AuthAttempts()) != 1 {
		t.Fatalf("got %v; token calls %d, auth attempts %d", err, src.calls, len(sb.AuthAttempts()))
	}
	var said bool
	for _, s := range st.all {
		if strings.Contains(s.Detail, "retrying") {
			t.Errorf("step %q promises a retry", s.Detail)
		}
		said = said || strings.Contains(s.Detail, "a static bearer token is not renewed")
	}
	if !said || !strings.Contains(e.ErrorHint(), "never renewed") {
		t.Errorf("steps %+v, hint %q", st.all, e.ErrorHint())
	}
}

// Only a rejection of the token leads to a new one: SMTP AUTH disabled
// (5.7.139) is policy.
func TestTokenRejected(t *testing.T) {
	for _, c := range []struct {
		code int
		enh  smtp.EnhancedCode
		want bool
	}{
		{535, smtp.EnhancedCode{5, 7, 3}, true},
		{535, smtp.EnhancedCode{5, 7, 8}, true},
		{535, smtp.EnhancedCode{5, 7, 139}, false},
		{501, smtp.EnhancedCode{5, 5, 127}, true},
		{550, smtp.EnhancedCode{5, 7, 30}, false},
	} {
		e := &Error{Stage: StageAuth, Reply: &smtp.SMTPError{Code: c.code, EnhancedCode: c.enh, Message: "x"}}
		if got := tokenRejected(e); got != c.want {
			t.Errorf("%d %v: tokenRejected %v", c.code, c.enh, got)
		}
	}
}

func TestGmailBadCredentialsHint(t *testing.T) {
	h := replyHint(&smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Username and Password not accepted. For more information, go to https://support.google.com/mail/?p=BadCredentials"})
	for _, want := range []string{"https://mail.google.com/", "domain-wide delegation", "user-name"} {
		if !strings.Contains(h, want) {
			t.Errorf("hint %q lacks %q", h, want)
		}
	}
	if strings.Contains(h, "SendAsApp") {
		t.Errorf("Gmail gets the Exchange checklist: %q", h)
	}
}

// lockedBuffer is a transcript sink.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// After a final 535 the exchange is over: no "*" follows it.
func TestNoAbortAfterFinalReply(t *testing.T) {
	for _, g := range []bool{false, true} {
		sb := startSandbox(t, sandbox.Options{GoogleErrors: g})
		var tr lockedBuffer
		o := opts(&steps{})
		o.Transcript = &tr
		o.Mechanism = xOAUTH2
		_, err := send(t, server(t, sb, &badSource{}), o)
		if err == nil {
			t.Fatal("forged token accepted")
		}
		text := tr.b.String()
		if strings.Contains(text, "C: *") || strings.Contains(text, "5.5.2") {
			t.Errorf("google %v: stray abort:\n%s", g, text)
		}
		if !strings.Contains(text, "S: 535") {
			t.Errorf("google %v: transcript:\n%s", g, text)
		}
	}
}
