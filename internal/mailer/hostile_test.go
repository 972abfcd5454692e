package mailer

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
)

// The hostile-server suite: scripted loopback SMTP servers that misbehave
// on purpose. Each case checks the failing stage, that the send ends
// within smtp-timeout plus a margin, that the client's allocations stay
// bounded while the server offers gigabytes, and that no secret shows in
// any output (steps, error, hint, transcript).

// Replies of the scripted server that are not text.
const (
	stall    = "\x00stall"    // stop answering; read until the client leaves
	noReply  = "\x00none"     // answer nothing, read the next line
	endless  = "\x00endless"  // one reply line that never ends ("220 …")
	endless2 = "\x00endless2" // the same as "250 …"
	manyLine = "\x00manyline" // a multi-line reply that never ends
)

// hostileTimeout is the servers' smtp-timeout; hostileMargin is what a
// loaded machine may add to it.
const (
	hostileTimeout = 400 * time.Millisecond
	hostileMargin  = 4 * time.Second
	// hostileOffer is how much an endless reply offers: far more than
	// any client should read. It is streamed from one small buffer.
	hostileOffer = 8 << 30
)

// hostileSecrets are the credentials the cases use.
const (
	hostilePassword = "pw-Hostile-9f8e7d6c5b4a"
	hostileToken    = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJob3N0aWxlIn0.c2lnbmF0dXJlLXRva2VuLXNlY3JldA"
)

type staticSource struct{ tok string }

func (s staticSource) Token(context.Context) (*httpauth.Token, error) {
	return &httpauth.Token{AccessToken: s.tok, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}
func (staticSource) Reject(context.Context, *httpauth.Token) error { return nil }

// startScripted runs a loopback SMTP server that sends greeting, then
// answers each command line with respond(line). It serves every
// connection until the test ends.
func startScripted(t *testing.T, greeting string, respond func(line string) string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				serveScripted(c, greeting, respond)
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
	return &Server{Name: "hostile", Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port,
		Security: SecurityNone, Timeout: hostileTimeout, User: "alerts@example.com"}
}

func serveScripted(c net.Conn, greeting string, respond func(string) string) {
	r := bufio.NewReader(c)
	if !reply(c, r, greeting) {
		return
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		if !reply(c, r, respond(strings.TrimRight(line, "\r\n"))) {
			return
		}
	}
}

// reply sends one scripted reply and says whether the dialogue goes on.
func reply(c net.Conn, r *bufio.Reader, s string) bool {
	switch s {
	case noReply:
		return true
	case stall:
		_, _ = io.Copy(io.Discard, r)
		return false
	case endless, endless2, manyLine:
		stream(c, s)
		return false
	}
	silence := strings.HasSuffix(s, "\x00") // a reply, then a stall
	_, err := io.WriteString(c, strings.ReplaceAll(strings.TrimSuffix(s, "\x00"), "\n", "\r\n")+"\r\n")
	if silence && err == nil {
		_, _ = io.Copy(io.Discard, r)
		return false
	}
	return err == nil
}

// stream offers hostileOffer octets: "220 aaaa…" without an end, or
// "250-aaaa…" lines of 100 octets without a last line. It ends when the
// client stops reading.
func stream(c net.Conn, kind string) {
	chunk := bytes.Repeat([]byte("a"), 32<<10)
	code := "220 "
	if kind == endless2 {
		code = "250 "
	}
	if kind == manyLine {
		l := append([]byte("250-"), bytes.Repeat([]byte("b"), 94)...)
		l = append(l, '\r', '\n')
		chunk = bytes.Repeat(l, 320)
	} else if _, err := c.Write([]byte(code)); err != nil {
		return
	}
	for sent := 0; sent < hostileOffer; sent += len(chunk) {
		if _, err := c.Write(chunk); err != nil {
			return
		}
	}
}

// smtpScript answers like a small server. ehlo is the EHLO reply; the
// overrides replace the answer to the command they name ("AUTH",
// "MAIL", "RCPT", "DATA", "STARTTLS", "EHLO", "BODY" for the end of the
// message).
func smtpScript(ehlo string, over map[string]string) func(string) string {
	inData := false
	return func(line string) string {
		if inData {
			if line != "." {
				return noReply
			}
			inData = false
			if r, ok := over["BODY"]; ok {
				return r
			}
			return "250 2.0.0 queued"
		}
		verb, _, _ := strings.Cut(strings.ToUpper(line), " ")
		if r, ok := over[verb]; ok {
			if verb == "DATA" && strings.HasPrefix(r, "354") {
				inData = true
			}
			return r
		}
		switch verb {
		case "EHLO":
			return ehlo
		case "MAIL", "RCPT":
			return "250 2.1.0 ok"
		case "DATA":
			inData = true
			return "354 go ahead"
		case "QUIT":
			return "221 bye"
		case "AUTH":
			return "235 2.7.0 ok"
		}
		return "502 5.5.2 what"
	}
}

type hostileCase struct {
	name     string
	greeting string
	ehlo     string
	over     map[string]string
	security string
	password bool // authenticate with hostilePassword
	token    bool // authenticate with hostileToken
	stage    Stage
	lost     bool // the failure is the connection's (exit 5)
	orMail   bool // or it fails at MAIL, lost
	check    func(t *testing.T, e *Error)
}

func hostileCases() []hostileCase {
	auth := "250-hostile\n250 AUTH PLAIN LOGIN XOAUTH2"
	return []hostileCase{
		{name: "endless greeting line", greeting: endless, stage: StageConnect, check: tooLong(true)},
		{name: "endless multi-line greeting", greeting: manyLine, stage: StageConnect, check: tooLong(false)},
		// go-smtp's own line limit (2,000 octets) is below ours. go-smtp
		// may fall back to HELO after a failed EHLO and fail at MAIL.
		{name: "endless EHLO line", ehlo: endless2, stage: StageEHLO, orMail: true, check: func(t *testing.T, e *Error) {
			if !strings.Contains(e.Error(), "line") {
				t.Errorf("error %v does not say the line is too long", e)
			}
		}},
		{name: "multi-GB EHLO reply", ehlo: manyLine, stage: StageEHLO, check: tooLong(false)},
		{name: "multi-GB AUTH reply", ehlo: auth, password: true, over: map[string]string{"AUTH": manyLine}, stage: StageAuth, lost: true, check: tooLong(false)},
		{name: "multi-GB DATA reply", over: map[string]string{"BODY": manyLine}, stage: StageData, lost: true, check: tooLong(false)},
		{name: "stall at greeting", greeting: stall, stage: StageConnect},
		{name: "stall at EHLO", ehlo: stall, stage: StageEHLO},
		{name: "stall at STARTTLS", ehlo: "250-hostile\n250 STARTTLS", security: SecurityStartTLS, over: map[string]string{"STARTTLS": stall}, stage: StageTLS},
		{name: "stall in the TLS handshake", ehlo: "250-hostile\n250 STARTTLS", security: SecurityStartTLS, over: map[string]string{"STARTTLS": "220 go ahead\x00"}, stage: StageTLS},
		{name: "stall at AUTH", ehlo: auth, password: true, over: map[string]string{"AUTH": stall}, stage: StageAuth, lost: true},
		{name: "stall at AUTH with a token", ehlo: auth, token: true, over: map[string]string{"AUTH": stall}, stage: StageAuth, lost: true},
		{name: "stall at MAIL", over: map[string]string{"MAIL": stall}, stage: StageMail, lost: true},
		{name: "stall at RCPT", over: map[string]string{"RCPT": stall}, stage: StageRcpt, lost: true},
		{name: "stall at DATA", over: map[string]string{"DATA": stall}, stage: StageData, lost: true},
		{name: "stall after the message", over: map[string]string{"BODY": stall}, stage: StageData, lost: true},
		{name: "421 at greeting", greeting: "421 4.3.2 service not available", stage: StageConnect, check: code(421)},
		{name: "STARTTLS advertised, then refused", ehlo: "250-hostile\n250 STARTTLS", security: SecurityStartTLS, over: map[string]string{"STARTTLS": "454 4.7.0 TLS not available"}, stage: StageTLS, check: code(454)},
		{name: "non-base64 334", ehlo: auth, password: true, over: map[string]string{"AUTH": "334 !!not base64!!"}, stage: StageAuth},
		{name: "password echoed", ehlo: auth, password: true, over: map[string]string{"AUTH": echo}, stage: StageAuth, check: code(535)},
		{name: "token echoed", ehlo: auth, token: true, over: map[string]string{"AUTH": echo}, stage: StageAuth, check: code(535)},
		{name: "token echoed in a challenge", ehlo: auth, token: true, over: map[string]string{"AUTH": echoChallenge}, stage: StageAuth},
	}
}

// echo and echoChallenge are AUTH answers that quote the client's SASL
// data; the scripted server replaces them (see echoReply).
const (
	echo          = "\x00echo"
	echoChallenge = "\x00echo-challenge"
)

// echoReply quotes an AUTH command's data in clear, in base64 and field
// by field, the way a careless server's error does.
func echoReply(line, kind string) string {
	f := strings.Fields(line)
	b64 := f[len(f)-1]
	raw, _ := base64.StdEncoding.DecodeString(b64)
	clear := strings.NewReplacer("\x00", " ", "\x01", " ").Replace(string(raw))
	if kind == echoChallenge {
		doc := `{"status":"401","schemes":"Bearer","scope":"` + clear + `","echo":"` + b64 + `"}`
		return "334 " + base64.StdEncoding.EncodeToString([]byte(doc))
	}
	return "535 5.7.8 you sent " + b64 + " which says [" + clear + "] and again " + base64.URLEncoding.EncodeToString(raw)
}

func tooLong(line bool) func(*testing.T, *Error) {
	return func(t *testing.T, e *Error) {
		var rl *ReplyTooLongError
		if !errors.As(e.Err, &rl) || rl.Line != line {
			t.Errorf("error %v is not the reply bound (line %v)", e, line)
		}
	}
}

func code(c int) func(*testing.T, *Error) {
	return func(t *testing.T, e *Error) {
		if e.Reply == nil || e.Reply.Code != c {
			t.Errorf("reply %+v, want %d", e.Reply, c)
		}
	}
}

func TestHostileServers(t *testing.T) {
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			greeting := c.greeting
			if greeting == "" {
				greeting = "220 hostile ESMTP"
			}
			ehlo := c.ehlo
			if ehlo == "" {
				ehlo = "250 hostile"
			}
			script := smtpScript(ehlo, c.over)
			var lastAuth string
			s := startScripted(t, greeting, func(line string) string {
				r := script(line)
				if strings.HasPrefix(strings.ToUpper(line), "AUTH ") {
					lastAuth = line
				}
				switch r {
				case echo, echoChallenge:
					return echoReply(line, r)
				}
				if line == "" && lastAuth != "" && c.over["AUTH"] == echoChallenge {
					return echoReply(lastAuth, echo)
				}
				return r
			})
			if c.security != "" {
				s.Security = c.security
			}
			if c.password {
				s.Password = hostilePassword
			}
			if c.token {
				s.Tokens = staticSource{hostileToken}
			}
			var tr bytes.Buffer
			st := &steps{}
			o := &Options{Report: st.add, Transcript: &tr, InitialResponse: IRInline}

			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := Send(ctx, s, &Message{To: []string{"ops@example.com"}, Host: "test-host"}, o)
			took := time.Since(start)
			runtime.ReadMemStats(&after)

			e := asError(t, err)
			if c.orMail && e.Stage == StageMail && e.Lost {
				// as good
			} else if e.Stage != c.stage || e.Lost != c.lost {
				t.Errorf("stage %s, lost %v; want %s, %v (%v)", e.Stage, e.Lost, c.stage, c.lost, err)
			}
			if c.check != nil {
				c.check(t, e)
			}
			// A token rejection is retried once on a new connection.
			if limit := 2*hostileTimeout + hostileMargin; took > limit {
				t.Errorf("took %v, want under %v", took, limit)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
			var out strings.Builder
			out.WriteString(err.Error() + "\n" + e.ErrorHint() + "\n" + e.ReplyText() + "\n" + tr.String())
			for _, s := range st.all {
				out.WriteString(s.Detail + "\n")
			}
			if leak := findSecret(out.String(), hostilePassword, hostileToken); leak != "" {
				t.Errorf("output shows %q:\n%s", leak, out.String())
			}
			t.Logf("%v, %d KiB allocated: %v", took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>10, err)
		})
	}
}

// findSecret returns the first form of a secret that out holds: clear,
// or base64 (standard or URL, at any alignment inside a longer message).
func findSecret(out string, secrets ...string) string {
	for _, s := range secrets {
		if strings.Contains(out, s) {
			return s
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			for k := range 3 {
				if c := base64Core(enc, s, k); len(c) >= minCore && strings.Contains(out, c) {
					return c
				}
			}
		}
	}
	return ""
}
