package mailer

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
)

// auth authenticates with the server's credentials, if there are any.
func (a *attempt) auth() error {
	if !a.s.hasCredentials() {
		return nil
	}
	start := time.Now()
	if !a.encrypted && !loopbackPeer(a.raw) {
		// checkPlaintext refused a configured name that is not loopback
		// already; this guards the wire, whatever the name resolved to.
		return a.fail(StageAuth, start, fmt.Errorf("refusing to authenticate without TLS: the server's address %s is not a loopback address", peer(a.raw)))
	}
	client, bearer, err := a.mechanism()
	if err != nil {
		return a.fail(StageAuth, start, err)
	}
	mech, _, _ := client.Start()
	client = &recordingClient{Client: a.irForm(client), s: a.sec, user: a.s.User}
	if err := a.saslAuth(client); err != nil {
		e := a.fail(StageAuth, start, err)
		if bearer != nil {
			e.Challenge = bearer.errorChallenge()
			a.sec.redactError(e) // the challenge may quote the token
		}
		return e
	}
	form := "two-step"
	if a.sentInline {
		form = "initial response inline"
	}
	a.report(StageAuth, start, fmt.Sprintf("%s as %s accepted (%s)", mech, a.s.User, form))
	return nil
}

// saslAuth runs the AUTH exchange. go-smtp's Client.Auth answers every
// failure with a "*", even a final reply such as 535 that has already
// ended the exchange, and so draws a stray "501 5.5.2" (RFC 4954 allows
// "*" only in answer to a 334). This loop sends "*" only when the client
// cannot answer a challenge. SMTP is lock-step, so go-smtp's reader holds
// nothing after EHLO and this can speak on the same connection.
func (a *attempt) saslAuth(client sasl.Client) error {
	tp := textproto.NewConn(nopCloser{a.conn})
	mech, resp, err := client.Start()
	if err != nil {
		return err
	}
	line := "AUTH " + mech
	if len(resp) > 0 {
		line += " " + base64.StdEncoding.EncodeToString(resp)
	} else if resp != nil {
		line += " ="
	}
	code, msg, err := a.authCmd(tp, line)
	for err == nil {
		switch code {
		case 235:
			return nil
		case 334:
		default:
			return smtpErr(&textproto.Error{Code: code, Msg: msg})
		}
		challenge, cerr := base64.StdEncoding.DecodeString(msg)
		if cerr == nil {
			resp, cerr = client.Next(challenge)
		}
		if cerr != nil {
			// The server waits for an answer: cancel the exchange.
			_, _, _ = a.authCmd(tp, "*")
			return cerr
		}
		code, msg, err = a.authCmd(tp, base64.StdEncoding.EncodeToString(resp))
	}
	return err
}

// authCmd sends one line of the AUTH exchange and reads the reply, within
// smtp-timeout.
func (a *attempt) authCmd(tp *textproto.Conn, line string) (int, string, error) {
	a.raw.SetDeadline(time.Now().Add(a.timeout()))
	defer a.raw.SetDeadline(time.Time{})
	return cmd(tp, 0, "%s", line)
}

// loopbackPeer reports whether c is connected to a loopback address. It
// judges the address actually connected to, not the configured name.
func loopbackPeer(c net.Conn) bool {
	if c == nil {
		return false
	}
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

func peer(c net.Conn) string {
	if c == nil {
		return "unknown"
	}
	return c.RemoteAddr().String()
}

// mechanism picks the SASL client. For tokens it returns the bearer
// client too, to read its error challenge after a failure.
func (a *attempt) mechanism() (sasl.Client, challenger, error) {
	_, offered := a.c.Extension("AUTH")
	if strings.TrimSpace(offered) == "" {
		err := errors.New("the server offers no AUTH mechanism on this connection")
		if ok, _ := a.c.Extension("STARTTLS"); ok && !a.encrypted {
			return nil, nil, hinted{err, "the server offers AUTH only after STARTTLS: set smtp-security:starttls"}
		}
		return nil, nil, hinted{err, "check server-port: submission with AUTH is usually on 587 (starttls) or 465 (ssl)"}
	}
	if a.tok != nil {
		return a.bearer(offered)
	}
	switch {
	case a.c.SupportsAuth(sasl.Plain):
		return sasl.NewPlainClient("", a.s.User, a.s.Password), nil, nil
	case a.c.SupportsAuth(sasl.Login):
		return sasl.NewLoginClient(a.s.User, a.s.Password), nil, nil
	}
	return nil, nil, fmt.Errorf("the server offers neither PLAIN nor LOGIN for a password (it offers %s)", offered)
}

func (a *attempt) bearer(offered string) (sasl.Client, challenger, error) {
	mech := strings.ToUpper(a.o.Mechanism)
	if mech == "" {
		switch {
		case a.c.SupportsAuth(sasl.OAuthBearer):
			mech = sasl.OAuthBearer
		case a.c.SupportsAuth(xOAUTH2):
			mech = xOAUTH2
		default:
			return nil, nil, fmt.Errorf("the server offers neither OAUTHBEARER nor XOAUTH2 for a bearer token (it offers %s)", offered)
		}
	} else if !a.c.SupportsAuth(mech) {
		return nil, nil, fmt.Errorf("the server does not offer %s (it offers %s)", mech, offered)
	}
	if mech == xOAUTH2 {
		c := newXOAuth2Client(a.s.User, a.tok.AccessToken)
		return c, c, nil
	}
	c := newOAuthBearerClient(a.s.User, a.tok.AccessToken, a.s.Host, a.s.Port)
	return c, c, nil
}

// irForm decides between the inline and the two-step form (see IRMode).
func (a *attempt) irForm(c sasl.Client) sasl.Client {
	mech, ir, err := c.Start()
	if err != nil || ir == nil {
		return c
	}
	line := len("AUTH ") + len(mech) + 1 + base64Len(len(ir)) + len("\r\n")
	if a.mode == IRTwoStep || (a.mode == IRAuto && line > maxInlineAuth) {
		return &twoStep{Client: c}
	}
	a.sentInline = true
	return c
}

func base64Len(n int) int { return (n + 2) / 3 * 4 }

// BearerMechanisms returns the SASL mechanisms Options.Mechanism may
// force for a bearer token.
func BearerMechanisms() []string { return []string{xOAUTH2, sasl.OAuthBearer} }
