package mailer

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// attempt is one connection to one server.
type attempt struct {
	ctx  context.Context // the send's; set by run
	s    *Server
	m    *Message
	o    *Options
	tok  *httpauth.Token
	mode IRMode

	t          *transcript
	sec        *secrets // masked in everything from the server
	raw        net.Conn
	c          *smtp.Client
	sentInline bool
	encrypted  bool     // the TLS handshake is done
	conn       net.Conn // the connection go-smtp speaks on, logged
}

func (a *attempt) report(stage Stage, start time.Time, detail string) {
	a.o.report(Step{Server: a.s.label(), Stage: stage, OK: true, Detail: a.sec.redact(detail), Duration: time.Since(start)})
}

// fail reports the failed step and returns its error.
func (a *attempt) fail(stage Stage, start time.Time, err error) *Error {
	e := failCtx(a.ctx, stage, a.s.label(), err)
	a.sec.redactError(e)
	a.o.report(Step{Server: a.s.label(), Stage: stage, Detail: e.Error(), Duration: time.Since(start)})
	return e
}

func (a *attempt) quitAfter(st Stage) bool { return a.o.QuitAfter == st }

func (a *attempt) run(ctx context.Context) (*Result, error) {
	a.ctx = ctx
	a.sec = &secrets{}
	if a.tok != nil {
		a.sec.add(a.tok.AccessToken)
	}
	a.sec.add(a.s.Password)
	if a.o.Transcript != nil {
		a.t = newTranscript(a.o.Transcript, a.sec)
		a.t.note("connection to %s", a.s.addr())
	}
	defer a.close()
	stop := context.AfterFunc(ctx, a.close)
	defer stop()
	res, err := a.session(ctx)
	var ie *interruptedError
	if err != nil && ctx.Err() != nil && !errors.As(err, &ie) {
		return nil, &interruptedError{context.Cause(ctx)}
	}
	return res, err
}

func (a *attempt) close() {
	if a.raw != nil {
		a.raw.Close()
	}
}

func (a *attempt) session(ctx context.Context) (*Result, error) {
	conn, greeting, err := a.connect(ctx)
	if err != nil {
		return nil, err
	}
	if a.quitAfter(StageConnect) {
		return a.quitRaw(conn, StageConnect)
	}
	if conn, err = a.startTLS(conn); err != nil {
		return nil, err
	}
	if a.quitAfter(StageTLS) && a.s.Security != SecurityNone {
		return a.quitRaw(conn, StageTLS)
	}
	if err := a.ehlo(conn, greeting); err != nil {
		return nil, err
	}
	if a.quitAfter(StageTLS) || a.quitAfter(StageEHLO) {
		return a.quit(a.o.QuitAfter, "")
	}
	if err := a.auth(); err != nil {
		return nil, err
	}
	if a.quitAfter(StageAuth) {
		return a.quit(StageAuth, "")
	}
	return a.send()
}

// connect opens the TCP connection, does the implicit TLS handshake for
// ssl, and reads the greeting.
func (a *attempt) connect(ctx context.Context) (net.Conn, string, error) {
	start := time.Now()
	raw, err := a.dial(ctx)
	if err != nil {
		return nil, "", a.fail(StageConnect, start, err)
	}
	raw = withOpDeadlines(raw, a.s.Conn.ReadTimeout, a.s.Conn.WriteTimeout)
	a.raw = raw
	// One deadline covers the handshake and the greeting; go-smtp sets
	// its own per command afterwards.
	raw.SetDeadline(time.Now().Add(a.timeout()))
	detail := fmt.Sprintf("connected to %s (%s)", a.s.addr(), raw.RemoteAddr())
	conn := bounded(raw)
	if a.s.Security == SecuritySSL {
		a.report(StageConnect, start, detail)
		start = time.Now()
		if conn, err = a.handshake(raw); err != nil {
			return nil, "", err
		}
		detail = "implicit TLS"
	}
	greeting, err := a.greeting(conn)
	if err != nil {
		return nil, "", a.fail(StageConnect, start, a.noGreeting(err))
	}
	if a.s.Security != SecuritySSL {
		a.report(StageConnect, start, detail+", "+greeting)
	}
	return conn, greeting, nil
}

// timeout is the server's smtp-timeout. dsconfig always sets it (the
// registry gives the default); a Server built in Go may leave it zero,
// which would put every deadline in the past, so the same default applies.
func (a *attempt) timeout() time.Duration {
	if a.s.Timeout > 0 {
		return a.s.Timeout
	}
	return defaultTimeout
}

// connectTimeout bounds the TCP connection attempt:
// mail.smtp.connectiontimeout, else smtp-timeout.
func (a *attempt) connectTimeout() time.Duration {
	if a.s.Conn.ConnectTimeout > 0 {
		return a.s.Conn.ConnectTimeout
	}
	return a.timeout()
}

func (a *attempt) dial(ctx context.Context) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, a.connectTimeout())
	defer cancel()
	if a.s.Dial != nil {
		return a.s.Dial(ctx, "tcp", a.s.addr())
	}
	d := &net.Dialer{Timeout: a.connectTimeout()}
	return d.DialContext(ctx, "tcp", a.s.addr())
}

// greeting reads the server's 220 banner on conn.
func (a *attempt) greeting(conn net.Conn) (string, error) {
	// SMTP is lock-step: the server sends nothing after its greeting until
	// the client speaks, so this buffer cannot take bytes meant for the
	// next reader.
	tp := textproto.NewReader(bufio.NewReader(logged(conn, a.t)))
	_, msg, err := tp.ReadResponse(220)
	return firstLine(msg), smtpErr(err)
}

// noGreeting explains a connection that opened but brought no greeting:
// the read timed out or the server closed it. A refusal (a 554 banner)
// is the server's own answer and is left as it is.
func (a *attempt) noGreeting(err error) error {
	var r *smtp.SMTPError
	if errors.As(err, &r) {
		return err
	}
	limit := fmt.Sprintf("smtp-timeout (%s)", a.timeout())
	if r := a.s.Conn.ReadTimeout; r > 0 && r < a.timeout() {
		limit = fmt.Sprintf("mail.smtp.timeout (%s)", r)
	}
	what := "connected, but no SMTP greeting within " + limit
	if !isTimeout(err) {
		what = "connected, but the server closed the connection without an SMTP greeting"
	}
	hint := "the port may not be an SMTP port, or it may speak implicit TLS (smtp-security:ssl, usually port 465) where starttls or none is set; a firewall or proxy may also hold the connection open. Check server-port and smtp-security, or raise smtp-timeout for a slow server"
	if a.s.Security == SecuritySSL {
		hint = "the port may expect STARTTLS or plain SMTP (smtp-security:starttls, usually port 587) rather than implicit TLS, or not be an SMTP port; a firewall or proxy may also hold the connection open. Check server-port and smtp-security, or raise smtp-timeout for a slow server"
	}
	return hinted{fmt.Errorf("%s: %w", what, err), hint}
}

// startTLS upgrades a plain connection with STARTTLS when smtp-security
// says so. go-smtp offers STARTTLS only inside NewClientStartTLS, which
// hides the handshake and the plaintext part of the dialogue, so the
// three plaintext commands are spoken here and go-smtp takes over on the
// encrypted connection.
func (a *attempt) startTLS(conn net.Conn) (net.Conn, error) {
	if a.s.Security != SecurityStartTLS {
		return conn, nil
	}
	start := time.Now()
	tp := textproto.NewConn(nopCloser{logged(conn, a.t)})
	ext, err := plainEHLO(tp, a.localName())
	if err != nil {
		return nil, a.fail(StageTLS, start, fmt.Errorf("EHLO before STARTTLS: %w", err))
	}
	if _, ok := ext["STARTTLS"]; !ok {
		return nil, a.fail(StageTLS, start, errors.New("smtp: server doesn't support STARTTLS"))
	}
	if _, _, err := cmd(tp, 220, "STARTTLS"); err != nil {
		return nil, a.fail(StageTLS, start, err)
	}
	return a.handshake(a.raw)
}

func (a *attempt) handshake(raw net.Conn) (net.Conn, error) {
	start := time.Now()
	cfg := a.tlsConfig()
	tc := tls.Client(raw, cfg)
	if err := tc.Handshake(); err != nil {
		return nil, a.fail(StageTLS, start, withCertificate(err, a.s.TrustManager))
	}
	a.encrypted = true
	st := tc.ConnectionState()
	a.t.note("TLS handshake done: %s", tls.VersionName(st.Version))
	step := Step{Server: a.s.label(), Stage: StageTLS, OK: true, Detail: a.sec.redact(describeTLS(st, a.s.Unverified)), Duration: time.Since(start)}
	if len(st.PeerCertificates) > 0 {
		step.Certificate = st.PeerCertificates[0]
	}
	a.o.report(step)
	return bounded(tc), nil
}

func (a *attempt) tlsConfig() *tls.Config {
	cfg := a.s.TLS
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.ServerName == "" || a.s.Conn.MinTLS != 0 {
		cfg = cfg.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = a.s.Host
	}
	if a.s.Conn.MinTLS != 0 { // mail.smtp.ssl.protocols
		cfg.MinVersion, cfg.MaxVersion = a.s.Conn.MinTLS, a.s.Conn.MaxTLS
	}
	return cfg
}

// withCertificate adds to a failed verification the certificate the
// server presented: which name, CA and dates it has is what the admin
// needs to see. It still wraps err, so netHint finds the x509 error.
// The trust manager provider that judged it tells the admin where to
// add the CA.
func withCertificate(err error, trustManager string) error {
	c := tlsconf.FailedCertificate(err)
	if c == nil {
		return err
	}
	judge := "the system trust store (no trust-manager-provider set)"
	if trustManager != "" {
		judge = fmt.Sprintf("trust-manager-provider %q", trustManager)
	}
	return fmt.Errorf("%w; the server presented: %s; checked against %s", err, tlsconf.DescribeCertificate(c), judge)
}

// describeTLS is the TLS step's detail. A certificate that was not
// verified is said so, since the step otherwise reads like a verified one.
func describeTLS(st tls.ConnectionState, unverified bool) string {
	d := tls.VersionName(st.Version) + ", " + tls.CipherSuiteName(st.CipherSuite)
	if len(st.PeerCertificates) > 0 {
		c := st.PeerCertificates[0]
		d += fmt.Sprintf(", certificate %q issued by %q, valid until %s",
			c.Subject.String(), c.Issuer.String(), c.NotAfter.UTC().Format(time.DateOnly))
	}
	if unverified {
		d += ", " + unverifiedNote
	}
	return d
}

// unverifiedNote ends the TLS step of a server whose trust manager is
// blind-trust.
const unverifiedNote = "certificate NOT verified (blind-trust)"

// ehlo hands the connection to go-smtp and says hello.
func (a *attempt) ehlo(conn net.Conn, greeting string) error {
	start := time.Now()
	// go-smtp reads the greeting itself; it was read already, and after
	// STARTTLS there is none, so it gets a replayed one that the
	// transcript does not show.
	a.conn = logged(conn, a.t)
	a.c = smtp.NewClient(&replayConn{Conn: a.conn, pending: []byte("220 " + greeting + "\r\n")})
	a.c.CommandTimeout = a.timeout()
	a.c.SubmissionTimeout = a.timeout()
	a.raw.SetDeadline(time.Time{})
	if err := a.c.Hello(a.localName()); err != nil {
		return a.fail(StageEHLO, start, err)
	}
	detail := "no AUTH offered"
	if ok, mechs := a.c.Extension("AUTH"); ok {
		detail = "AUTH mechanisms: " + mechs
	}
	a.report(StageEHLO, start, detail)
	return nil
}

// localName is the EHLO name: the server's mail.smtp.localhost, else
// the caller's (dsconfig gives this host's name), else localhost.
func (a *attempt) localName() string {
	if a.s.Conn.LocalName != "" {
		return a.s.Conn.LocalName
	}
	if a.o.LocalName != "" {
		return a.o.LocalName
	}
	return "localhost"
}

// quit ends the session politely after a --quit-after stage.
func (a *attempt) quit(st Stage, reply string) (*Result, error) {
	_ = a.c.Quit()
	return &Result{Server: a.s.label(), QuitAfter: st, Reply: reply}, nil
}

// quitRaw ends a session that go-smtp has not taken over yet.
func (a *attempt) quitRaw(conn net.Conn, st Stage) (*Result, error) {
	tp := textproto.NewConn(nopCloser{logged(conn, a.t)})
	_, _, _ = cmd(tp, 221, "QUIT")
	return &Result{Server: a.s.label(), QuitAfter: st}, nil
}

// send runs MAIL, RCPT and DATA.
func (a *attempt) send() (*Result, error) {
	from := a.m.From // checkEnvelope made sure there is one
	if from == "" {
		from = a.s.User
	}
	start := time.Now()
	eight, _ := a.c.Extension("8BITMIME")
	body, id, eightBit := a.m.data(a.s, from, a.o.now(), eight)
	var mo *smtp.MailOptions
	if eightBit {
		mo = &smtp.MailOptions{Body: smtp.Body8BitMIME}
	}
	if err := a.c.Mail(from, mo); err != nil {
		return nil, a.fail(StageMail, start, err)
	}
	a.report(StageMail, start, "MAIL FROM:<"+from+"> accepted")
	if a.quitAfter(StageMail) {
		return a.quit(StageMail, "")
	}
	for _, to := range a.m.To {
		start = time.Now()
		if err := a.c.Rcpt(to, nil); err != nil {
			return nil, a.fail(StageRcpt, start, err)
		}
		a.report(StageRcpt, start, "RCPT TO:<"+to+"> accepted")
	}
	if a.quitAfter(StageRcpt) {
		return a.quit(StageRcpt, "")
	}
	return a.data(body, id)
}

func (a *attempt) data(body []byte, id string) (*Result, error) {
	start := time.Now()
	w, err := a.c.Data()
	if err != nil {
		return nil, a.fail(StageData, start, err)
	}
	// From here on the server has the body, or part of it: another
	// attempt could deliver the message twice.
	if _, err := w.Write(body); err != nil {
		e := a.fail(StageData, start, err)
		e.BodyStarted = true
		return nil, e
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		e := a.fail(StageData, start, err)
		e.BodyStarted = true
		// The whole body and its final dot went out; without a reply
		// nobody knows whether the server took the message.
		var r *smtp.SMTPError
		e.Unknown = !errors.As(err, &r)
		return nil, e
	}
	reply := "250 " + firstLine(resp.StatusText)
	a.report(StageData, start, fmt.Sprintf("%d bytes, Message-ID %s; server: %s", len(body), id, reply))
	_ = a.c.Quit()
	return &Result{Server: a.s.label(), Reply: reply, MessageID: id}, nil
}

// plainEHLO says EHLO on the plaintext connection and returns the
// extensions.
func plainEHLO(tp *textproto.Conn, name string) (map[string]string, error) {
	_, msg, err := cmd(tp, 250, "EHLO %s", name)
	if err != nil {
		return nil, err
	}
	ext := map[string]string{}
	for _, l := range strings.Split(msg, "\n")[1:] {
		k, v, _ := strings.Cut(l, " ")
		ext[strings.ToUpper(k)] = v
	}
	return ext, nil
}

func cmd(tp *textproto.Conn, code int, format string, args ...any) (int, string, error) {
	id, err := tp.Cmd(format, args...)
	if err != nil {
		return 0, "", err
	}
	tp.StartResponse(id)
	defer tp.EndResponse(id)
	c, msg, err := tp.ReadResponse(code)
	return c, msg, smtpErr(err)
}

// smtpErr turns a textproto reply error into go-smtp's type, with the
// enhanced code parsed, so that hints work the same everywhere.
func smtpErr(err error) error {
	var pe *textproto.Error
	if !errors.As(err, &pe) {
		return err
	}
	r := &smtp.SMTPError{Code: pe.Code, Message: pe.Msg, EnhancedCode: smtp.NoEnhancedCode}
	if code, rest, ok := strings.Cut(pe.Msg, " "); ok {
		var e smtp.EnhancedCode
		if n, _ := fmt.Sscanf(code, "%d.%d.%d", &e[0], &e[1], &e[2]); n == 3 {
			r.EnhancedCode, r.Message = e, rest
		}
	}
	return r
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// replayConn returns pending before reading from the connection.
type replayConn struct {
	net.Conn
	pending []byte
}

func (c *replayConn) Read(b []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// nopCloser keeps textproto from closing a connection that go-smtp will
// use next.
type nopCloser struct{ net.Conn }

func (nopCloser) Close() error { return nil }
