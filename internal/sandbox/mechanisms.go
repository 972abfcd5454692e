package sandbox

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mechanism names.
const (
	XOAUTH2     = "XOAUTH2"
	OAUTHBEARER = "OAUTHBEARER"
	PLAIN       = "PLAIN"
	LOGIN       = "LOGIN"
)

// AuthAttempt records one AUTH exchange, for tests and the log.
type AuthAttempt struct {
	Mechanism string
	Inline    bool   // the response came in the AUTH command itself
	User      string // user= or a= of the response
	Token     string // the bearer token presented
	OK        bool
	Reply     string // why it failed
}

var (
	// errExchange is what Exchange Online answers to any token problem.
	errExchange = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 3}, Message: "Authentication unsuccessful"}
	errBadCreds = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	errSyntax   = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 5, 2}, Message: "Malformed authentication data"}
	errTooLong  = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 6}, Message: "Authentication command line too long"}
)

// bearerServer is the server side of XOAUTH2 and OAUTHBEARER. It does not
// use go-sasl's OAUTHBEARER server, which panics when a client answers
// the error challenge with an empty line.
type bearerServer struct {
	sess *session
	mech string
	// asked: the empty 334 of the two-step form was sent.
	asked bool
	// failed: the error challenge was sent; any answer ends the exchange.
	failed bool
}

func (b *bearerServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case b.failed:
		// XOAUTH2 clients answer with an empty line, OAUTHBEARER ones
		// with %x01 (RFC 7628 §3.2.3); "*" is handled by go-smtp.
		if b.mech == OAUTHBEARER {
			return nil, true, errBadCreds
		}
		return nil, true, errExchange
	case resp == nil && !b.asked:
		b.asked = true
		return []byte{}, false, nil
	}
	inline := !b.asked
	if lim := b.sess.sb.opts.AuthLineLimit; inline && lim > 0 && authLineLen(b.mech, resp) > lim {
		b.sess.sb.record(AuthAttempt{Mechanism: b.mech, Inline: true, Reply: "line too long"})
		return nil, true, errTooLong
	}
	user, tok, ok := parseBearer(b.mech, resp)
	at := AuthAttempt{Mechanism: b.mech, Inline: inline, User: user, Token: tok}
	if !ok {
		at.Reply = "malformed"
		b.sess.sb.record(at)
		return nil, true, errSyntax
	}
	if b.sess.sb.validToken(tok) {
		at.OK = true
		b.sess.sb.record(at)
		b.sess.login(user)
		return nil, true, nil
	}
	at.Reply = "invalid or expired token"
	b.sess.sb.record(at)
	return b.refuse()
}

// refuse answers a bad token: RFC 7628's JSON challenge for OAUTHBEARER,
// Gmail's for XOAUTH2 when asked to, else Exchange's plain 535 5.7.3.
func (b *bearerServer) refuse() ([]byte, bool, error) {
	switch {
	case b.mech == OAUTHBEARER:
		b.failed = true
		j, _ := json.Marshal(map[string]string{"status": "invalid_token", "scope": "https://outlook.office365.com/.default"})
		return j, false, nil
	case b.sess.sb.opts.GoogleErrors:
		b.failed = true
		j, _ := json.Marshal(map[string]string{"status": "401", "schemes": "bearer", "scope": "https://mail.google.com/"})
		return j, false, nil
	}
	return nil, true, errExchange
}

func authLineLen(mech string, ir []byte) int {
	return len("AUTH ") + len(mech) + 1 + base64.StdEncoding.EncodedLen(len(ir)) + 2
}

// parseBearer reads user and token from an XOAUTH2 response
// (user=U\x01auth=Bearer T\x01\x01) or an OAUTHBEARER one
// (n,a=U,\x01host=H\x01port=P\x01auth=Bearer T\x01\x01).
func parseBearer(mech string, resp []byte) (user, token string, ok bool) {
	s := string(resp)
	if !strings.HasSuffix(s, "\x01\x01") {
		return "", "", false
	}
	if mech == OAUTHBEARER {
		gs2, rest, found := strings.Cut(s, "\x01")
		if !found || !strings.HasPrefix(gs2, "n,") {
			return "", "", false
		}
		user = strings.TrimSuffix(strings.TrimPrefix(gs2, "n,a="), ",")
		s = rest
	}
	for _, kv := range strings.Split(strings.TrimSuffix(s, "\x01\x01"), "\x01") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "user":
			user = v
		case "auth":
			t, found := strings.CutPrefix(v, "Bearer ")
			if !found {
				return "", "", false
			}
			token = t
		}
	}
	return user, token, token != ""
}

// loginServer is the LOGIN mechanism, which go-sasl has only as a
// client: "Username:" and "Password:" challenges.
type loginServer struct {
	sess *session
	step int
	user string
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case l.step == 0 && resp == nil:
		l.step = 1
		return []byte("Username:"), false, nil
	case l.step <= 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	}
	return nil, true, l.sess.password(LOGIN, l.user, string(resp))
}

func (s *session) plainServer() sasl.Server {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if identity != "" && identity != user {
			return errBadCreds
		}
		return s.password(PLAIN, user, pass)
	})
}

// password checks a PLAIN or LOGIN login against Options.Users.
func (s *session) password(mech, user, pass string) error {
	want, ok := s.sb.opts.Users[user]
	good := ok && bytes.Equal([]byte(want), []byte(pass))
	at := AuthAttempt{Mechanism: mech, User: user, OK: good}
	if !good {
		at.Reply = "bad user name or password"
		s.sb.record(at)
		return errBadCreds
	}
	s.sb.record(at)
	s.login(user)
	return nil
}
