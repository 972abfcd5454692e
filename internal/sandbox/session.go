package sandbox

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP connection.
type session struct {
	sb   *Sandbox
	user string
	from string
	to   []string
}

// NewSession implements smtp.Backend.
func (s *Sandbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{sb: s}, nil }

var _ smtp.AuthSession = (*session)(nil)

func (s *session) AuthMechanisms() []string { return s.sb.opts.Mechanisms }

func (s *session) Auth(mech string) (sasl.Server, error) {
	if !s.offers(mech) {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	switch mech {
	case XOAUTH2, OAUTHBEARER:
		return &bearerServer{sess: s, mech: mech}, nil
	case PLAIN:
		return s.plainServer(), nil
	case LOGIN:
		return &loginServer{sess: s}, nil
	}
	return nil, smtp.ErrAuthUnknownMechanism
}

func (s *session) offers(mech string) bool {
	for _, m := range s.sb.opts.Mechanisms {
		if m == mech {
			return true
		}
	}
	return false
}

func (s *session) login(user string) { s.user = user }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" && !s.sb.opts.AllowAnonymous {
		// Exchange Online's wording.
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 57},
			Message: "Client not authenticated to send mail"}
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !strings.Contains(to, "@") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 3}, Message: "Invalid recipient address"}
	}
	if strings.HasSuffix(strings.ToLower(to), "@invalid") {
		// RFC 2606's reserved name: a well-formed address the server
		// refuses, as it would an unknown mailbox.
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Recipient address rejected: unknown domain"}
	}
	s.to = append(s.to, to)
	return nil
}

// maxMessage bounds a message the sandbox keeps in memory, without
// advertising SIZE, which would change the EHLO reply clients see.
const maxMessage = 32 << 20

// Data stores the message. The 250 reply carries a queue ID, as Postfix
// and Exchange do; go-smtp writes an *SMTPError's code as given.
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(io.LimitReader(r, maxMessage+1))
	if err != nil {
		return err
	}
	if len(data) > maxMessage {
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message size exceeds fixed limit"}
	}
	s.sb.mu.Lock()
	n := len(s.sb.messages) + 1
	id := fmt.Sprintf("SBX%06d", n)
	file := filepath.Join(s.sb.MessageDir, id+".eml")
	s.sb.messages = append(s.sb.messages, Received{From: s.from, To: s.to, User: s.user, Data: data, File: file})
	s.sb.mu.Unlock()
	if err := os.WriteFile(file, data, 0o600); err != nil {
		return err
	}
	s.sb.logf("smtp: message %s from <%s> to %d recipient(s) stored in %s", id, s.from, len(s.to), file)
	return &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: "OK: queued as " + id}
}

func (s *session) Reset() { s.from, s.to = "", nil }

func (s *session) Logout() error { return nil }
