package mailer

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
)

// Server is a resolved SMTP external server: everything Send needs, with
// the credentials already looked up.
type Server struct {
	Name     string // the external server's name, for reports
	Host     string
	Port     int
	Security string // SecurityNone, SecurityStartTLS or SecuritySSL
	Timeout  time.Duration
	// Conn holds smtp-connection-properties: finer timeouts, the EHLO
	// name and the TLS versions.
	Conn ConnectionProperties
	// TLS is the client TLS configuration (trust-manager-provider). Nil
	// means the system roots; an empty ServerName is set to Host.
	TLS *tls.Config
	// Unverified says that TLS accepts any certificate (a blind-trust
	// trust manager); the TLS step then says so.
	Unverified bool
	// TrustManager is the trust-manager-provider's name, for reports;
	// empty for the system trust store.
	TrustManager string

	User     string
	Password string          // PLAIN or LOGIN when set
	Tokens   httpauth.Source // XOAUTH2 or OAUTHBEARER when set

	// Dial opens the TCP connection; nil uses a net.Dialer. Tests use it
	// to reach a loopback listener under another host name.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (s *Server) label() string {
	if s.Name != "" {
		return s.Name
	}
	return s.addr()
}

func (s *Server) addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

func (s *Server) hasCredentials() bool { return s.Tokens != nil || s.Password != "" }

// IRMode says how a SASL initial response is sent.
type IRMode string

// The initial-response modes. IRAuto sends the response inline in the
// AUTH command when the command fits in 512 octets, the line limit of RFC
// 5321 that every server honours, and in the two-step form otherwise
// (real Entra and Google tokens are longer). Whenever an inline AUTH is
// refused with 500 or 501, as servers do with lines too long for them,
// the attempt is repeated once in the two-step form on a new connection.
const (
	IRAuto    IRMode = "auto"
	IRInline  IRMode = "inline"
	IRTwoStep IRMode = "two-step"
)

// IRModes returns the --initial-response values.
func IRModes() []IRMode { return []IRMode{IRAuto, IRInline, IRTwoStep} }

// ParseIRMode checks an --initial-response value.
func ParseIRMode(s string) (IRMode, error) {
	switch m := IRMode(s); m {
	case "":
		return IRAuto, nil
	case IRAuto, IRInline, IRTwoStep:
		return m, nil
	}
	return "", fmt.Errorf("invalid initial-response mode %q: it must be auto, inline or two-step", s)
}

// maxInlineAuth is the longest AUTH command line, CRLF included, that
// IRAuto sends inline.
const maxInlineAuth = 512

// Options control a send.
type Options struct {
	// Mechanism forces XOAUTH2 or OAUTHBEARER for bearer tokens. Empty
	// chooses from the server's EHLO: OAUTHBEARER when offered (the
	// standard, RFC 7628), else XOAUTH2 (all Exchange Online offers).
	Mechanism       string
	InitialResponse IRMode
	// QuitAfter ends the session after that stage, without sending.
	QuitAfter Stage
	// Transcript receives the SMTP dialogue, credentials masked.
	Transcript io.Writer
	// Report receives each step as it ends.
	Report    func(Step)
	Now       func() time.Time
	LocalName string // the EHLO name unless the server sets mail.smtp.localhost; default "localhost"
	// Failover, when set, says whether SendFailover may try the next
	// server after a failure; nil tries it after any failure. It is
	// never asked once a server has begun to receive the body (with nil,
	// send-test-mail's default, every failure moves on).
	Failover func(error) bool
}

// Step is one line of the report.
type Step struct {
	Server string
	Stage  Stage
	OK     bool
	// Info marks a remark, such as a retry, that is neither a success
	// nor a failure.
	Info     bool
	Detail   string
	Duration time.Duration
	// Certificate is the server's leaf certificate, on the TLS step.
	Certificate *x509.Certificate
}

// Result is a successful send or --quit-after stop.
type Result struct {
	Server    string
	Reply     string // the server's final reply: the queue ID after DATA
	MessageID string
	QuitAfter Stage
	// Connections is how many connections the send took (renewal and
	// two-step fallback each add one).
	Connections int
	// Failed holds, after a failover, the failures of the servers tried
	// before this one: the message went through, but they are down.
	Failed []error
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) report(st Step) {
	if o.Report != nil {
		o.Report(st)
	}
}

// Send sends m through s. It makes at most one retry with a fresh token
// when the server rejects a token, and at most one retry in the two-step
// form when an inline AUTH line is refused; each retry uses a new
// connection. It never loops.
func Send(ctx context.Context, s *Server, m *Message, o *Options) (*Result, error) {
	if err := checkPlaintext(s); err != nil {
		return nil, err
	}
	if err := checkEnvelope(s, m, o); err != nil {
		return nil, err
	}
	mode := o.InitialResponse
	if mode == "" {
		mode = IRAuto
	}
	renewed, fellBack := false, false
	var prev *Error // the rejection that led to a renewal
	for conns := 1; ; conns++ {
		tok, err := token(ctx, s, o)
		if err != nil {
			if prev != nil {
				// The renewal failed (a static token cannot be renewed):
				// the rejection is still the news.
				return nil, prev
			}
			return nil, err
		}
		a := &attempt{s: s, m: m, o: o, tok: tok, mode: mode}
		res, err := a.run(ctx)
		if err == nil {
			res.Connections = conns
			return res, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return nil, err
		}
		switch {
		case tok != nil && tokenRejected(e) && isStatic(s.Tokens):
			o.report(Step{Server: s.label(), Stage: StageAuth, Info: true, Detail: "the token was rejected; a static bearer token is not renewed, so there is no retry"})
			if e.Hint == "" {
				e.Hint = staticHint
			} else {
				e.Hint = staticHint + "; and: " + e.Hint
			}
			return nil, e
		case !renewed && tok != nil && tokenRejected(e):
			renewed = true
			o.report(Step{Server: s.label(), Stage: StageAuth, Info: true, Detail: "the token was rejected; discarding it and retrying once with a new token on a new connection"})
			if rerr := s.Tokens.Reject(ctx, tok); rerr != nil {
				o.report(Step{Server: s.label(), Stage: StageToken, Info: true, Detail: "discarding the token failed: " + rerr.Error()})
				return nil, e
			}
			prev = e
		case !fellBack && a.sentInline && mode != IRInline && lineRefused(e):
			fellBack, mode, prev = true, IRTwoStep, nil
			o.report(Step{Server: s.label(), Stage: StageAuth, Info: true, Detail: "the inline AUTH line was refused; retrying once in the two-step form on a new connection"})
		default:
			return nil, err
		}
	}
}

// checkPlaintext refuses to send credentials without TLS, except to a
// loopback address, before anything is sent.
func checkPlaintext(s *Server) error {
	if s.Security != SecurityNone || !s.hasCredentials() || config.IsLoopbackHost(s.Host) {
		return nil
	}
	what := "the password"
	if s.Tokens != nil {
		what = "the bearer token"
	}
	return &Error{Stage: StageConfig, Server: s.label(),
		Err:  fmt.Errorf("refusing to send %s to %s over a connection without TLS (smtp-security is none)", what, s.Host),
		Hint: "set smtp-security:starttls (usually port 587) or smtp-security:ssl (port 465); credentials travel in clear only to a loopback address"}
}

// checkEnvelope refuses, before connecting, a message without a usable
// sender or recipient, when the session would get as far as MAIL.
func checkEnvelope(s *Server, m *Message, o *Options) error {
	switch o.QuitAfter {
	case "", StageMail, StageRcpt:
	default:
		return nil
	}
	from, what := m.From, "--from"
	if from == "" {
		from, what = s.User, "user-name"
	}
	if from == "" {
		return &Error{Stage: StageConfig, Server: s.label(), Err: errors.New("no sender address"),
			Hint: "give --from, or set user-name on the external server"}
	}
	if err := CheckAddress(from); err != nil {
		hint := "give --from ADDR"
		if what == "user-name" {
			hint = "--from defaults to user-name, which must then be a full address (name@domain): give --from ADDR"
		}
		return &Error{Stage: StageConfig, Server: s.label(), Err: fmt.Errorf("invalid sender address %q (%s): %w", from, what, err), Hint: hint}
	}
	for _, to := range m.To {
		if err := CheckAddress(to); err != nil {
			return &Error{Stage: StageConfig, Server: s.label(), Err: fmt.Errorf("invalid recipient address %q: %w", to, err), Hint: "give --to a bare address such as ops@example.com"}
		}
	}
	return nil
}

// tokenRejected says whether the server refused the token itself, so
// that a fresh one may help: a 535, an error challenge, or Exchange's
// "token will expire soon".
func tokenRejected(e *Error) bool {
	if e.Stage != StageAuth {
		return false
	}
	if e.Challenge != nil {
		return true
	}
	if e.Reply == nil {
		return false
	}
	// 5.7.139 is SMTP AUTH disabled for the tenant or the mailbox, and
	// 5.7.30 basic authentication refused: policy, which no new token
	// changes.
	switch enhanced(e.Reply) {
	case "5.5.127":
		return true
	case "5.7.139", "5.7.30":
		return false
	}
	return e.Reply.Code == 535
}

// staticHint is the hint for a rejected static-bearer-token.
const staticHint = "a static bearer token is never renewed: put a valid token (for the right audience and with the SMTP permission) in the method's token passphrase provider, or use a client-credentials-bearer-token method that obtains fresh ones"

// isStatic says whether src hands out a token it cannot renew.
func isStatic(src httpauth.Source) bool {
	d, ok := src.(httpauth.Describer)
	return ok && d.Describe().Type == httpauth.TypeStaticBearerToken
}

// lineRefused says whether an AUTH command was refused as malformed, which
// is how servers answer a line longer than they accept.
func lineRefused(e *Error) bool {
	return e.Stage == StageAuth && e.Reply != nil && e.Challenge == nil &&
		(e.Reply.Code == 500 || e.Reply.Code == 501) && enhanced(e.Reply) != "5.5.127"
}

// token gets a token for one attempt and reports where it came from.
func token(ctx context.Context, s *Server, o *Options) (*httpauth.Token, error) {
	if s.Tokens == nil {
		return nil, nil
	}
	start := time.Now()
	tok, err := s.Tokens.Token(ctx)
	if err != nil {
		e := failCtx(ctx, StageToken, s.label(), err)
		detail := err.Error()
		if ctx.Err() != nil {
			detail = e.Error()
		}
		o.report(Step{Server: s.label(), Stage: StageToken, Detail: detail, Duration: time.Since(start)})
		return nil, e
	}
	o.report(Step{Server: s.label(), Stage: StageToken, OK: true, Detail: describeToken(tok, o.now()), Duration: time.Since(start)})
	return tok, nil
}

func describeToken(t *httpauth.Token, now time.Time) string {
	origin := "new token"
	if t.FromCache {
		origin = "cached token"
	}
	if t.Expiry.IsZero() {
		return origin + ", no expiry given"
	}
	left := t.Expiry.Sub(now).Round(time.Second)
	if left <= 0 {
		return fmt.Sprintf("%s, expired %s ago", origin, -left)
	}
	return fmt.Sprintf("%s, expires in %s", origin, left)
}
