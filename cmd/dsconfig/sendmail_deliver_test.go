package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
	"github.com/dsconfig-smtp/dsconfig/internal/sendmail"
)

// scriptedSMTP is a plaintext loopback server that accepts AUTH, MAIL and
// RCPT, except that RCPT gets rcptReply when it is set; at DATA it
// answers 354, reads the body and then, with dropAfterBody, closes the
// connection without a final reply. It counts the bodies it read.
func scriptedSMTP(t *testing.T, rcptReply string, dropAfterBody bool) (port string, bodies *atomic.Int32) {
	bodies = new(atomic.Int32)
	port, _ = rawSMTP(t, func(c net.Conn, r *bufio.Reader) {
		w := func(s string) { c.Write([]byte(s + "\r\n")) }
		w("220 scripted ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			verb, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
			switch strings.ToUpper(verb) {
			case "EHLO":
				w("250-scripted\r\n250-8BITMIME\r\n250 AUTH XOAUTH2 OAUTHBEARER")
			case "AUTH":
				w("235 2.7.0 accepted")
			case "RCPT":
				w(map[bool]string{true: rcptReply, false: "250 2.1.5 ok"}[rcptReply != ""])
			case "DATA":
				w("354 go ahead")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
				}
				bodies.Add(1)
				if dropAfterBody {
					return
				}
				w("250 2.0.0 queued")
			case "QUIT":
				w("221 bye")
				return
			default:
				w("250 ok")
			}
		}
	})
	return port, bodies
}

// provisionScripted adds the plaintext server "Scripted" on port and
// lists it before Sandbox.
func (e *mailEnv) provisionScripted(port string) {
	e.must("create-external-server", "--server-name", "Scripted", "--type", "smtp", "--set", "server-host-name:127.0.0.1",
		"--set", "server-port:"+port, "--set", "smtp-security:none", "--set", "user-name:alerts@example.com",
		"--set", "token-acquisition-method:Bearer", "--set", "smtp-timeout:5 s")
	e.must("set-global-configuration-prop", "--set", "smtp-server:Scripted", "--set", "smtp-server:Sandbox")
}

// The cached token is revoked: send-mail is refused once, renews it and
// delivers, with exactly one renewal.
func TestSendMailRenewsRejectedToken(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	e.provisionClient()
	e.must("get-access-token", "--method-name", "Client")
	e.sb.RevokeAll()
	code, out, errOut := e.runIn(testMessage, "send-mail", "-t", "-v")
	if code != 0 || out != "" {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if n := strings.Count(errOut, "the token was rejected; discarding it and retrying once"); n != 1 {
		t.Errorf("%d renewals reported, want 1:\n%s", n, errOut)
	}
	if n, m := e.sb.TokenRequests(), len(e.sb.Messages()); n != 2 || m != 1 {
		t.Errorf("%d token requests and %d messages, want 2 and 1", n, m)
	}
	// A new token that is refused too is not renewed again: 77.
	e.sb.RevokeAll()
	e.env["SMTP_CLIENT_SECRET"] = "wrong"
	code, _, errOut = e.runIn(testMessage, "send-mail", "-t", "--queue")
	if code != 77 {
		t.Errorf("token request refused: exit %d, want 77\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "queue")); err == nil {
		t.Errorf("a refused authentication was queued")
	}
}

// A static token the server refuses is EX_NOPERM, not queued.
func TestSendMailAuthRefused(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	e.env["SMTP_BEARER_TOKEN"] = "not-a-token-the-sandbox-issued"
	code, _, errOut := e.runIn(testMessage, "send-mail", "-t", "--queue")
	if code != 77 || !strings.Contains(errOut, "535") {
		t.Errorf("exit %d, want 77\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "queue")); err == nil || len(e.sb.Messages()) != 0 {
		t.Errorf("queued or sent after a refused authentication")
	}
}

func TestSendMailFailover(t *testing.T) {
	t.Run("connection", func(t *testing.T) {
		e := newMailEnv(t, sandbox.Options{RequireTLS: true})
		e.provision()
		e.must("create-external-server", "--server-name", "Dead", "--type", "smtp", "--set", "server-host-name:127.0.0.1",
			"--set", "server-port:1", "--set", "smtp-security:starttls", "--set", "smtp-timeout:2 s")
		e.must("set-global-configuration-prop", "--set", "smtp-server:Dead", "--set", "smtp-server:Sandbox")
		code, _, errOut := e.runIn(testMessage, "send-mail", "-t", "-f", "alerts@example.com")
		if code != 0 || errOut != "" || len(e.sb.Messages()) != 1 {
			t.Fatalf("exit %d, %d messages\n%s", code, len(e.sb.Messages()), errOut)
		}
	})
	t.Run("temporary", func(t *testing.T) {
		e := newMailEnv(t, sandbox.Options{RequireTLS: true})
		e.provision()
		port, bodies := scriptedSMTP(t, "451 4.3.0 try later", false)
		e.provisionScripted(port)
		code, _, errOut := e.runIn(testMessage, "send-mail", "-t", "-v")
		if code != 0 || !strings.Contains(errOut, `trying the next server, "Sandbox"`) {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if len(e.sb.Messages()) != 1 || bodies.Load() != 0 {
			t.Errorf("sandbox %d messages, scripted %d bodies", len(e.sb.Messages()), bodies.Load())
		}
	})
	// A permanent refusal is not a reason to try another server.
	t.Run("permanent", func(t *testing.T) {
		e := newMailEnv(t, sandbox.Options{RequireTLS: true})
		e.provision()
		port, _ := scriptedSMTP(t, "550 5.1.1 no such user", false)
		e.provisionScripted(port)
		code, _, errOut := e.runIn(testMessage, "send-mail", "-t", "--queue")
		if code != 69 || !strings.Contains(errOut, "550 5.1.1") {
			t.Fatalf("exit %d, want 69\n%s", code, errOut)
		}
		if len(e.sb.Messages()) != 0 {
			t.Errorf("failed over after a permanent refusal")
		}
	})
}

// The connection drops after the body, before the final reply: delivery
// is unknown, so send-mail neither fails over nor queues, and exits 76.
func TestSendMailDeliveryUnknown(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	port, bodies := scriptedSMTP(t, "", true)
	e.provisionScripted(port)
	code, out, errOut := e.runIn(testMessage, "send-mail", "-t", "--queue")
	if code != 76 || out != "" || !strings.Contains(errOut, "delivery unknown") || !strings.Contains(errOut, "neither queued nor sent through another server") {
		t.Fatalf("exit %d, want 76\n%s%s", code, out, errOut)
	}
	if bodies.Load() != 1 || len(e.sb.Messages()) != 0 {
		t.Errorf("scripted %d bodies, sandbox %d messages: want 1 and 0", bodies.Load(), len(e.sb.Messages()))
	}
	if _, err := os.Stat(filepath.Join(e.dir, "queue")); err == nil {
		t.Errorf("a message of unknown delivery was queued")
	}
}

// Each failure class has its sysexits code.
func TestSysexitCode(t *testing.T) {
	rep := func(code int) *smtp.SMTPError { return &smtp.SMTPError{Code: code} }
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{&sendmail.UsageError{Err: errors.New("x")}, 64},
		{usagef("x"), 64},
		{&sendmail.DataError{Err: errors.New("x")}, 65},
		{&mailer.Error{Stage: mailer.StageRcpt, Reply: rep(550)}, 69},
		{&sendmail.FlushError{Failed: 1, Pending: 1}, 69},
		{errors.New("x"), 70},
		{fmt.Errorf("x: %w", fs.ErrPermission), 74},
		{&mailer.Error{Stage: mailer.StageConnect, Err: io.EOF}, 75},
		{&mailer.Error{Stage: mailer.StageData, Reply: rep(451)}, 75},
		{&sendmail.FlushError{Pending: 1}, 75},
		{&mailer.Error{Stage: mailer.StageData, Unknown: true, Err: io.EOF}, 76},
		{&mailer.Error{Stage: mailer.StageAuth, Reply: rep(535)}, 77},
		{&httpauth.TokenError{Class: httpauth.ClassOAuth}, 77},
		{&mailer.Error{Stage: mailer.StageConfig, Err: io.EOF}, 78},
		{context.Canceled, exitInterrupted},
	} {
		if got := sysexitCode(c.err); got != c.want {
			t.Errorf("sysexitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
