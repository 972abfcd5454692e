package mailer

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestCheckAddress(t *testing.T) {
	for _, a := range []string{"ops@example.com", "first.last+tag@sub.example.co.uk", "a@b", "x@[192.0.2.1]"} {
		if err := CheckAddress(a); err != nil {
			t.Errorf("%q: %v", a, err)
		}
	}
	for a, want := range map[string]string{
		"":                                       "empty",
		"ops@example.com\r\nRCPT TO":             "control character",
		"ops\t@example.com":                      "control character",
		"ops@example.com\v":                      "control character",
		"o ps@example.com":                       "space",
		`"a,b"@example.com`:                      "bare address",
		"Ops <ops@example.com>":                  "space",
		"<ops@example.com>":                      "bare address",
		"a(comment)@example.com":                 "bare address",
		"jörg@example.com":                       "SMTPUTF8",
		"ops@exämple.com":                        "SMTPUTF8",
		"nobody":                                 "bare address",
		"x@":                                     "bare address",
		"ops@-bad.example":                       "domain",
		strings.Repeat("a", 65) + "@example.com": "local part",
		"a@" + strings.Repeat("b", 260):          "octets long",
	} {
		err := CheckAddress(a)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error saying %q", a, err, want)
		}
	}
	if got, err := ParseAddressList("a@example.com, b@example.com"); err != nil || len(got) != 2 || got[1] != "b@example.com" {
		t.Errorf("ParseAddressList: %q, %v", got, err)
	}
}

// Every header line stays within 78 octets, however long the subject or
// the recipient list, and the subject decodes back to what was given.
func TestComposeFoldsHeaders(t *testing.T) {
	var to []string
	for i := range 150 {
		to = append(to, "recipient"+strings.Repeat("x", i%20)+"@example.com")
	}
	for _, subject := range []string{
		strings.Repeat("a", 100_009),
		strings.Repeat("word ", 2000),
		"Prüfung über Ümlaute: " + strings.Repeat("é", 300),
		"looks =?utf-8?q?encoded?= but is not",
		"line\r\nBcc: injected@example.com",
		"short",
	} {
		m := &Message{To: to, Subject: subject, Body: "naïve body\n", Host: "test-host"}
		s := &Server{Name: "x", Host: "127.0.0.1", Port: 25, Security: SecurityNone}
		data, _ := m.compose(s, "alerts@example.com", time.Unix(0, 0))
		head, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
		for _, l := range strings.Split(string(head), "\r\n") {
			if len(l) > softLine {
				t.Errorf("subject %.20q: a header line of %d octets: %.80q", subject, len(l), l)
			}
			for _, c := range []byte(l) {
				if c >= 0x80 {
					t.Fatalf("a header line is not ASCII: %.80q", l)
				}
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || got != subject {
			t.Errorf("subject %.40q came back as %.40q, %v", subject, got, err)
		}
		if msg.Header.Get("Bcc") != "" {
			t.Errorf("a header was injected")
		}
		list, err := msg.Header.AddressList("To")
		if err != nil || len(list) != len(to) || list[149].Address != to[149] {
			t.Errorf("To parsed as %d addresses, %v", len(list), err)
		}
		if cte := msg.Header.Get("Content-Transfer-Encoding"); cte != "quoted-printable" {
			t.Errorf("a non-ASCII body went out as %s", cte)
		}
	}
}
