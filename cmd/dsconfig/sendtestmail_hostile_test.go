package main

import (
	"bufio"
	"encoding/base64"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// rawSMTP serves loopback connections with handle until the test ends,
// and counts them.
func rawSMTP(t *testing.T, handle func(c net.Conn, r *bufio.Reader)) (port string, accepted *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int32)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				handle(c, bufio.NewReader(c))
			})
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	_, port, _ = net.SplitHostPort(l.Addr().String())
	return port, accepted
}

// echoingServer answers AUTH with a 535 that quotes the client's SASL
// data in base64, decoded, and in URL-safe base64, and stalls at DATA
// when stallData is set.
func echoingServer(stallData bool) func(c net.Conn, r *bufio.Reader) {
	return func(c net.Conn, r *bufio.Reader) {
		w := func(s string) { c.Write([]byte(s + "\r\n")) }
		w("220 echo ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimRight(line, "\r\n")
			verb, arg, _ := strings.Cut(line, " ")
			switch strings.ToUpper(verb) {
			case "EHLO":
				w("250-echo\r\n250 AUTH PLAIN LOGIN XOAUTH2")
			case "AUTH":
				f := strings.Fields(arg)
				b64 := f[len(f)-1]
				raw, _ := base64.StdEncoding.DecodeString(b64)
				clear := strings.NewReplacer("\x00", " ", "\x01", " ").Replace(string(raw))
				w("535 5.7.8 rejected " + b64 + " [" + clear + "] " + base64.URLEncoding.EncodeToString(raw))
			case "MAIL", "RCPT":
				w("250 ok")
			case "DATA":
				if stallData {
					for {
						if _, err := r.ReadString('\n'); err != nil {
							return
						}
					}
				}
				w("354 go ahead")
			case "QUIT":
				w("221 bye")
				return
			default:
				w("502 what")
			}
		}
	}
}

// secretForms lists what must not appear: the secret, and the base64 of
// it as it reads at each alignment inside a longer message.
func secretForms(s string) []string {
	forms := []string{s}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := range 3 {
			e := strings.TrimRight(enc.EncodeToString(append(make([]byte, k), s...)), "=")
			from, to := (8*k+5)/6, min(8*(k+len(s))/6, len(e))
			forms = append(forms, e[from:to])
		}
	}
	return forms
}

// A server that quotes the client's SASL data back in its 535 shows no
// secret in any output: the step lines, "dsconfig: error:", the JSON
// error and the --verbose transcript, for a static token and for a
// password from a passphrase provider.
func TestSendTestMailEchoedSecretsMasked(t *testing.T) {
	const password = "pw-Echoed-5a4b3c2d1e"
	for _, c := range []struct{ name, secret string }{{"token", ""}, {"password", password}} {
		t.Run(c.name, func(t *testing.T) {
			e := newMailEnv(t, sandbox.Options{})
			e.provision()
			port, _ := rawSMTP(t, echoingServer(false))
			e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-host-name:127.0.0.1",
				"--set", "server-port:"+port, "--set", "smtp-security:none")
			secret := e.env["SMTP_BEARER_TOKEN"]
			if c.secret != "" {
				secret = c.secret
				e.env["SMTP_PASSWORD"] = secret
				e.must("create-passphrase-provider", "--provider-name", "Password", "--type", "environment-variable",
					"--set", "enabled:true", "--set", "environment-variable:SMTP_PASSWORD")
				e.must("set-external-server-prop", "--server-name", "Sandbox", "--reset", "token-acquisition-method",
					"--set", "passphrase-provider:Password")
			}
			for _, args := range [][]string{{"--verbose"}, {"--verbose", "--output", "json"}, {"--mechanism", "xoauth2", "--verbose"}} {
				if c.secret != "" && args[0] == "--mechanism" {
					continue
				}
				code, out, errOut := e.run(append([]string{"send-test-mail", "--to", "ops@example.com"}, args...)...)
				if code != exitAuth || !strings.Contains(out+errOut, "535 5.7.8 rejected") {
					t.Fatalf("%v: exit %d\n%s%s", args, code, out, errOut)
				}
				for _, f := range secretForms(secret) {
					if strings.Contains(out+errOut, f) {
						t.Errorf("%v: output shows %q:\n%s%s", args, f, out, errOut)
					}
				}
			}
		})
	}
}

// A server that stops answering during DATA is a connection failure
// (exit 5), not a refusal of the message (exit 7).
func TestSendTestMailStallAtDataExitsConnect(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provision()
	port, _ := rawSMTP(t, echoingServer(true))
	e.must("set-external-server-prop", "--server-name", "Sandbox", "--set", "server-host-name:127.0.0.1",
		"--set", "server-port:"+port, "--set", "smtp-security:none", "--reset", "token-acquisition-method",
		"--reset", "user-name", "--set", "smtp-timeout:300 ms")
	start := time.Now()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--from", "alerts@example.com")
	if code != exitConnect || !strings.Contains(errOut, "stopped answering during DATA") {
		t.Fatalf("exit %d (want %d)\n%s%s", code, exitConnect, out, errOut)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
}

// "no sender address" is found before connecting.
func TestSendTestMailNoSenderBeforeConnecting(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	port, accepted := rawSMTP(t, echoingServer(false))
	e.must("create-external-server", "--server-name", "Plain", "--type", "smtp",
		"--set", "server-host-name:127.0.0.1", "--set", "server-port:"+port)
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--server-name", "Plain")
	if code != exitConfig || !strings.Contains(errOut, "no sender address") {
		t.Fatalf("exit %d (want %d)\n%s%s", code, exitConfig, out, errOut)
	}
	if n := accepted.Load(); n != 0 {
		t.Errorf("%d connections were made", n)
	}
}
