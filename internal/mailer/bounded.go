package mailer

import (
	"fmt"
	"net"
)

// The bounds on what a server may send in reply. RFC 5321 §4.5.3.1.5
// limits a reply line to 512 octets, CRLF included; real servers exceed
// it now and then (long EHLO keyword lists, verbose rejections), so the
// line bound is eight times that. A multi-line reply may hold at most
// maxReplySize octets in all. Without them an endless greeting line, or
// an endless multi-line reply, would be buffered whole: textproto has no
// limit.
const (
	maxReplyLine = 4 << 10  // octets in one reply line, CRLF included
	maxReplySize = 64 << 10 // octets in one reply, all its lines together
)

// ReplyTooLongError is what reading a reply that breaks a bound returns.
type ReplyTooLongError struct {
	Line  bool // the line bound was broken; otherwise the reply's total
	Limit int
}

func (e *ReplyTooLongError) Error() string {
	if e.Line {
		return fmt.Sprintf("the server sent a reply line longer than %d octets (RFC 5321 allows 512); dsconfig stopped reading it", e.Limit)
	}
	return fmt.Sprintf("the server sent a multi-line reply longer than %d octets in all; dsconfig stopped reading it", e.Limit)
}

// ErrorHint says what the bound means for the admin.
func (e *ReplyTooLongError) ErrorHint() string {
	return "this is not an SMTP server, or a broken one: check server-host-name and server-port"
}

// replyLimiter follows the reply lines in a stream of server octets and
// fails once a line or a reply grows past its bound.
type replyLimiter struct {
	maxLine, maxReply int
	line, reply       int     // octets so far in the current line and reply
	head              [4]byte // the current line's first octets
	err               error
}

// scan takes the next octets and returns how many of them are within the
// bounds; when that is fewer than len(b), err says which bound broke.
// Once broken, it stays broken.
func (l *replyLimiter) scan(b []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	for i, c := range b {
		if l.line < len(l.head) {
			l.head[l.line] = c
		}
		l.line++
		l.reply++
		if l.line > l.maxLine {
			l.err = &ReplyTooLongError{Line: true, Limit: l.maxLine}
			return i, l.err
		}
		if l.reply > l.maxReply {
			l.err = &ReplyTooLongError{Limit: l.maxReply}
			return i, l.err
		}
		if c != '\n' {
			continue
		}
		// "250-" goes on; "250 ", "250\r\n" and anything else end the
		// reply, as textproto's reader ends it.
		if !(l.line >= 5 && l.head[3] == '-') {
			l.reply = 0
		}
		l.line = 0
	}
	return len(b), nil
}

// boundedConn applies the reply bounds to what is read from a connection
// that carries SMTP in clear (above TLS).
type boundedConn struct {
	net.Conn
	lim replyLimiter
}

func bounded(c net.Conn) net.Conn {
	return &boundedConn{Conn: c, lim: replyLimiter{maxLine: maxReplyLine, maxReply: maxReplySize}}
}

func (c *boundedConn) Read(b []byte) (int, error) {
	if c.lim.err != nil {
		return 0, c.lim.err
	}
	n, err := c.Conn.Read(b)
	ok, lerr := c.lim.scan(b[:n])
	if lerr != nil {
		return ok, lerr
	}
	return n, err
}
