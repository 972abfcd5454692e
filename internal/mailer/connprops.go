package mailer

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The JavaMail names smtp-connection-properties implements: the ones
// PingDirectory administrators already set on their SMTP servers.
const (
	propConnectionTimeout = "mail.smtp.connectiontimeout"
	propReadTimeout       = "mail.smtp.timeout"
	propWriteTimeout      = "mail.smtp.writetimeout"
	propLocalHost         = "mail.smtp.localhost"
	propSSLProtocols      = "mail.smtp.ssl.protocols"
)

// connectionPropertyNames lists the names smtp-connection-properties
// takes, in the order of its help.
var connectionPropertyNames = []string{propConnectionTimeout, propReadTimeout, propWriteTimeout, propLocalHost, propSSLProtocols}

// maxMillis bounds the timeouts, as smtp-timeout is bounded: one hour.
const maxMillis = 3600000

// tlsVersions are the values of mail.smtp.ssl.protocols. Go's client
// still speaks TLS 1.0 and 1.1, but dsconfig sends credentials, and
// every mail service it is meant for takes 1.2.
var tlsVersions = map[string]uint16{"TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13}

// ConnectionProperties is what smtp-connection-properties sets. A zero
// field leaves the default: smtp-timeout, the EHLO name "localhost",
// TLS 1.2 and 1.3.
type ConnectionProperties struct {
	ConnectTimeout time.Duration // mail.smtp.connectiontimeout
	ReadTimeout    time.Duration // mail.smtp.timeout
	WriteTimeout   time.Duration // mail.smtp.writetimeout
	LocalName      string        // mail.smtp.localhost
	MinTLS, MaxTLS uint16        // mail.smtp.ssl.protocols
}

// connectionProperty is the syntax of smtp-connection-properties. A value
// read from the store only needs to be a name=value pair, so that a store
// written before the names were checked still loads (check-config
// reports the others); a new value must be one of the implemented names
// with a valid value.
type connectionProperty struct{}

var _ config.StrictSyntax = connectionProperty{}

func (connectionProperty) Parse(v string) (string, error) { return config.KeyValue{}.Parse(v) }

func (connectionProperty) ParseNew(v string) (string, error) {
	c, err := config.KeyValue{}.Parse(v)
	if err != nil {
		return "", err
	}
	name, val, _ := strings.Cut(c, "=")
	var p ConnectionProperties
	if err := p.set(name, val); err != nil {
		return "", err
	}
	return c, nil
}

func (connectionProperty) Describe() string {
	return "name=value, with a JavaMail name that dsconfig implements"
}

// set applies one name=value pair.
func (p *ConnectionProperties) set(name, val string) error {
	var err error
	switch name {
	case propConnectionTimeout:
		p.ConnectTimeout, err = millis(val)
	case propReadTimeout:
		p.ReadTimeout, err = millis(val)
	case propWriteTimeout:
		p.WriteTimeout, err = millis(val)
	case propLocalHost:
		p.LocalName, err = ehloName(val)
	case propSSLProtocols:
		p.MinTLS, p.MaxTLS, err = protocols(val)
	default:
		return fmt.Errorf("%q is not an implemented connection property; use one of %s", name, strings.Join(connectionPropertyNames, ", "))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// ehloName checks the EHLO name: a host name. An address would need
// RFC 5321's literal form, which JavaMail does not write either.
func ehloName(v string) (string, error) {
	if net.ParseIP(strings.Trim(v, "[]")) != nil {
		return "", fmt.Errorf("%q is an IP address; give the host's name", v)
	}
	if _, err := (config.Hostname{}).Parse(v); err != nil {
		return "", fmt.Errorf("%q is not a host name", v)
	}
	return v, nil
}

func millis(v string) (time.Duration, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > maxMillis {
		return 0, fmt.Errorf("%q is not a number of milliseconds from 1 to %d", v, maxMillis)
	}
	return time.Duration(n) * time.Millisecond, nil
}

// protocols reads a JavaMail protocol list ("TLSv1.2 TLSv1.3"). Go
// allows a range of versions, not a set, so the lowest and the highest
// listed bound it.
func protocols(v string) (lo, hi uint16, err error) {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' })
	if len(fields) == 0 {
		return 0, 0, errors.New("no protocol is listed; use TLSv1.2, TLSv1.3 or both")
	}
	for _, f := range fields {
		ver, ok := tlsVersions[f]
		if !ok {
			return 0, 0, fmt.Errorf("%q is not a supported protocol; use TLSv1.2, TLSv1.3 or both", f)
		}
		if lo == 0 || ver < lo {
			lo = ver
		}
		hi = max(hi, ver)
	}
	return lo, hi, nil
}

// ParseConnectionProperties reads the values of smtp-connection-properties.
// It returns every name it does not implement, or whose value is not
// valid, as an error, and ignores them; when a name repeats, the last
// value counts.
func ParseConnectionProperties(vals []string) (ConnectionProperties, []error) {
	var p ConnectionProperties
	var errs []error
	for _, kv := range vals {
		name, val, _ := strings.Cut(kv, "=")
		if err := p.set(name, val); err != nil {
			errs = append(errs, err)
		}
	}
	return p, errs
}

// opDeadlineConn limits each read and each write on the connection, as
// JavaMail's socket timeouts do, while keeping the deadline set for the
// whole command: the earlier of the two applies.
type opDeadlineConn struct {
	net.Conn
	read, write time.Duration

	mu     sync.Mutex
	rd, wd time.Time // set through SetDeadline and its kin
}

func withOpDeadlines(c net.Conn, read, write time.Duration) net.Conn {
	if read <= 0 && write <= 0 {
		return c
	}
	return &opDeadlineConn{Conn: c, read: read, write: write}
}

func (c *opDeadlineConn) Read(b []byte) (int, error) {
	if c.read > 0 {
		c.mu.Lock()
		c.Conn.SetReadDeadline(earlier(c.rd, time.Now().Add(c.read)))
		c.mu.Unlock()
	}
	return c.Conn.Read(b)
}

func (c *opDeadlineConn) Write(b []byte) (int, error) {
	if c.write > 0 {
		c.mu.Lock()
		c.Conn.SetWriteDeadline(earlier(c.wd, time.Now().Add(c.write)))
		c.mu.Unlock()
	}
	return c.Conn.Write(b)
}

func (c *opDeadlineConn) SetDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd, c.wd = t, t
	c.mu.Unlock()
	return c.Conn.SetDeadline(t)
}

func (c *opDeadlineConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	c.rd = t
	c.mu.Unlock()
	return c.Conn.SetReadDeadline(t)
}

func (c *opDeadlineConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	c.wd = t
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// earlier returns the earlier deadline; the zero time is none.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}
