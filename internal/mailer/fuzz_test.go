package mailer

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"reflect"
	"strings"
	"testing"
)

// Fuzz targets. Each checks a property, not only the absence of a panic.
// The seed corpus is in testdata/fuzz/<target>; CI runs each for about
// 10 s: go test ./internal/mailer -run '^$' -fuzz '^FuzzX$' -fuzztime 10s

// The reply bounds: whatever the server sends, in whatever chunks, what
// gets through holds no line longer than the line bound and no reply
// longer than the reply bound; a stream within the bounds gets through
// whole; once broken, the bound stays broken.
func FuzzReplyLimiter(f *testing.F) {
	f.Add([]byte("220 ok\r\n"), uint8(3))
	f.Add([]byte("250-a\r\n250-b\r\n250 c\r\n"), uint8(1))
	f.Add(bytes.Repeat([]byte("x"), 200), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		const maxLine, maxReply = 64, 256
		l := &replyLimiter{maxLine: maxLine, maxReply: maxReply}
		size := int(chunk%32) + 1
		var got []byte
		var err error
		for i := 0; i < len(data) && err == nil; i += size {
			b := data[i:min(i+size, len(data))]
			var n int
			n, err = l.scan(b)
			if n > len(b) || (err == nil && n != len(b)) {
				t.Fatalf("scan returned %d of %d, err %v", n, len(b), err)
			}
			got = append(got, b[:n]...)
		}
		if err != nil {
			if n, err2 := l.scan([]byte("x")); n != 0 || err2 == nil {
				t.Fatalf("the bound did not stay broken")
			}
		}
		reply := 0
		for _, line := range bytes.SplitAfter(got, []byte("\n")) {
			if len(line) > maxLine {
				t.Fatalf("a line of %d octets got through", len(line))
			}
			reply += len(line)
			if reply > maxReply {
				t.Fatalf("a reply of %d octets got through", reply)
			}
			if bytes.HasSuffix(line, []byte("\n")) && !(len(line) >= 5 && line[3] == '-') {
				reply = 0
			}
		}
		if err == nil && len(got) != len(data) {
			t.Fatalf("%d of %d octets got through without an error", len(got), len(data))
		}
	})
}

// SMTP reply parsing through the bounded reader: a reply that parses
// formats back to text that parses to the same code and lines.
func FuzzReplyParse(f *testing.F) {
	f.Add([]byte("220 smtp.example.com ESMTP\r\n"))
	f.Add([]byte("250-smtp.example.com\r\n250-AUTH PLAIN XOAUTH2\r\n250 STARTTLS\r\n"))
	f.Add([]byte("535 5.7.3 Authentication unsuccessful\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		code, msg, err := readReply(data)
		if err != nil {
			return
		}
		lines := strings.Split(msg, "\n")
		var b strings.Builder
		for i, l := range lines {
			sep := "-"
			if i == len(lines)-1 {
				sep = " "
			}
			fmt.Fprintf(&b, "%03d%s%s\r\n", code, sep, l)
		}
		code2, msg2, err := readReply([]byte(b.String()))
		if err != nil || code2 != code || msg2 != msg {
			t.Fatalf("%q parsed as %d %q; formatted %q parsed as %d %q, %v", data, code, msg, b.String(), code2, msg2, err)
		}
		if e, ok := smtpErr(&textproto.Error{Code: code, Msg: msg}).(interface{ Error() string }); !ok || e == nil {
			t.Fatalf("smtpErr lost the reply")
		}
	})
}

func readReply(data []byte) (int, string, error) {
	c := &boundedConn{Conn: nil, lim: replyLimiter{maxLine: maxReplyLine, maxReply: maxReplySize}}
	r := textproto.NewReader(bufio.NewReader(limitedReader{c, bytes.NewReader(data)}))
	code, msg, err := r.ReadResponse(0)
	var pe *textproto.Error
	if err != nil && !errors.As(err, &pe) {
		return 0, "", err
	}
	if code < 100 || code > 999 || strings.ContainsAny(msg, "\r") {
		return 0, "", io.ErrUnexpectedEOF
	}
	return code, msg, nil
}

// limitedReader reads r through c's reply bounds.
type limitedReader struct {
	c *boundedConn
	r io.Reader
}

func (l limitedReader) Read(b []byte) (int, error) {
	if l.c.lim.err != nil {
		return 0, l.c.lim.err
	}
	n, err := l.r.Read(b)
	if k, lerr := l.c.lim.scan(b[:n]); lerr != nil {
		return k, lerr
	}
	return n, err
}

// SASL challenge handling: whatever a server puts in a 334 during a
// bearer exchange, both clients answer as RFC 7628 and Google expect
// (XOAUTH2 an empty line, OAUTHBEARER a single %x01), and the challenge
// they keep is either the JSON document, which survives a round trip,
// or the raw text.
func FuzzSASLChallenge(f *testing.F) {
	f.Add([]byte(`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`))
	f.Add([]byte(`{"status":"invalid_token","scope":"example_scope","openid-configuration":"https://example.com/.well-known/openid-configuration"}`))
	f.Add([]byte("not json"))
	f.Fuzz(func(t *testing.T, ch []byte) {
		x := newXOAuth2Client("alerts@example.com", "tok")
		if r, err := x.Next(ch); err != nil || len(r) != 0 {
			t.Fatalf("XOAUTH2 answered %q, %v", r, err)
		}
		o := newOAuthBearerClient("alerts@example.com", "tok", "smtp.example.com", 587)
		if r, err := o.Next(ch); err != nil || !bytes.Equal(r, []byte{1}) {
			t.Fatalf("OAUTHBEARER answered %q, %v", r, err)
		}
		c := x.errorChallenge()
		if !reflect.DeepEqual(c, o.errorChallenge()) {
			t.Fatalf("the clients kept different challenges")
		}
		if c.Status == "" {
			if c.Raw != strings.TrimSpace(string(ch)) {
				t.Fatalf("raw %q, want %q", c.Raw, ch)
			}
			return
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if again := parseChallenge(b); !reflect.DeepEqual(again, c) {
			t.Fatalf("%+v re-parsed as %+v", c, again)
		}
		_ = c.String()
	})
}

// Masking: a secret planted anywhere in a server's line, in clear or in
// base64 inside a longer message, never survives redact.
func FuzzRedact(f *testing.F) {
	f.Add("before ", "s3cret-token-value", " after", []byte("user=a@b\x01auth=Bearer "))
	f.Add("", "pw-Hostile-9f8e7d", "", []byte("\x00alerts@example.com\x00"))
	f.Fuzz(func(t *testing.T, pre, secret, post string, sasl []byte) {
		if len(secret) < 12 || strings.ContainsAny(secret, "*") {
			return // short secrets are masked as words only; "*" is the mask
		}
		s := &secrets{}
		s.add(secret)
		msg := append(append([]byte{}, sasl...), secret...)
		line := pre + secret + post + " " + base64.StdEncoding.EncodeToString(msg) + " " + base64.RawURLEncoding.EncodeToString(msg)
		out := s.redact(line)
		if strings.Contains(out, secret) {
			t.Fatalf("%q survives in %q", secret, out)
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			if c := base64Core(enc, secret, len(sasl)%3); len(c) >= minCore && strings.Contains(out, c) {
				t.Fatalf("the base64 %q of %q survives in %q", c, secret, out)
			}
		}
	})
}
