package sendmail

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// DefaultMaxSize is the largest message read from standard input.
const DefaultMaxSize = 25 << 20

// maxLine is RFC 5322's limit on a line, without its CRLF.
const maxLine = 998

// DataError is a message that cannot be sent as it is (EX_DATAERR).
type DataError struct {
	Err  error
	Hint string
}

func (e *DataError) Error() string     { return e.Err.Error() }
func (e *DataError) Unwrap() error     { return e.Err }
func (e *DataError) ErrorHint() string { return e.Hint }

func dataErr(hint, format string, a ...any) error {
	return &DataError{Err: fmt.Errorf(format, a...), Hint: hint}
}

// input is what prepare needs besides the message.
type input struct {
	Args    *Args
	MaxSize int64 // 0: DefaultMaxSize
	// DefaultFrom is the address of an added From when there is no -f:
	// the first server's user-name.
	DefaultFrom string
	Host        string // for an added Message-ID
	Now         time.Time
}

// prepared is a message ready for mailer: the envelope and the text.
type prepared struct {
	Sender     string   // the envelope sender; "" is the server's user-name
	Recipients []string // the envelope recipients
	Raw        []byte   // CRLF, not dot-stuffed
	Raw7Bit    []byte   // Raw encoded for servers without 8BITMIME; nil when Raw is 7-bit
	MessageID  string
	// HeaderFrom is the address of the From field.
	HeaderFrom string
}

type field struct {
	name  string   // as written
	lines []string // the field's lines, continuations included, without CRLF
}

func (f field) is(name string) bool { return strings.EqualFold(f.name, name) }

// value is the unfolded value.
func (f field) value() string {
	v := strings.Join(f.lines, " ")
	_, v, _ = strings.Cut(v, ":")
	return strings.TrimSpace(v)
}

var addressParser = &mail.AddressParser{WordDecoder: &mime.WordDecoder{}}

// prepare reads one message from r and makes it ready to send: the
// recipients (-t), the sender, Bcc removed, Date and Message-ID added,
// and the body encoded where RFC 5322 or a 7-bit server needs it.
func prepare(r io.Reader, in input) (*prepared, error) {
	max := in.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("reading the message from standard input: %w", err)
	}
	if int64(len(data)) > max {
		return nil, dataErr("raise the limit with --max-size BYTES", "the message is larger than %d bytes", max)
	}
	header, body, err := split(data, in.Args.IgnoreDots)
	if err != nil {
		return nil, err
	}
	p := &prepared{Sender: in.Args.Sender}
	if header, err = p.envelope(header, in); err != nil {
		return nil, err
	}
	if !has(header, "Date") {
		header = append(header, mkField("Date", in.Now.Format(time.RFC1123Z)))
	}
	for _, f := range header {
		if f.is("Message-ID") {
			p.MessageID = f.value()
		}
	}
	if p.MessageID == "" {
		p.MessageID = messageID(in.Host)
		header = append(header, mkField("Message-ID", p.MessageID))
	}
	p.encode(header, body)
	return p, nil
}

// split cuts the input into header fields and body lines, with the line
// endings removed; without ignoreDots a line of a lone dot ends the input.
func split(data []byte, ignoreDots bool) ([]field, []string, error) {
	text := strings.TrimSuffix(string(data), "\n")
	var lines []string
	if len(data) > 0 {
		for l := range strings.SplitSeq(text, "\n") {
			l = strings.TrimSuffix(l, "\r")
			if l == "." && !ignoreDots {
				break
			}
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, nil, dataErr("pipe a message with at least a header to send-mail", "the message is empty")
	}
	var header []field
	i := 0
	if isFieldStart(lines[0]) {
		for ; i < len(lines) && lines[i] != ""; i++ {
			l := lines[i]
			if len(l) > maxLine {
				return nil, nil, dataErr("fold the header field, or move the text to the body",
					"header line %d is %d octets long: at most %d are allowed (RFC 5322)", i+1, len(l), maxLine)
			}
			switch {
			case l[0] == ' ' || l[0] == '\t':
				if len(header) == 0 {
					return nil, nil, dataErr("", "header line %d is a continuation without a field", i+1)
				}
				header[len(header)-1].lines = append(header[len(header)-1].lines, l)
			case isFieldStart(l):
				name, _, _ := strings.Cut(l, ":")
				header = append(header, field{name: name, lines: []string{l}})
			default:
				return nil, nil, dataErr("end the header with an empty line before the body",
					"header line %d is malformed: %q is not a field (Name: value)", i+1, trim(l))
			}
		}
		if i < len(lines) {
			i++ // the empty line
		}
	}
	return header, lines[i:], nil
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// isFieldStart says whether l starts a header field: a name of printable
// ASCII without colon or space, then a colon.
func isFieldStart(l string) bool {
	name, _, ok := strings.Cut(l, ":")
	if !ok || name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] <= ' ' || name[i] >= 0x7f {
			return false
		}
	}
	return true
}

func has(header []field, name string) bool {
	for _, f := range header {
		if f.is(name) {
			return true
		}
	}
	return false
}

func mkField(name, value string) field {
	return field{name: name, lines: []string{name + ": " + value}}
}

// envelope sets the recipients and the header's sender, removes Bcc and
// adds a From when there is none.
func (p *prepared) envelope(header []field, in input) ([]field, error) {
	seen := map[string]bool{}
	add := func(as []string) {
		for _, a := range as {
			if k := strings.ToLower(a); !seen[k] {
				seen[k] = true
				p.Recipients = append(p.Recipients, a)
			}
		}
	}
	add(in.Args.Recipients)
	kept := header[:0:0]
	for _, f := range header {
		switch {
		case f.is("From"):
			list, err := addressParser.ParseList(f.value())
			if err != nil || len(list) == 0 {
				return nil, dataErr("", "the From field %q is not a valid address list", trim(f.value()))
			}
			p.HeaderFrom = list[0].Address
		case in.Args.FromHeader && (f.is("To") || f.is("Cc") || f.is("Bcc")):
			if f.value() != "" {
				as, err := parseAddresses(f.value())
				if err != nil {
					return nil, dataErr("", "the %s field holds an invalid address: %v", f.name, err)
				}
				add(as)
			}
		}
		if !f.is("Bcc") {
			kept = append(kept, f)
		}
	}
	if len(p.Recipients) == 0 {
		if in.Args.FromHeader {
			return nil, dataErr("", "no recipient: the message has no To, Cc or Bcc address")
		}
		return nil, usage("give the recipients as arguments, or -t to read them from the To, Cc and Bcc fields", "no recipient given")
	}
	if p.HeaderFrom == "" {
		from := p.Sender
		if from == "" {
			from = in.DefaultFrom
		}
		if from == "" {
			return nil, usage("give -f ADDR, or a From field in the message", "the message has no From field and no sender is known")
		}
		p.HeaderFrom = from
		kept = append(kept, mkField("From", (&mail.Address{Name: in.Args.FullName, Address: from}).String()))
	}
	return kept, nil
}

// encode renders the message. A body with lines over 998 octets is
// always encoded quoted-printable; an 8-bit body is kept in Raw, for
// servers that offer 8BITMIME, and encoded in Raw7Bit.
func (p *prepared) encode(header []field, body []string) {
	eight, long := false, false
	for _, l := range body {
		long = long || len(l) > maxLine
		eight = eight || !mailer.IsASCII(l)
	}
	headerEight := false
	for _, f := range header {
		for _, l := range f.lines {
			headerEight = headerEight || !mailer.IsASCII(l)
		}
	}
	multipart := false
	for _, f := range header {
		if f.is("Content-Type") {
			mt, _, _ := mime.ParseMediaType(f.value())
			multipart = strings.HasPrefix(mt, "multipart/")
		}
	}
	plain := render(header, body)
	if multipart || (!eight && !long) {
		// The parts of a multipart message are left as they are.
		p.Raw = plain
		if headerEight || eight {
			p.Raw7Bit = render(encodeHeader(header), body)
		}
		return
	}
	enc := qpHeader(header)
	qp := qpBody(body)
	if long {
		p.Raw = render(enc, qp)
		if headerEight {
			p.Raw7Bit = render(encodeHeader(enc), qp)
		}
		return
	}
	p.Raw, p.Raw7Bit = plain, render(encodeHeader(enc), qp)
}

// qpHeader sets the MIME fields of a body encoded quoted-printable.
func qpHeader(header []field) []field {
	out := make([]field, 0, len(header)+3)
	for _, f := range header {
		if !f.is("Content-Transfer-Encoding") {
			out = append(out, f)
		}
	}
	if !has(out, "MIME-Version") {
		out = append(out, mkField("MIME-Version", "1.0"))
	}
	if !has(out, "Content-Type") {
		out = append(out, mkField("Content-Type", "text/plain; charset=utf-8"))
	}
	return append(out, mkField("Content-Transfer-Encoding", "quoted-printable"))
}

func qpBody(body []string) []string {
	var b strings.Builder
	w := quotedprintable.NewWriter(&b)
	_, _ = w.Write([]byte(strings.Join(body, "\r\n") + "\r\n")) // a strings.Builder does not fail
	_ = w.Close()
	return strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
}

// unstructured are the fields whose 8-bit text may be encoded as RFC 2047
// words as a whole.
var unstructured = []string{"Subject", "Comments", "Keywords", "Content-Description"}

// encodeHeader encodes the 8-bit text of unstructured fields.
func encodeHeader(header []field) []field {
	out := make([]field, len(header))
	for i, f := range header {
		out[i] = f
		if mailer.IsASCII(strings.Join(f.lines, "")) {
			continue
		}
		for _, n := range unstructured {
			if f.is(n) || strings.HasPrefix(strings.ToLower(f.name), "x-") {
				out[i] = mkField(f.name, mime.QEncoding.Encode("utf-8", f.value()))
				break
			}
		}
	}
	return out
}

func render(header []field, body []string) []byte {
	var b bytes.Buffer
	for _, f := range header {
		for _, l := range f.lines {
			b.WriteString(l + "\r\n")
		}
	}
	b.WriteString("\r\n")
	for _, l := range body {
		b.WriteString(l + "\r\n")
	}
	return b.Bytes()
}

func messageID(host string) string {
	var r [12]byte
	_, _ = rand.Read(r[:]) // crypto/rand.Read never fails
	if host == "" || strings.ContainsAny(host, "<>@ \r\n") {
		host = "localhost"
	}
	return "<" + hex.EncodeToString(r[:]) + ".dsconfig@" + host + ">"
}
