package mailer

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"strings"
	"time"
)

// Message is the test message. Empty fields get defaults that say which
// host sent it, through which server, and when.
type Message struct {
	From    string // envelope and header sender; default: the server's user name
	To      []string
	Subject string
	Body    string // added after the standard text
	// Host is the sending machine's name, for the text and Message-ID.
	Host string
}

// compose renders the message with CRLF line endings. Dot-stuffing is
// left to the DATA writer.
func (m *Message) compose(s *Server, from string, now time.Time) (data []byte, id string) {
	id = messageID(m.Host)
	subject := m.Subject
	if subject == "" {
		subject = fmt.Sprintf("dsconfig test mail from %s via %s", m.Host, s.label())
	}
	var b strings.Builder
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("Date", now.Format(time.RFC1123Z))
	header("From", "<"+from+">")
	header("To", "<"+strings.Join(m.To, ">, <")+">")
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	header("X-Mailer", "dsconfig send-test-mail")
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "This is a test message from dsconfig send-test-mail.\r\n\r\n")
	fmt.Fprintf(&b, "Sending host: %s\r\nSMTP server:  %s (%s:%d, %s)\r\nSent at:      %s\r\n",
		m.Host, s.label(), s.Host, s.Port, s.Security, now.Format(time.RFC3339))
	if m.Body != "" {
		b.WriteString("\r\n" + crlf(m.Body))
		if !strings.HasSuffix(m.Body, "\n") {
			b.WriteString("\r\n")
		}
	}
	return []byte(b.String()), id
}

// crlf turns every line ending into CRLF.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func messageID(host string) string {
	var r [12]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	if host == "" || strings.ContainsAny(host, "<>@ ") {
		host = "localhost"
	}
	return "<" + hex.EncodeToString(r[:]) + ".dsconfig@" + host + ">"
}
