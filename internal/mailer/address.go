package mailer

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// maxAddress is the longest envelope address, in octets (RFC 5321
// §4.5.3.1.3: a path holds 256 octets, angle brackets included).
const maxAddress = 254

// ParseAddressList splits one --to value at its commas and checks each
// address with CheckAddress. Quoted local parts are not taken, so a comma
// always separates two addresses.
func ParseAddressList(s string) ([]string, error) {
	var out []string
	for a := range strings.SplitSeq(s, ",") {
		a = strings.Trim(a, " ")
		if err := CheckAddress(a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// CheckAddress accepts only what may go into MAIL FROM and RCPT TO as it
// is: a bare addr-spec (RFC 5322 §3.4.1) of printable ASCII, without a
// display name, angle brackets, comments, quoting or white space, with a
// domain, at most maxAddress octets long. Non-ASCII addresses would need
// SMTPUTF8 (RFC 6531), which send-test-mail does not use.
func CheckAddress(a string) error {
	if a == "" {
		return errors.New("the address is empty")
	}
	for i := 0; i < len(a); i++ {
		switch c := a[i]; {
		case c >= 0x80:
			return errors.New("it is not ASCII: addresses with other characters need SMTPUTF8, which send-test-mail does not use; give the domain in its xn-- form")
		case c <= ' ' || c == 0x7f:
			return errors.New("it holds a space or a control character")
		}
	}
	if len(a) > maxAddress {
		return fmt.Errorf("it is %d octets long: at most %d are allowed", len(a), maxAddress)
	}
	p, err := mail.ParseAddress(a)
	if err != nil || p.Name != "" || p.Address != a {
		return errors.New("it is not a bare address such as ops@example.com (no name, angle brackets, quotes or comments)")
	}
	at := strings.LastIndexByte(a, '@')
	local, domain := a[:at], a[at+1:]
	if len(local) > 64 {
		return fmt.Errorf("its local part is %d octets long: at most 64 are allowed", len(local))
	}
	if strings.ContainsAny(local, "\"\\(),:;<>@[]") {
		return errors.New("its local part holds a character that needs quoting")
	}
	if !validDomain(domain) {
		return errors.New("its domain is not a host name or an address literal")
	}
	return nil
}

func validDomain(d string) bool {
	if strings.HasPrefix(d, "[") {
		return strings.HasSuffix(d, "]") && strings.Trim(d[1:len(d)-1], "0123456789abcdefABCDEFIPv:.") == ""
	}
	for l := range strings.SplitSeq(d, ".") {
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range []byte(l) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// The line limits of RFC 5322 §2.1.1, without the CRLF.
const (
	softLine = 78
	hardLine = 998
)

// foldList renders a header whose value is a list of items (addresses),
// folding between items so that lines stay within softLine where an item
// allows it. Each item must be shorter than hardLine less the header
// name.
func foldList(name string, items []string) string { return fold(name, items, ",") }

// fold renders a header of items separated by sep and a space, folding
// before an item that would take the line past softLine.
func fold(name string, items []string, sep string) string {
	var b strings.Builder
	b.WriteString(name + ":")
	n := len(name) + 1
	for i, it := range items {
		if i < len(items)-1 {
			it += sep
		}
		if i > 0 && n+1+len(it) > softLine {
			b.WriteString("\r\n")
			n = 0
		}
		b.WriteString(" " + it)
		n += 1 + len(it)
	}
	return b.String() + "\r\n"
}

// subjectHeader renders the Subject header. Printable ASCII made of
// words that fit a line is folded at its spaces; anything else (other
// characters, runs of spaces, words too long to fold, text that could
// read as an encoded word) is sent as RFC 2047 Q-encoded words, which
// fold anywhere and decode back to the same text.
func subjectHeader(s string) string {
	const name = "Subject:"
	if plainSubject(s, softLine-len(name)-1) {
		return fold(name[:len(name)-1], strings.Split(s, " "), "")
	}
	return fold(name[:len(name)-1], qWords(s, softLine-len(name)-1), "")
}

// plainSubject says whether s can be sent as it is, folded at its single
// spaces into lines whose words are at most max octets.
func plainSubject(s string, max int) bool {
	if s == "" || strings.Contains(s, "=?") {
		return s == ""
	}
	for w := range strings.SplitSeq(s, " ") {
		if w == "" || len(w) > max {
			return false
		}
		for _, c := range []byte(w) {
			if c < 0x21 || c > 0x7e {
				return false
			}
		}
	}
	return true
}

// qWords encodes s as RFC 2047 "Q" encoded words of at most max octets
// each, never splitting a UTF-8 sequence. Invalid UTF-8 is encoded as the
// octets it is.
func qWords(s string, max int) []string {
	const pre, post = "=?utf-8?q?", "?="
	var words []string
	var cur strings.Builder
	for i := 0; i < len(s); {
		n := 1
		if c := s[i]; c >= 0x80 {
			n = utf8SeqLen(s[i:])
		}
		var enc strings.Builder
		for _, c := range []byte(s[i : i+n]) {
			switch {
			case c == ' ':
				enc.WriteByte('_')
			case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!*+-/", c) >= 0:
				enc.WriteByte(c)
			default:
				fmt.Fprintf(&enc, "=%02X", c)
			}
		}
		if cur.Len() > 0 && len(pre)+cur.Len()+enc.Len()+len(post) > max {
			words = append(words, pre+cur.String()+post)
			cur.Reset()
		}
		cur.WriteString(enc.String())
		i += n
	}
	if cur.Len() > 0 {
		words = append(words, pre+cur.String()+post)
	}
	return words
}

// utf8SeqLen is the length of the valid UTF-8 sequence s starts with, or
// 1 when it starts with none.
func utf8SeqLen(s string) int {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && n <= 1 {
		return 1
	}
	return n
}
