package mailer

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestReplyHints(t *testing.T) {
	cases := []struct {
		code int
		enh  smtp.EnhancedCode
		msg  string
		want string
	}{
		{535, smtp.EnhancedCode{5, 7, 3}, "Authentication unsuccessful", "New-ServicePrincipal"},
		{535, smtp.EnhancedCode{5, 7, 139}, "Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.", "Set-TransportConfig"},
		{550, smtp.EnhancedCode{5, 7, 30}, "Basic authentication is not supported for Client Submission.", "token-acquisition-method"},
		{530, smtp.EnhancedCode{5, 7, 57}, "Client not authenticated to send mail", "before MAIL FROM"},
		{501, smtp.EnhancedCode{5, 5, 127}, "Invalid XOAUTH2 auth data - Token will expire soon", "10 minutes"},
		{430, smtp.EnhancedCode{4, 2, 0}, "STOREDRV; mailbox logon failure", "Add-MailboxPermission"},
		{530, smtp.EnhancedCode{5, 7, 0}, "Must issue a STARTTLS command first", "smtp-security:starttls"},
		{501, smtp.EnhancedCode{5, 5, 4}, "Invalid FROM: Missing domain", "give --from ADDR"},
	}
	for _, c := range cases {
		h := replyHint(&smtp.SMTPError{Code: c.code, EnhancedCode: c.enh, Message: c.msg})
		if !strings.Contains(h, c.want) {
			t.Errorf("%d %v: hint %q lacks %q", c.code, c.enh, h, c.want)
		}
	}
}

// A server that accepts the connection but never greets runs into
// smtp-timeout.
func TestGreetingTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			defer c.Close()
			time.Sleep(3 * time.Second)
		}
	}()
	s := &Server{Host: "127.0.0.1", Port: l.Addr().(*net.TCPAddr).Port, Security: SecurityNone, Timeout: 200 * time.Millisecond, User: "alerts@example.com"}
	_, err = send(t, s, opts(&steps{}))
	if e := asError(t, err); e.Stage != StageConnect || !strings.Contains(e.ErrorHint(), "raise smtp-timeout") {
		t.Fatalf("got %v / %q", err, e.ErrorHint())
	}
}
