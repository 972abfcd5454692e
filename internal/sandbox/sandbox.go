// Package sandbox is a loopback OAuth 2.0 token endpoint and SMTP server
// for trying dsconfig send-test-mail without a cloud tenant, and for the
// tests. The token endpoint issues short-lived client-credentials tokens;
// the SMTP server offers STARTTLS with a certificate from a private CA,
// accepts XOAUTH2 and OAUTHBEARER only with valid, unexpired tokens,
// answers everything else the way Exchange Online does (535 5.7.3), and
// stores what it receives as files.
//
// It listens on loopback addresses only: it allows AUTH before STARTTLS
// (unless told not to), which is safe only there.
package sandbox

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Options configure a sandbox. The zero value plus Dir works.
type Options struct {
	// Dir receives ca.pem and messages/. It must exist.
	Dir string
	// Listen addresses; default 127.0.0.1:0 (a free port). They must be
	// loopback addresses.
	SMTPAddr, SMTPSAddr, TokenAddr string
	// ImplicitTLS also serves SMTP over implicit TLS (as on port 465).
	ImplicitTLS bool
	// RequireTLS refuses AUTH before STARTTLS (go-smtp's 523 5.7.10), as
	// real submission servers do. Off by default: loopback is safe.
	RequireTLS bool

	ClientID, ClientSecret string        // default "sandbox-client" and "sandbox-secret"
	TokenLifetime          time.Duration // default 5 minutes
	JWT                    bool          // issue JWT-shaped tokens instead of opaque ones

	// Mechanisms offered; default XOAUTH2 and OAUTHBEARER, plus PLAIN
	// and LOGIN when Users is set.
	Mechanisms []string
	Users      map[string]string // user name → password, for PLAIN and LOGIN
	// AllowAnonymous accepts MAIL without AUTH; otherwise 530 5.7.57.
	AllowAnonymous bool
	// AuthLineLimit, when positive, refuses an AUTH command whose inline
	// response makes the line (CRLF included) longer, with 500 5.5.6.
	AuthLineLimit int
	// GoogleErrors makes XOAUTH2 failures go through Gmail's 334 JSON
	// challenge instead of Exchange's direct 535.
	GoogleErrors bool
	// CertHosts are the names in the server certificate; default
	// localhost, 127.0.0.1 and ::1.
	CertHosts []string

	// Log receives one line per event; tokens and passwords never.
	Log io.Writer
}

// Sandbox is a running sandbox.
type Sandbox struct {
	opts Options
	pki  *pki

	// CAFile is the PEM file of the private CA.
	CAFile string
	// MessageDir holds one .eml file per received message.
	MessageDir string
	// SMTPAddr and SMTPSAddr (implicit TLS, if enabled) are host:port.
	SMTPAddr, SMTPSAddr string
	tokenAddr           string

	http      *http.Server
	servers   []*smtp.Server
	listeners []net.Listener

	mu            sync.Mutex
	tokens        map[string]time.Time // token → expiry
	issued        []string             // every token ever issued, revoked or not
	tokenRequests int
	tokenFailure  int
	auths         []AuthAttempt
	messages      []Received
}

// Received is a message as the server received it.
type Received struct {
	From string
	To   []string
	User string // the authenticated user, if any
	Data []byte // as sent, CRLF line endings, dot-stuffing removed
	File string
}

func (o *Options) defaults() {
	if o.ClientID == "" {
		o.ClientID = "sandbox-client"
	}
	if o.ClientSecret == "" {
		o.ClientSecret = "sandbox-secret"
	}
	if o.TokenLifetime == 0 {
		o.TokenLifetime = 5 * time.Minute
	}
	if len(o.Mechanisms) == 0 {
		o.Mechanisms = []string{XOAUTH2, OAUTHBEARER}
		if len(o.Users) > 0 {
			o.Mechanisms = append(o.Mechanisms, PLAIN, LOGIN)
		}
	}
	if len(o.CertHosts) == 0 {
		o.CertHosts = []string{"localhost", "127.0.0.1", "::1"}
	}
}

// Start starts a sandbox. Close stops it.
func Start(opts Options) (*Sandbox, error) {
	opts.defaults()
	if opts.Dir == "" {
		return nil, errors.New("sandbox: Options.Dir is required")
	}
	p, err := newPKI(opts.CertHosts)
	if err != nil {
		return nil, fmt.Errorf("sandbox: making the CA: %w", err)
	}
	s := &Sandbox{opts: opts, pki: p, tokens: map[string]time.Time{},
		CAFile: filepath.Join(opts.Dir, "ca.pem"), MessageDir: filepath.Join(opts.Dir, "messages")}
	if err := p.writeCA(s.CAFile); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.MessageDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := s.listen(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Sandbox) listen() error {
	tl, err := listenLoopback(s.opts.TokenAddr)
	if err != nil {
		return err
	}
	s.tokenAddr = tl.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc(tokenPath, s.tokenHandler)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go s.http.Serve(tl)

	if s.SMTPAddr, err = s.serveSMTP(s.opts.SMTPAddr, false); err != nil {
		return err
	}
	if s.opts.ImplicitTLS {
		s.SMTPSAddr, err = s.serveSMTP(s.opts.SMTPSAddr, true)
	}
	return err
}

func (s *Sandbox) serveSMTP(addr string, implicit bool) (string, error) {
	l, err := listenLoopback(addr)
	if err != nil {
		return "", err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{s.pki.server}, MinVersion: tls.VersionTLS12}
	srv := smtp.NewServer(s)
	srv.Domain = "sandbox.localhost"
	srv.TLSConfig = cfg
	// RFC 4954 allows AUTH lines of 12288 octets; go-smtp's default of
	// 2000 would cut a real JWT short.
	srv.MaxLineLength = 16384
	srv.AllowInsecureAuth = !s.opts.RequireTLS
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	srv.ErrorLog = quietLog{}
	if implicit {
		l = tls.NewListener(l, cfg)
	}
	s.mu.Lock()
	s.servers = append(s.servers, srv)
	s.listeners = append(s.listeners, l)
	s.mu.Unlock()
	go srv.Serve(l)
	return l.Addr().String(), nil
}

// listenLoopback listens on addr, which must be a loopback address.
func listenLoopback(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sandbox: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("sandbox: listen address %q is not a loopback address; the sandbox allows AUTH without TLS and must stay local", addr)
	}
	return net.Listen("tcp", addr)
}

// Close stops the servers.
func (s *Sandbox) Close() error {
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		errs = append(errs, s.http.Shutdown(ctx))
	}
	s.mu.Lock()
	servers, listeners := s.servers, s.listeners
	s.mu.Unlock()
	for _, srv := range servers {
		errs = append(errs, srv.Close())
	}
	// A Serve that had not started when srv.Close ran does not know its
	// listener yet, and would wait in Accept for ever: close it here too.
	for _, l := range listeners {
		l.Close() // usually closed already by srv.Close
	}
	return errors.Join(errs...)
}

// TokenURL is the token endpoint's URL.
func (s *Sandbox) TokenURL() string { return "http://" + s.tokenAddr + tokenPath }

// ClientID and ClientSecret are the credentials the token endpoint takes.
func (s *Sandbox) ClientID() string     { return s.opts.ClientID }
func (s *Sandbox) ClientSecret() string { return s.opts.ClientSecret }

// CertPool trusts the sandbox CA.
func (s *Sandbox) CertPool() *x509.CertPool { return s.pki.pool }

// Issue mints a token valid for life without a token request, for a
// static-bearer-token method or a test. A negative life gives a token
// that has already expired.
func (s *Sandbox) Issue(life time.Duration) string {
	if life < 0 {
		tok := randomString(32)
		s.mu.Lock()
		s.tokens[tok] = time.Now().Add(life)
		s.issued = append(s.issued, tok)
		s.mu.Unlock()
		return tok
	}
	tok, _ := s.issue(life)
	return tok
}

// RevokeAll makes every token issued so far invalid.
func (s *Sandbox) RevokeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]time.Time{}
}

// Issued returns every token issued so far, in order, including revoked
// and expired ones: the leak tests search dsconfig's output for them.
func (s *Sandbox) Issued() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.issued...)
}

// FailTokenRequests makes the token endpoint answer with status (0 to
// stop failing).
func (s *Sandbox) FailTokenRequests(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenFailure = status
}

// TokenRequests is how many requests the token endpoint received.
func (s *Sandbox) TokenRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenRequests
}

// AuthAttempts returns the AUTH exchanges so far, in order.
func (s *Sandbox) AuthAttempts() []AuthAttempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]AuthAttempt(nil), s.auths...)
}

// Messages returns the messages received so far, in order.
func (s *Sandbox) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

func (s *Sandbox) record(a AuthAttempt) {
	s.mu.Lock()
	s.auths = append(s.auths, a)
	s.mu.Unlock()
	result := "accepted"
	if !a.OK {
		result = "refused: " + a.Reply
	}
	form := "two-step"
	if a.Inline {
		form = "inline"
	}
	s.logf("smtp: AUTH %s (%s) as %q %s", a.Mechanism, form, a.User, result)
}

func (s *Sandbox) logf(format string, args ...any) {
	if s.opts.Log != nil {
		fmt.Fprintf(s.opts.Log, time.Now().Format("15:04:05 ")+format+"\n", args...)
	}
}

// quietLog drops go-smtp's own error log: the sandbox logs what matters.
type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}
