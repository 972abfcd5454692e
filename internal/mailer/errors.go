package mailer

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"

	"github.com/emersion/go-smtp"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Stage is a step of sending a test mail. Errors carry the stage they
// happened in, so that the command can choose its exit code.
type Stage string

// The stages, in order. StageConfig and StageToken come before the
// connection; StageResult is the final report.
const (
	StageConfig  Stage = "config"
	StageToken   Stage = "token"
	StageConnect Stage = "connect"
	StageTLS     Stage = "tls"
	StageEHLO    Stage = "ehlo"
	StageAuth    Stage = "auth"
	StageMail    Stage = "mail"
	StageRcpt    Stage = "rcpt"
	StageData    Stage = "data"
	StageResult  Stage = "result"
)

// quitStages are the stages --quit-after accepts, in session order.
var quitStages = []Stage{StageConnect, StageTLS, StageEHLO, StageAuth, StageMail, StageRcpt}

// QuitStages returns the stages --quit-after accepts, in session order.
func QuitStages() []Stage { return slices.Clone(quitStages) }

// ParseQuitAfter checks a --quit-after value. The empty string means
// "send the message".
func ParseQuitAfter(s string) (Stage, error) {
	if s == "" {
		return "", nil
	}
	for _, st := range quitStages {
		if strings.EqualFold(s, string(st)) {
			return st, nil
		}
	}
	names := make([]string, len(quitStages))
	for i, st := range quitStages {
		names[i] = string(st)
	}
	return "", fmt.Errorf("invalid stage %q: it must be one of %s", s, strings.Join(names, ", "))
}

// Error is a failure of one send attempt. It never holds a token or a
// password.
type Error struct {
	Stage  Stage
	Server string // the external server's name, or host:port
	// Reply is the SMTP server's reply when it refused something.
	Reply *smtp.SMTPError
	// Challenge is the JSON error a server sent during AUTH, if any.
	Challenge *ErrorChallenge
	Err       error
	Hint      string
	// Lost says that the connection failed in a stage after EHLO: the
	// server stopped answering within smtp-timeout, closed the
	// connection, or broke the reply bounds. Nothing was refused, so the
	// failure is a connection's, not the stage's.
	Lost bool
	// BodyStarted says that the server answered DATA with 354 and the
	// body had begun: the message must not be sent again elsewhere.
	BodyStarted bool
	// Unknown says that the whole body was sent but no final reply came:
	// the server may or may not have taken the message.
	Unknown bool
}

func (e *Error) Error() string {
	where := ""
	if e.Server != "" {
		where = fmt.Sprintf(" with %q", e.Server)
	}
	var ie *interruptedError
	if errors.As(e.Err, &ie) {
		return fmt.Sprintf("smtp: interrupted during %s%s", e.Stage, where)
	}
	msg := e.Err.Error()
	if e.Lost {
		msg = fmt.Sprintf("the server stopped answering during %s: %s", strings.ToUpper(string(e.Stage)), msg)
	}
	if e.Reply != nil {
		msg = replyText(e.Reply)
	}
	if e.Challenge != nil {
		msg += " (after an error challenge: " + e.Challenge.String() + ")"
	}
	return fmt.Sprintf("smtp: %s failed%s: %s", e.Stage, where, msg)
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorHint returns the hint for the failure, or the wrapped error's.
func (e *Error) ErrorHint() string {
	if e.Hint != "" {
		return e.Hint
	}
	return config.HintOf(e.Err)
}

// ReplyText is the server's reply as sent ("535 5.7.3 text"), or "".
func (e *Error) ReplyText() string {
	if e.Reply == nil {
		return ""
	}
	return replyText(e.Reply)
}

// replyText renders a reply as the server sent it: "535 5.7.3 text".
func replyText(r *smtp.SMTPError) string {
	s := fmt.Sprintf("%03d", r.Code)
	if r.EnhancedCode != smtp.NoEnhancedCode && r.EnhancedCode != (smtp.EnhancedCode{}) {
		s += fmt.Sprintf(" %d.%d.%d", r.EnhancedCode[0], r.EnhancedCode[1], r.EnhancedCode[2])
	}
	return s + " " + strings.ReplaceAll(r.Message, "\n", " ")
}

func enhanced(r *smtp.SMTPError) string {
	c := r.EnhancedCode
	return fmt.Sprintf("%d.%d.%d", c[0], c[1], c[2])
}

// interruptedError is a step stopped because the send's context was
// cancelled (Ctrl-C). Cancelling closes the connection under the session,
// so the error the step saw ("use of closed network connection") says
// nothing about the server; this replaces it. It unwraps to the context's
// cause, so that the command exits 130.
type interruptedError struct{ cause error }

func (e *interruptedError) Error() string { return "interrupted" }
func (e *interruptedError) Unwrap() error { return e.cause }

// failCtx is fail, except that once ctx is done the failure is reported
// as the interruption it is.
func failCtx(ctx context.Context, stage Stage, server string, err error) *Error {
	if ctx.Err() != nil {
		return &Error{Stage: stage, Server: server, Err: &interruptedError{context.Cause(ctx)}}
	}
	return fail(stage, server, err)
}

// fail builds the Error for err at stage, with a hint for known causes.
func fail(stage Stage, server string, err error) *Error {
	e := &Error{Stage: stage, Server: server, Err: err}
	var r *smtp.SMTPError
	switch {
	case stage == StageToken || stage == StageConfig:
		// Not an SMTP failure: the error's own hint (the token
		// endpoint's, from httpauth) is the one that applies, through
		// ErrorHint.
	case errors.As(err, &r):
		e.Reply = r
		e.Hint = replyHint(r)
	default:
		if config.HintOf(err) == "" { // else dsconfig's own finding, with its hint
			e.Hint = netHint(err)
		}
		if e.Lost = lostIn(stage, err); e.Lost && isTimeout(err) {
			e.Hint = "the server accepted the connection but stopped answering in time: it may be overloaded or filtering; try again, or raise smtp-timeout"
		}
	}
	return e
}

// lostIn says whether err, in stage, is the connection failing rather
// than the server refusing (see Error.Lost).
func lostIn(stage Stage, err error) bool {
	switch stage {
	case StageAuth, StageMail, StageRcpt, StageData:
	default:
		return false
	}
	var rl *ReplyTooLongError
	var ne net.Error
	return isTimeout(err) || errors.As(err, &rl) || errors.As(err, &ne) || errors.Is(err, smtp.ErrTooLongLine) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed)
}

// replyHint explains the SMTP replies admins meet with Exchange Online
// and other submission servers.
func replyHint(r *smtp.SMTPError) string {
	code, enh, text := r.Code, enhanced(r), strings.ToLower(r.Message)
	switch {
	case enh == "5.7.139":
		if strings.Contains(text, "disabled") {
			return "SMTP AUTH is disabled for the tenant or the mailbox, which blocks OAuth too: Set-TransportConfig -SmtpClientAuthenticationDisabled $false (tenant) or Set-CASMailbox <mailbox> -SmtpClientAuthenticationDisabled $false; see https://aka.ms/smtp_auth_disabled"
		}
		return "the tenant refused the authentication (Security Defaults or Conditional Access); use a token-acquisition-method (XOAUTH2) rather than a password"
	case code == 535 && enh == "5.7.8" && (strings.Contains(text, "badcredentials") || strings.Contains(text, "username and password not accepted")):
		return "Gmail refused the token or the identity. Check: the token was issued for the scope https://mail.google.com/; for a service account, domain-wide delegation is granted to its client ID for that scope in the Google Workspace admin console, and the token's subject (the impersonated user) is user-name; user-name is the full Gmail or Workspace address"
	case code == 535 && enh == "5.7.3":
		return "Exchange Online refused the token or the identity. Check: the app has the Office 365 Exchange Online application permission SMTP.SendAsApp with admin consent (it shows in the token's roles); New-ServicePrincipal was run with the Object ID of the Enterprise Application, not of the App Registration; Add-MailboxPermission -AccessRights FullAccess on the mailbox; user-name is that mailbox; the token is for the right tenant and the scope is https://outlook.office365.com/.default"
	case enh == "5.7.30" || strings.Contains(text, "basic authentication"):
		return "the server wants OAuth, not a password: set token-acquisition-method on the external server and reset password and passphrase-provider"
	case enh == "5.7.57" || (code == 530 && strings.Contains(text, "authenticated")):
		return "the server needs authentication before MAIL FROM: set user-name and token-acquisition-method (or a password) on the external server"
	case enh == "5.5.127" || strings.Contains(text, "expire soon"):
		return "the server refuses tokens close to their expiry (Exchange wants about 10 minutes left): lower maximum-token-lifetime or renew earlier, and try again"
	case code == 430 || enh == "4.2.0":
		return "authentication worked but the mailbox could not be opened: grant the service principal access with Add-MailboxPermission, and make user-name and --from the mailbox it may send as"
	case code == 530 || code == 523 || code == 538 || strings.Contains(text, "starttls"):
		return "the server requires TLS first: set smtp-security:starttls (port 587) or smtp-security:ssl (port 465)"
	case code == 535 || code == 534:
		return "the server rejected the credentials: check user-name and the password or token the external server uses"
	case code == 550 || code == 553:
		return "the server refused the address: check --from (it defaults to user-name) and --to"
	case code == 501 && (strings.Contains(text, "from") || strings.Contains(text, "domain") || strings.Contains(text, "address")):
		return "the server refused the address's syntax: --from defaults to user-name, which is then used as the sender and must be a full address (name@domain); give --from ADDR, and check --to"
	case code == 554 || code == 552:
		return "the server refused the message; its reply above says why"
	}
	return ""
}

// netHint explains connection and TLS failures.
func netHint(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var inval x509.CertificateInvalidError
	var dns *net.DNSError
	switch {
	case errors.As(err, &unknown):
		return "the server's certificate is not signed by a trusted CA: set trust-manager-provider on the external server to a file-based provider holding the CA certificate"
	case errors.As(err, &host):
		return fmt.Sprintf("the certificate is not valid for the name dsconfig connected to; set server-host-name to a name it lists (%s)", certNames(host.Certificate))
	case errors.As(err, &inval):
		return "the server's certificate is expired or not yet valid: check the clock, or ask for a new certificate"
	case errors.As(err, &dns):
		return "the host name could not be resolved: check server-host-name"
	case errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return "no answer in time: check the host, the port and firewalls (port 25 is often blocked; submission is 587), or raise smtp-timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "nothing listens on that port: check server-host-name and server-port (587 for STARTTLS, 465 for ssl)"
	case strings.Contains(err.Error(), "doesn't support STARTTLS"):
		return "the server does not offer STARTTLS on this port: use smtp-security:ssl for port 465, or check server-port"
	case strings.Contains(err.Error(), "first record does not look like a TLS handshake"):
		return "the port does not speak implicit TLS: use smtp-security:starttls for port 587 or 25"
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "none"
	}
	names := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// hinted is an error with a hint, for failures found by dsconfig itself.
type hinted struct {
	error
	hint string
}

func (h hinted) ErrorHint() string { return h.hint }
func (h hinted) Unwrap() error     { return h.error }
