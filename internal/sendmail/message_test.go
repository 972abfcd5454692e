package sendmail

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)

func tryPrepare(t *testing.T, msg string, a *Args) (*prepared, error) {
	t.Helper()
	return prepare(strings.NewReader(msg), input{Args: a, DefaultFrom: "relay@example.com", Host: "host.example", Now: now})
}

func mustPrepare(t *testing.T, msg string, a *Args) *prepared {
	t.Helper()
	p, err := tryPrepare(t, msg, a)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrepareFromHeader(t *testing.T) {
	msg := "From: Alerts <alerts@example.com>\nTo: ops@example.com, Dev <dev@example.com>\nCc: ops@example.com\nBcc: hidden@example.com,\n  other@example.com\nSubject: x\n\nbody\n"
	p := mustPrepare(t, msg, &Args{FromHeader: true, Recipients: []string{"extra@example.com"}})
	if got := strings.Join(p.Recipients, " "); got != "extra@example.com ops@example.com dev@example.com hidden@example.com other@example.com" {
		t.Errorf("recipients %q", got)
	}
	raw := string(p.Raw)
	if strings.Contains(raw, "Bcc") || strings.Contains(raw, "hidden@") || strings.Contains(raw, "other@") {
		t.Errorf("Bcc kept:\n%s", raw)
	}
	if !strings.Contains(raw, "To: ops@example.com, Dev <dev@example.com>\r\nCc: ops@example.com\r\n") || p.HeaderFrom != "alerts@example.com" || p.Sender != "" {
		t.Errorf("header %q, from %q, sender %q", raw, p.HeaderFrom, p.Sender)
	}
	// Without -t, To, Cc and Bcc are not recipients; Bcc is still removed.
	p = mustPrepare(t, msg, &Args{Recipients: []string{"only@example.com"}})
	if strings.Join(p.Recipients, " ") != "only@example.com" || strings.Contains(string(p.Raw), "Bcc") {
		t.Errorf("without -t: %q\n%s", p.Recipients, p.Raw)
	}
}

func TestPrepareAddsDateMessageIDFrom(t *testing.T) {
	p := mustPrepare(t, "Subject: x\n\nbody\n", &Args{Recipients: []string{"ops@example.com"}, FullName: "Cron Daemon"})
	raw := string(p.Raw)
	for _, want := range []string{"Date: Mon, 30 Nov 2026 04:00:00 +0000\r\n", "Message-ID: " + p.MessageID + "\r\n", "From: \"Cron Daemon\" <relay@example.com>\r\n", "\r\n\r\nbody\r\n"} {
		if !strings.Contains(raw, want) {
			t.Errorf("lacks %q:\n%s", want, raw)
		}
	}
	if !strings.HasPrefix(p.MessageID, "<") || !strings.HasSuffix(p.MessageID, ".dsconfig@host.example>") {
		t.Errorf("Message-ID %q", p.MessageID)
	}
	// -f sets the envelope sender and the added From.
	p = mustPrepare(t, "Subject: x\n\nbody\n", &Args{Recipients: []string{"ops@example.com"}, Sender: "me@example.com"})
	if p.Sender != "me@example.com" || !strings.Contains(string(p.Raw), "From: <me@example.com>\r\n") {
		t.Errorf("sender %q\n%s", p.Sender, p.Raw)
	}
	// Existing ones are kept, not doubled.
	msg := "From: a@example.com\nDate: Sun, 1 Nov 2026 00:00:00 +0000\nMessage-ID: <keep@example.com>\n\nbody\n"
	p = mustPrepare(t, msg, &Args{Recipients: []string{"ops@example.com"}})
	raw = string(p.Raw)
	if p.MessageID != "<keep@example.com>" || strings.Count(raw, "Date:") != 1 || strings.Count(raw, "Message-ID:") != 1 || strings.Count(raw, "From:") != 1 {
		t.Errorf("%q\n%s", p.MessageID, raw)
	}
}

func TestPrepareDots(t *testing.T) {
	msg := "Subject: x\n\nline\n.\nafter\n"
	p := mustPrepare(t, msg, &Args{Recipients: []string{"ops@example.com"}})
	if strings.Contains(string(p.Raw), "after") {
		t.Errorf("a lone dot did not end the input:\n%s", p.Raw)
	}
	p = mustPrepare(t, msg, &Args{Recipients: []string{"ops@example.com"}, IgnoreDots: true})
	if !strings.HasSuffix(string(p.Raw), "\r\nline\r\n.\r\nafter\r\n") {
		t.Errorf("-i: %q", p.Raw)
	}
}

func TestPrepareLongLines(t *testing.T) {
	long := "Subject: " + strings.Repeat("x", 990) + "\n\nbody\n"
	_, err := tryPrepare(t, long, &Args{Recipients: []string{"ops@example.com"}})
	var de *DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "header line 1 is 999 octets long: at most 998") {
		t.Errorf("header over 998: %v (%T), want a *DataError (exit 65)", err, err)
	}
	// 998 octets is allowed.
	mustPrepare(t, "Subject: "+strings.Repeat("x", 989)+"\n\nbody\n", &Args{Recipients: []string{"ops@example.com"}})

	body := strings.Repeat("y", 2000)
	p := mustPrepare(t, "Subject: x\n\n"+body+"\nshort\n", &Args{Recipients: []string{"ops@example.com"}})
	raw := string(p.Raw)
	if !strings.Contains(raw, "Content-Transfer-Encoding: quoted-printable\r\n") || !strings.Contains(raw, "MIME-Version: 1.0\r\n") {
		t.Errorf("not quoted-printable:\n%.300s", raw)
	}
	for _, l := range strings.Split(raw, "\r\n") {
		if len(l) > 998 {
			t.Fatalf("a line of %d octets was sent", len(l))
		}
	}
	if p.Raw7Bit != nil {
		t.Errorf("a 7-bit message has a second form")
	}
	_, b, _ := strings.Cut(raw, "\r\n\r\n")
	if got := strings.ReplaceAll(strings.ReplaceAll(b, "=\r\n", ""), "\r\n", "\n"); got != body+"\nshort\n" {
		t.Errorf("the body does not decode back: %.100q", got)
	}
}

func TestPrepare8Bit(t *testing.T) {
	msg := "Subject: café\nContent-Type: text/plain; charset=utf-8\n\nVoilà, déjà fini\n"
	p := mustPrepare(t, msg, &Args{Recipients: []string{"ops@example.com"}})
	// With 8BITMIME, the message goes as it is.
	if !strings.Contains(string(p.Raw), "Subject: café\r\n") || !strings.Contains(string(p.Raw), "\r\nVoilà, déjà fini\r\n") {
		t.Errorf("8-bit form changed:\n%s", p.Raw)
	}
	// Without, the 7-bit form: the body quoted-printable, the subject an
	// encoded word, and no octet over 127.
	raw7 := string(p.Raw7Bit)
	if raw7 == "" {
		t.Fatal("no 7-bit form")
	}
	for i := 0; i < len(raw7); i++ {
		if raw7[i] >= 0x80 {
			t.Fatalf("8-bit octet in the 7-bit form:\n%s", raw7)
		}
	}
	for _, want := range []string{"Subject: =?utf-8?q?caf=C3=A9?=\r\n", "Content-Transfer-Encoding: quoted-printable\r\n", "Voil=C3=A0, d=C3=A9j=C3=A0 fini\r\n"} {
		if !strings.Contains(raw7, want) {
			t.Errorf("7-bit form lacks %q:\n%s", want, raw7)
		}
	}
	// A 7-bit message has one form only.
	p = mustPrepare(t, "Subject: x\n\nplain\n", &Args{Recipients: []string{"ops@example.com"}})
	if p.Raw7Bit != nil {
		t.Errorf("7-bit message: Raw7Bit %q", p.Raw7Bit)
	}
}

func TestPrepareRefused(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		args      Args
		want      string
		usage     bool
	}{
		{"empty", "", Args{Recipients: []string{"ops@example.com"}}, "the message is empty", false},
		{"malformed header", "From: a@example.com\nnot a field\n\nbody\n", Args{Recipients: []string{"ops@example.com"}}, "header line 2 is malformed", false},
		{"bad From", "From: <<nope\n\nbody\n", Args{Recipients: []string{"ops@example.com"}}, "the From field", false},
		{"bad To with -t", "To: not an address\n\nbody\n", Args{FromHeader: true}, "the To field holds an invalid address", false},
		{"no recipient with -t", "Subject: x\n\nbody\n", Args{FromHeader: true}, "no recipient: the message has no To, Cc or Bcc address", false},
		{"no recipient", "Subject: x\n\nbody\n", Args{}, "no recipient given", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := tryPrepare(t, c.msg, &c.args)
			var de *DataError
			var ue *UsageError
			if c.usage && !errors.As(err, &ue) || !c.usage && !errors.As(err, &de) {
				t.Fatalf("err %v (%T)", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q, want %q", err, c.want)
			}
		})
	}
	_, err := prepare(strings.NewReader("Subject: x\n\nbody\n"), input{Args: &Args{Recipients: []string{"ops@example.com"}}, MaxSize: 10})
	var de *DataError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "larger than 10 bytes") {
		t.Errorf("over --max-size: %v", err)
	}
}
