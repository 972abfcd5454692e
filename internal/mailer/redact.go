package mailer

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"sync"

	"github.com/emersion/go-sasl"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// secrets is what one attempt must never show: the token, the password
// and every SASL message sent. A server may quote any of them back, in
// clear or in base64, in a reply, a challenge or an error, so everything
// that comes from the server goes through redact before it is shown.
//
// config.Redact masks a secret and its base64 encodings. Inside a longer
// SASL message, though, the token's base64 depends on where it starts
// modulo 3, so the characters that encode only the secret's octets are
// masked too, for each of the three alignments.
type secrets struct {
	mu    sync.Mutex
	clear []string // the secrets, for config.Redact
	cores []string // base64 runs that encode secret octets only
}

// minCore is the shortest base64 run masked on its own. Shorter runs
// would mask unrelated text; a secret that short has its clear and
// aligned base64 forms masked by config.Redact still.
const minCore = 8

func (s *secrets) add(v string) {
	if s == nil || v == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear = append(s.clear, v)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for k := range 3 {
			if c := base64Core(enc, v, k); len(c) >= minCore {
				s.cores = append(s.cores, c)
			}
		}
	}
}

// addSASL adds a SASL message the client sent, and the fields it holds
// that are secret: everything but the user name and the transport
// fields, which are not (PLAIN's authzid and authcid, XOAUTH2's user=,
// OAUTHBEARER's GS2 header, host= and port=).
func (s *secrets) addSASL(msg []byte, user string) {
	if len(msg) == 0 || bytes.Equal(msg, []byte{0x01}) {
		return
	}
	s.add(string(msg))
	for f := range strings.FieldsFuncSeq(string(msg), func(r rune) bool { return r == 0 || r == 1 }) {
		switch {
		case f == user, strings.HasPrefix(f, "user="), strings.HasPrefix(f, "n,"),
			strings.HasPrefix(f, "host="), strings.HasPrefix(f, "port="):
			continue
		}
		s.add(f)
		if v, ok := strings.CutPrefix(f, "auth="); ok {
			s.add(v)
			if _, tok, ok := strings.Cut(v, " "); ok {
				s.add(tok)
			}
		}
	}
}

// base64Core is the base64 of v, as it reads when v starts k octets into
// an encoded message, without the characters that also encode the
// octets around it.
func base64Core(enc *base64.Encoding, v string, k int) string {
	b := append(make([]byte, k), v...)
	e := strings.TrimRight(enc.EncodeToString(b), "=")
	from := (8*k + 5) / 6      // the first character made of v's bits only
	to := 8 * (k + len(v)) / 6 // one past the last
	if to > len(e) {
		to = len(e)
	}
	if from >= to {
		return ""
	}
	return e[from:to]
}

// redact returns text with every secret masked, in every form.
func (s *secrets) redact(text string) string {
	if s == nil {
		return text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	text = config.Redact(text, s.clear...)
	for _, c := range s.cores {
		text = strings.ReplaceAll(text, c, config.Mask)
	}
	return text
}

// recordingClient adds every message a SASL client sends to the secrets.
type recordingClient struct {
	sasl.Client
	s    *secrets
	user string
}

func (c *recordingClient) Start() (string, []byte, error) {
	mech, ir, err := c.Client.Start()
	c.s.addSASL(ir, c.user)
	return mech, ir, err
}

func (c *recordingClient) Next(challenge []byte) ([]byte, error) {
	r, err := c.Client.Next(challenge)
	c.s.addSASL(r, c.user)
	return r, err
}

// redactError masks the secrets in everything of e that came from the
// server: the reply, the error text and the error challenge.
func (s *secrets) redactError(e *Error) {
	var ie *interruptedError
	if e == nil || errors.As(e.Err, &ie) {
		return
	}
	if e.Reply != nil {
		r := *e.Reply
		r.Message = s.redact(r.Message)
		e.Reply = &r
	}
	if e.Err != nil {
		if msg := e.Err.Error(); s.redact(msg) != msg {
			e.Hint = e.ErrorHint()
			e.Err = &redactedError{msg: s.redact(msg), lost: e.Err}
		}
	}
	if c := e.Challenge; c != nil {
		e.Challenge = &ErrorChallenge{Status: s.redact(c.Status), Schemes: s.redact(c.Schemes), Scope: s.redact(c.Scope), Raw: s.redact(c.Raw)}
	}
}

// redactedError is an error whose text held a secret. It keeps the
// original's timeout-ness for the exit code, but not the original, whose
// text would show the secret again.
type redactedError struct {
	msg  string
	lost error
}

func (e *redactedError) Error() string   { return e.msg }
func (e *redactedError) Timeout() bool   { return isTimeout(e.lost) }
func (e *redactedError) Temporary() bool { return false }
