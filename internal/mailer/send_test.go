package mailer

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net"
	netmail "net/mail"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

func TestBearerMechanismsAndForms(t *testing.T) {
	for _, mech := range []string{xOAUTH2, "OAUTHBEARER"} {
		for _, mode := range []IRMode{IRInline, IRTwoStep} {
			t.Run(mech+"/"+string(mode), func(t *testing.T) {
				sb := startSandbox(t, sandbox.Options{})
				st := &steps{}
				o := opts(st)
				o.Mechanism, o.InitialResponse = mech, mode
				res, err := send(t, server(t, sb, newEndpointSource(sb)), o)
				if err != nil {
					t.Fatal(err)
				}
				at := sb.AuthAttempts()
				if len(at) != 1 || at[0].Mechanism != mech || at[0].Inline != (mode == IRInline) || !at[0].OK {
					t.Fatalf("server saw %+v, want one accepted %s, inline %v", at, mech, mode == IRInline)
				}
				if at[0].User != "alerts@example.com" {
					t.Errorf("user = %q", at[0].User)
				}
				if !strings.Contains(res.Reply, "queued as SBX000001") || len(sb.Messages()) != 1 {
					t.Errorf("reply %q, %d messages", res.Reply, len(sb.Messages()))
				}
			})
		}
	}
}

func TestMechanismChoice(t *testing.T) {
	cases := []struct {
		offered []string
		want    string
	}{
		{[]string{sandbox.XOAUTH2, sandbox.OAUTHBEARER}, sandbox.OAUTHBEARER},
		{[]string{sandbox.XOAUTH2}, sandbox.XOAUTH2},
	}
	for _, c := range cases {
		sb := startSandbox(t, sandbox.Options{Mechanisms: c.offered})
		if _, err := send(t, server(t, sb, newEndpointSource(sb)), opts(&steps{})); err != nil {
			t.Fatal(err)
		}
		if got := sb.AuthAttempts()[0].Mechanism; got != c.want {
			t.Errorf("offered %v: used %s, want %s", c.offered, got, c.want)
		}
	}
}

func TestForcedMechanismNotOffered(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Mechanisms: []string{sandbox.XOAUTH2}})
	o := opts(&steps{})
	o.Mechanism = "OAUTHBEARER"
	_, err := send(t, server(t, sb, newEndpointSource(sb)), o)
	e := asError(t, err)
	if e.Stage != StageAuth || !strings.Contains(err.Error(), "does not offer OAUTHBEARER (it offers XOAUTH2)") {
		t.Fatalf("got %v", err)
	}
}

// A long token goes two-step at once; a short one inline.
func TestAutoInitialResponse(t *testing.T) {
	for _, jwt := range []bool{false, true} {
		sb := startSandbox(t, sandbox.Options{JWT: jwt, Mechanisms: []string{sandbox.XOAUTH2}})
		res, err := send(t, server(t, sb, newEndpointSource(sb)), opts(&steps{}))
		if err != nil {
			t.Fatal(err)
		}
		at := sb.AuthAttempts()
		if len(at) != 1 || at[0].Inline == jwt || res.Connections != 1 {
			t.Errorf("jwt %v: attempts %+v, connections %d", jwt, at, res.Connections)
		}
	}
}

// A server that refuses the inline AUTH line gets the two-step form on a
// new connection, with the same token.
func TestInlineRefusedFallsBackToTwoStep(t *testing.T) {
	for _, mech := range []string{xOAUTH2, "OAUTHBEARER"} {
		sb := startSandbox(t, sandbox.Options{AuthLineLimit: 60})
		src := newEndpointSource(sb)
		o := opts(&steps{})
		o.Mechanism = mech
		res, err := send(t, server(t, sb, src), o)
		if err != nil {
			t.Fatal(err)
		}
		at := sb.AuthAttempts()
		if len(at) != 2 || !at[0].Inline || at[0].OK || at[1].Inline || !at[1].OK {
			t.Fatalf("%s: attempts %+v", mech, at)
		}
		if res.Connections != 2 || sb.TokenRequests() != 1 || src.rejects != 0 {
			t.Errorf("%s: connections %d, token requests %d, rejects %d", mech, res.Connections, sb.TokenRequests(), src.rejects)
		}
	}
}

// Forced inline means inline: no fallback.
func TestForcedInlineDoesNotFallBack(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{AuthLineLimit: 60})
	o := opts(&steps{})
	o.InitialResponse = IRInline
	_, err := send(t, server(t, sb, newEndpointSource(sb)), o)
	if e := asError(t, err); e.Reply == nil || e.Reply.Code != 500 || len(sb.AuthAttempts()) != 1 {
		t.Fatalf("got %v, attempts %+v", err, sb.AuthAttempts())
	}
}

func TestStartTLSAndImplicitTLS(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{ImplicitTLS: true, RequireTLS: true})
	for _, sec := range []string{SecurityStartTLS, SecuritySSL} {
		st := &steps{}
		s := server(t, sb, newEndpointSource(sb))
		s.Security = sec
		if sec == SecuritySSL {
			_, port, _ := net.SplitHostPort(sb.SMTPSAddr)
			s.Port, _ = strconv.Atoi(port)
		}
		if _, err := send(t, s, opts(st)); err != nil {
			t.Fatalf("%s: %v", sec, err)
		}
		var tlsDetail string
		for _, x := range st.all {
			if x.Stage == StageTLS {
				tlsDetail = x.Detail
			}
		}
		if !strings.HasPrefix(tlsDetail, "TLS 1.3") || !strings.Contains(tlsDetail, `issued by "CN=dsconfig sandbox CA`) {
			t.Errorf("%s: TLS step %q", sec, tlsDetail)
		}
	}
	if len(sb.Messages()) != 2 {
		t.Errorf("%d messages", len(sb.Messages()))
	}
}

// The sandbox refuses AUTH without TLS when RequireTLS is set; dsconfig
// reports it with the fix.
func TestAuthNeedsTLS(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{RequireTLS: true})
	_, err := send(t, server(t, sb, newEndpointSource(sb)), opts(&steps{}))
	e := asError(t, err)
	if e.Stage != StageAuth || !strings.Contains(e.ErrorHint(), "smtp-security:starttls") {
		t.Fatalf("got %v / %s", err, e.ErrorHint())
	}
}

// loopbackAs dials the sandbox whatever host name the server has.
func loopbackAs(addr string, dials *int) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		*dials++
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

func TestTLSFailures(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dials := 0
	mismatch := server(t, sb, newEndpointSource(sb))
	mismatch.Host, mismatch.Security = "mail.example.test", SecurityStartTLS
	mismatch.Dial = loopbackAs(sb.SMTPAddr, &dials)
	untrusted := server(t, sb, newEndpointSource(sb))
	untrusted.Security, untrusted.TLS = SecurityStartTLS, nil
	for _, c := range []struct {
		s    *Server
		hint string
	}{
		{mismatch, "set server-host-name to a name it lists (localhost, 127.0.0.1, ::1)"},
		{untrusted, "trust-manager-provider"},
	} {
		_, err := send(t, c.s, opts(&steps{}))
		e := asError(t, err)
		if e.Stage != StageTLS || !strings.Contains(e.ErrorHint(), c.hint) {
			t.Errorf("%s: %v / hint %q", c.s.Host, err, e.ErrorHint())
		}
		// The error shows the certificate the server presented.
		if !strings.Contains(err.Error(), "; the server presented: subject ") || !strings.Contains(err.Error(), ", sha256 ") {
			t.Errorf("%s: the error does not describe the server's certificate: %v", c.s.Host, err)
		}
	}
	if len(sb.AuthAttempts()) != 0 || dials != 1 {
		t.Errorf("auth attempts %d, dials %d", len(sb.AuthAttempts()), dials)
	}
}

func TestPlaintextCredentialsRefused(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	for _, pw := range []bool{false, true} {
		dials := 0
		s := server(t, sb, newEndpointSource(sb))
		if pw {
			s.Tokens, s.Password = nil, "s3cret-password"
		}
		s.Host = "smtp.example.com"
		s.Dial = loopbackAs(sb.SMTPAddr, &dials)
		_, err := send(t, s, opts(&steps{}))
		e := asError(t, err)
		if e.Stage != StageConfig || !strings.Contains(err.Error(), "over a connection without TLS") ||
			!strings.Contains(e.ErrorHint(), "smtp-security:starttls") {
			t.Errorf("got %v / %q", err, e.ErrorHint())
		}
		if strings.Contains(err.Error(), "s3cret") || dials != 0 {
			t.Errorf("dials %d, error %v", dials, err)
		}
	}
	if sb.TokenRequests() != 0 {
		t.Errorf("a token was requested for a refused send")
	}
}

func TestExpiredTokenIsRenewed(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	src := newEndpointSource(sb)
	src.first = (&tokenFrom{sb.Issue(-time.Minute)}).token()
	st := &steps{}
	res, err := send(t, server(t, sb, src), opts(st))
	if err != nil {
		t.Fatal(err)
	}
	at := sb.AuthAttempts()
	if len(at) != 2 || at[0].OK || !at[1].OK || at[0].Token == at[1].Token {
		t.Fatalf("attempts %+v", at)
	}
	if src.rejects != 1 || res.Connections != 2 || sb.TokenRequests() != 1 || len(sb.Messages()) != 1 {
		t.Errorf("rejects %d, connections %d, requests %d", src.rejects, res.Connections, sb.TokenRequests())
	}
}

// With maximum-token-lifetime 1 s every attempt requests a token, and
// only one.
func TestOneTokenRequestPerAttempt(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{AuthLineLimit: 60})
	src := newEndpointSource(sb)
	src.noCache = true
	res, err := send(t, server(t, sb, src), opts(&steps{}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Connections != 2 || sb.TokenRequests() != 2 {
		t.Errorf("connections %d, token requests %d", res.Connections, sb.TokenRequests())
	}
}

func TestPersistentRejectionRetriesOnce(t *testing.T) {
	cases := []struct {
		name string
		opts sandbox.Options
		mech string
		want string // the final reply
		chal string
	}{
		{"exchange", sandbox.Options{}, xOAUTH2, "535 5.7.3 Authentication unsuccessful", ""},
		{"gmail", sandbox.Options{GoogleErrors: true}, xOAUTH2, "535 5.7.3", "status 401"},
		{"rfc7628", sandbox.Options{}, "OAUTHBEARER", "535 5.7.8", "status invalid_token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sb := startSandbox(t, c.opts)
			src := &badSource{}
			o := opts(&steps{})
			o.Mechanism = c.mech
			_, err := send(t, server(t, sb, src), o)
			e := asError(t, err)
			if e.Stage != StageAuth || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.chal) {
				t.Fatalf("got %v", err)
			}
			if src.calls != 2 || src.reject != 1 || len(sb.AuthAttempts()) != 2 {
				t.Errorf("token calls %d, rejects %d, auth attempts %d", src.calls, src.reject, len(sb.AuthAttempts()))
			}
			if c.name == "exchange" && !strings.Contains(e.ErrorHint(), "SMTP.SendAsApp") {
				t.Errorf("hint %q", e.ErrorHint())
			}
		})
	}
}

func TestPasswordAuth(t *testing.T) {
	users := map[string]string{"alerts@example.com": "pa55word"}
	for _, mech := range []string{sandbox.PLAIN, sandbox.LOGIN} {
		sb := startSandbox(t, sandbox.Options{Users: users, Mechanisms: []string{mech}})
		s := server(t, sb, nil)
		s.Password = "pa55word"
		if _, err := send(t, s, opts(&steps{})); err != nil {
			t.Fatalf("%s: %v", mech, err)
		}
		if at := sb.AuthAttempts(); len(at) != 1 || at[0].Mechanism != mech || !at[0].OK {
			t.Errorf("%s: %+v", mech, at)
		}
		s.Password = "wrong"
		_, err := send(t, s, opts(&steps{}))
		if e := asError(t, err); e.Stage != StageAuth || e.Reply.Code != 535 || len(sb.AuthAttempts()) != 2 {
			t.Errorf("%s: wrong password gave %v after %d attempts", mech, err, len(sb.AuthAttempts()))
		}
	}
}

func TestNoCredentials(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{AllowAnonymous: true})
	s := server(t, sb, nil)
	if _, err := send(t, s, opts(&steps{})); err != nil || len(sb.AuthAttempts()) != 0 || len(sb.Messages()) != 1 {
		t.Fatalf("err %v, auth %d", err, len(sb.AuthAttempts()))
	}
	sb = startSandbox(t, sandbox.Options{})
	_, err := send(t, server(t, sb, nil), opts(&steps{}))
	if e := asError(t, err); e.Stage != StageMail || !strings.Contains(e.ErrorHint(), "token-acquisition-method") {
		t.Fatalf("got %v / %q", err, e.ErrorHint())
	}
}

func TestQuitAfter(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	for _, q := range []Stage{StageConnect, StageTLS, StageEHLO, StageAuth, StageMail, StageRcpt} {
		s := server(t, sb, newEndpointSource(sb))
		s.Security = SecurityStartTLS
		o := opts(&steps{})
		o.QuitAfter = q
		res, err := send(t, s, o)
		if err != nil || res.QuitAfter != q {
			t.Fatalf("%s: %v %+v", q, err, res)
		}
	}
	if n := len(sb.AuthAttempts()); n != 3 || len(sb.Messages()) != 0 {
		t.Errorf("auth attempts %d (want auth, mail, rcpt), messages %d", n, len(sb.Messages()))
	}
}

func TestConnectFailure(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	s := &Server{Host: "127.0.0.1", Port: addr.Port, Security: SecurityNone, Timeout: time.Second, User: "alerts@example.com"}
	_, err = send(t, s, opts(&steps{}))
	if e := asError(t, err); e.Stage != StageConnect || !strings.Contains(e.ErrorHint(), "nothing listens") {
		t.Fatalf("got %v / %q", err, e.ErrorHint())
	}
}

func TestTranscriptIsRedacted(t *testing.T) {
	users := map[string]string{"alerts@example.com": "pa55word-secret"}
	sb := startSandbox(t, sandbox.Options{Users: users, Mechanisms: []string{sandbox.XOAUTH2, sandbox.LOGIN}, GoogleErrors: true})
	var out bytes.Buffer
	run := func(s *Server, mode IRMode) {
		o := opts(&steps{})
		o.Transcript, o.InitialResponse = &out, mode
		send(t, s, o)
	}
	src := newEndpointSource(sb)
	expired := sb.Issue(-time.Minute)
	src.first = (&tokenFrom{expired}).token()
	run(server(t, sb, src), IRInline)
	run(server(t, sb, src), IRTwoStep)
	pw := server(t, sb, nil)
	pw.Password = "pa55word-secret"
	run(pw, IRAuto)
	text := out.String()
	var secrets []string
	for _, a := range sb.AuthAttempts() {
		if a.Token != "" {
			secrets = append(secrets, a.Token, b64(xoauth2IR(a.User, a.Token)))
		}
	}
	secrets = append(secrets, expired, "pa55word-secret", b64("pa55word-secret"))
	if len(secrets) < 5 {
		t.Fatalf("too few secrets seen: %d", len(secrets))
	}
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("transcript holds a secret %q:\n%s", s, text)
		}
	}
	for _, want := range []string{"C: AUTH XOAUTH2 " + config.Mask, "C: AUTH XOAUTH2\n", "S: 334 eyJ", "C: \n", "C: AUTH LOGIN", "C: MAIL FROM:<alerts@example.com>", "S: 250 2.0.0 OK: queued as"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
}

func TestTranscriptOverTLS(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	var out bytes.Buffer
	s := server(t, sb, newEndpointSource(sb))
	s.Security = SecurityStartTLS
	o := opts(&steps{})
	o.Transcript = &out
	if _, err := send(t, s, o); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{"C: STARTTLS", "S: 220", "-- TLS handshake done", "C: EHLO localhost", "C: AUTH OAUTHBEARER " + config.Mask, "C: QUIT"} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "C: EHLO") != 2 {
		t.Errorf("want EHLO before and after STARTTLS:\n%s", text)
	}
}

func TestMessageAsReceived(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	s := server(t, sb, newEndpointSource(sb))
	m := &Message{To: []string{"ops@example.com"}, Host: "host1", Subject: "Prüfung",
		Body: "line one\n.starts with a dot\n..two dots\n.\nlast line"}
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	res, err := Send(context.Background(), s, m, &Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	got := sb.Messages()[0]
	data := string(got.Data)
	if strings.Contains(strings.ReplaceAll(data, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(data, "\r\n", ""), "\r") {
		t.Errorf("bare CR or LF in %q", data)
	}
	for _, want := range []string{
		"Date: Thu, 26 Nov 2026 10:00:00 +0000\r\n",
		"From: <alerts@example.com>\r\n", "To: <ops@example.com>\r\n",
		"Subject: =?utf-8?q?Pr=C3=BCfung?=\r\n", "Message-ID: " + res.MessageID + "\r\n",
		"\r\n\r\nThis is a test message",
		"Sending host: host1\r\n", "SMTP server:  sandbox (127.0.0.1:",
		"\r\nline one\r\n.starts with a dot\r\n..two dots\r\n.\r\nlast line\r\n",
	} {
		if !strings.Contains(data, want) {
			t.Errorf("message lacks %q:\n%s", want, data)
		}
	}
	if !strings.HasSuffix(data, "last line\r\n") || got.From != "alerts@example.com" || got.To[0] != "ops@example.com" {
		t.Errorf("envelope %s → %v, end %q", got.From, got.To, data[len(data)-12:])
	}
}

// A --body line longer than RFC 5322's 998 octets goes out
// quoted-printable, every line within the limit, and decodes back to the
// text given.
func TestMessageLongLineQuotedPrintable(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	s := server(t, sb, newEndpointSource(sb))
	body := "short line\n" + strings.Repeat("0123456789 äöü=", 200) + "\n.dot line\nend"
	if _, err := Send(context.Background(), s, &Message{To: []string{"ops@example.com"}, Host: "h", Body: body}, &Options{}); err != nil {
		t.Fatal(err)
	}
	msg, err := netmail.ReadMessage(bytes.NewReader(sb.Messages()[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
		t.Errorf("Content-Transfer-Encoding = %q, want quoted-printable", cte)
	}
	for l := range strings.SplitSeq(string(sb.Messages()[0].Data), "\r\n") {
		if len(l) > 998 {
			t.Errorf("a line of %d octets went out", len(l))
		}
	}
	decoded, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"; !strings.HasSuffix(string(decoded), "\r\n\r\n"+want) {
		t.Errorf("decoded body does not end with the --body text:\n%q", decoded)
	}
}

func TestParseQuitAfter(t *testing.T) {
	if st, err := ParseQuitAfter("AUTH"); err != nil || st != StageAuth {
		t.Errorf("AUTH: %v %v", st, err)
	}
	if _, err := ParseQuitAfter("data"); err == nil || !strings.Contains(err.Error(), "connect, tls, ehlo, auth, mail, rcpt") {
		t.Errorf("data: %v", err)
	}
}

// remoteAs reports a chosen remote address for a real connection.
type remoteAs struct {
	net.Conn
	addr net.Addr
}

func (c remoteAs) RemoteAddr() net.Addr { return c.addr }

// A loopback name that reaches a non-loopback address (say DNS answered
// for it) must not get credentials without TLS: the check is on the
// address connected to.
func TestPlaintextCredentialsNeedLoopbackPeer(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	for _, remote := range []string{"192.0.2.25:25", "[2001:db8::25]:25"} {
		s := server(t, sb, newEndpointSource(sb))
		s.Host = "localhost"
		s.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, sb.SMTPAddr)
			if err != nil {
				return nil, err
			}
			return remoteAs{c, &net.TCPAddr{IP: net.ParseIP(strings.Trim(remote[:strings.LastIndex(remote, ":")], "[]")), Port: 25}}, nil
		}
		_, err := send(t, s, opts(&steps{}))
		e := asError(t, err)
		if e.Stage != StageAuth || !strings.Contains(err.Error(), "not a loopback address") {
			t.Errorf("%s: got %v", remote, err)
		}
		if n := len(sb.AuthAttempts()); n != 0 {
			t.Errorf("%s: the server saw %d AUTH attempts", remote, n)
		}
	}
}

func TestLoopbackPeer(t *testing.T) {
	for addr, want := range map[string]bool{"127.0.0.1:25": true, "127.3.2.1:25": true, "[::1]:25": true,
		"[::ffff:127.0.0.1]:25": true, "10.0.0.1:25": false, "[2001:db8::1]:25": false} {
		ap := netip.MustParseAddrPort(addr)
		c := remoteAs{addr: net.TCPAddrFromAddrPort(ap)}
		if got := loopbackPeer(c); got != want {
			t.Errorf("loopbackPeer(%s) = %v, want %v", addr, got, want)
		}
	}
	if loopbackPeer(nil) {
		t.Error("loopbackPeer(nil) = true")
	}
}

// Short secrets are masked too, by config.Redact's rule: standing alone
// always, inside a word only from four characters.
func TestTranscriptMasksShortSecrets(t *testing.T) {
	var buf bytes.Buffer
	tr := newTranscript(&buf, nil)
	tr.addSecret("pw1")
	tr.write(dirServer, []byte("535 password pw1 is wrong (xpw1x)\r\n"))
	if got := buf.String(); got != "S: 535 password ***** is wrong (xpw1x)\n" {
		t.Errorf("transcript %q", got)
	}
}

// smtp-timeout's default is DefaultTimeout, and a Server without a
// timeout uses it instead of deadlines in the past.
func TestDefaultTimeout(t *testing.T) {
	reg, err := config.NewRegistry(config.Kinds(), config.GlobalTypes(), passphrase.Types(), tlsconf.Types(), httpauth.Types(), Types())
	if err != nil {
		t.Fatal(err)
	}
	o := &config.Object{Kind: config.KindExternalServer, Name: "s", Type: TypeSMTP}
	if got := reg.View(o).Duration(propSMTPTimeout); got != defaultTimeout {
		t.Errorf("smtp-timeout default = %v, want %v", got, defaultTimeout)
	}
	sb := startSandbox(t, sandbox.Options{})
	s := server(t, sb, newEndpointSource(sb))
	s.Timeout = 0
	if _, err := send(t, s, opts(&steps{})); err != nil {
		t.Errorf("send with a zero Timeout: %v", err)
	}
}
