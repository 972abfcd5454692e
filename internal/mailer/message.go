package mailer

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime/quotedprintable"
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

	// Raw, when set, is a whole message to send as it is (send-mail):
	// CRLF line endings, not dot-stuffed, with its Message-ID in
	// MessageID. Subject, Body and Host are then unused.
	Raw       []byte
	MessageID string
	// Raw7Bit is Raw with its 8-bit body encoded, for servers that do not
	// offer 8BITMIME; nil when Raw is 7-bit already. With Raw7Bit set,
	// Raw is sent with BODY=8BITMIME to a server that offers it.
	Raw7Bit []byte
}

// data returns the message as it goes out and whether it is 8-bit.
func (m *Message) data(s *Server, from string, now time.Time, has8BitMIME bool) (data []byte, id string, eightBit bool) {
	switch {
	case m.Raw == nil:
		data, id = m.compose(s, from, now)
		return data, id, false
	case m.Raw7Bit != nil && !has8BitMIME:
		return m.Raw7Bit, m.MessageID, false
	}
	return m.Raw, m.MessageID, m.Raw7Bit != nil
}

// compose renders the message with CRLF line endings. Dot-stuffing is
// left to the DATA writer.
func (m *Message) compose(s *Server, from string, now time.Time) (data []byte, id string) {
	id = messageID(m.Host)
	subject := m.Subject
	if subject == "" {
		subject = fmt.Sprintf("dsconfig test mail from %s via %s", m.Host, s.label())
	}
	text, cte := encodeBody(m.text(s, now))
	var b strings.Builder
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("Date", now.Format(time.RFC1123Z))
	// The addresses passed CheckAddress: ASCII, at most maxAddress
	// octets, so folding between them keeps every line within 998.
	b.WriteString(foldList("From", []string{"<" + from + ">"}))
	to := make([]string, len(m.To))
	for i, a := range m.To {
		to[i] = "<" + a + ">"
	}
	b.WriteString(foldList("To", to))
	b.WriteString(subjectHeader(subject))
	header("Message-ID", id)
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", cte)
	header("X-Mailer", "dsconfig send-test-mail")
	b.WriteString("\r\n")
	b.WriteString(text)
	return []byte(b.String()), id
}

// text is the body: the standard text, then --body, with CRLF endings.
func (m *Message) text(s *Server, now time.Time) string {
	var b strings.Builder
	fmt.Fprintf(&b, "This is a test message from dsconfig send-test-mail.\r\n\r\n")
	fmt.Fprintf(&b, "Sending host: %s\r\nSMTP server:  %s (%s:%d, %s)\r\nSent at:      %s\r\n",
		m.Host, s.label(), s.Host, s.Port, s.Security, now.Format(time.RFC3339))
	if m.Body != "" {
		b.WriteString("\r\n" + crlf(m.Body))
		if !strings.HasSuffix(m.Body, "\n") {
			b.WriteString("\r\n")
		}
	}
	return b.String()
}

// maxLine is RFC 5322's limit on a line, without its CRLF.
const maxLine = 998

// encodeBody returns text as it goes out and its Content-Transfer-Encoding:
// as is (7bit) when it is ASCII and every line fits RFC 5322's limit, else
// quoted-printable, whose soft line breaks keep every line short and
// which decodes back to the same text.
func encodeBody(text string) (string, string) {
	// Text that is not ASCII is quoted-printable too: 8bit needs the
	// server's 8BITMIME, which is not asked for.
	long := !IsASCII(text)
	for l := range strings.SplitSeq(text, "\r\n") {
		long = long || len(l) > maxLine
	}
	if !long {
		return text, "7bit"
	}
	var b strings.Builder
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(text)) // a strings.Builder does not fail
	_ = w.Close()
	return b.String(), "quoted-printable"
}

// IsASCII reports whether s holds only 7-bit characters, which need no
// MIME encoding.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
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
