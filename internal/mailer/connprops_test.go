package mailer

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

func TestConnectionPropertySyntax(t *testing.T) {
	var s config.StrictSyntax = connectionProperty{}
	for _, v := range []string{"mail.smtp.connectiontimeout=5000", "mail.smtp.timeout=1", "mail.smtp.writetimeout=3600000",
		"mail.smtp.localhost=relay.example.net", "mail.smtp.ssl.protocols=TLSv1.2 TLSv1.3", "mail.smtp.ssl.protocols=TLSv1.3"} {
		if _, err := s.ParseNew(v); err != nil {
			t.Errorf("ParseNew(%q): %v", v, err)
		}
	}
	for v, want := range map[string]string{
		"mail.smtp.starttls.enable=true":  "use one of mail.smtp.connectiontimeout, mail.smtp.timeout, mail.smtp.writetimeout, mail.smtp.localhost, mail.smtp.ssl.protocols",
		"mail.smtp.timeout=0":             "from 1 to 3600000",
		"mail.smtp.timeout=5s":            "not a number of milliseconds",
		"mail.smtp.ssl.protocols=TLSv1.1": `"TLSv1.1" is not a supported protocol`,
		"mail.smtp.localhost=10.0.0.1":    "is an IP address",
		"mail.smtp.localhost=a b":         "is not a host name",
	} {
		_, err := s.ParseNew(v)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseNew(%q) = %v, want an error with %q", v, err, want)
		}
		// A store that holds it still loads.
		if _, err := s.Parse(v); err != nil {
			t.Errorf("Parse(%q): %v", v, err)
		}
	}
}

// create and set refuse an unknown name; a store that holds one loads,
// and --remove takes it out.
func TestConnectionPropertiesInStore(t *testing.T) {
	reg, err := config.NewRegistry(config.Kinds(), config.GlobalTypes(), passphrase.Types(), tlsconf.Types(), httpauth.Types(), Types())
	if err != nil {
		t.Fatal(err)
	}
	typ := reg.Kind(config.KindExternalServer).Type(TypeSMTP)
	mod := func(op config.Op, v string) []config.Mod {
		return []config.Mod{{Op: op, Property: propSMTPConnectionProperties, Value: v}}
	}
	fresh := &config.Object{Kind: config.KindExternalServer, Name: "s", Type: TypeSMTP, Values: map[string][]string{"server-host-name": {"localhost"}}}
	err = config.Apply(typ, fresh, mod(config.OpSet, "mail.smtp.auth=true"), true, nil)
	if err == nil || !strings.Contains(err.Error(), "mail.smtp.connectiontimeout") {
		t.Fatalf("create with mail.smtp.auth: %v", err)
	}
	o := &config.Object{Kind: config.KindExternalServer, Name: "s", Type: TypeSMTP,
		Values: map[string][]string{"server-host-name": {"localhost"}, "smtp-connection-properties": {"mail.smtp.auth=true"}}}
	if errs := reg.CheckObject(o); len(errs) != 0 {
		t.Errorf("a stored unknown name does not validate: %v", errs)
	}
	if err := config.Apply(typ, o, mod(config.OpAdd, "mail.smtp.timeout=2000"), false, nil); err != nil {
		t.Errorf("--add beside a stored unknown name: %v", err)
	}
	if err := config.Apply(typ, o, mod(config.OpRemove, "mail.smtp.auth=true"), false, nil); err != nil {
		t.Errorf("--remove of a stored unknown name: %v", err)
	}
	if got := o.Values[propSMTPConnectionProperties]; len(got) != 1 || got[0] != "mail.smtp.timeout=2000" {
		t.Errorf("values %q", got)
	}
}

func TestConnectionPropertiesSession(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{RequireTLS: true})
	s := server(t, sb, newEndpointSource(sb))
	s.Security = SecurityStartTLS
	var errs []error
	s.Conn, errs = ParseConnectionProperties([]string{"mail.smtp.localhost=relay.example.net", "mail.smtp.ssl.protocols=TLSv1.2", "mail.smtp.timeout=5000", "mail.smtp.writetimeout=5000"})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	st := &steps{}
	o := opts(st)
	o.LocalName = "this-host"
	var out strings.Builder
	o.Transcript = &out
	if _, err := send(t, s, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "EHLO relay.example.net") || strings.Contains(out.String(), "this-host") {
		t.Errorf("EHLO name not mail.smtp.localhost:\n%s", out.String())
	}
	for _, x := range st.all {
		if x.Stage == StageTLS && !strings.HasPrefix(x.Detail, "TLS 1.2") {
			t.Errorf("TLS step %q, want TLS 1.2", x.Detail)
		}
	}
}

// mail.smtp.connectiontimeout bounds the connection attempt instead of
// smtp-timeout.
func TestConnectionTimeout(t *testing.T) {
	s := &Server{Host: "smtp.example", Port: 25, Security: SecurityNone, Timeout: time.Minute, User: "alerts@example.com",
		Conn: ConnectionProperties{ConnectTimeout: 1500 * time.Millisecond}}
	var left time.Duration
	s.Dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
		d, _ := ctx.Deadline()
		left = time.Until(d)
		return nil, errors.New("refused")
	}
	if _, err := send(t, s, opts(&steps{})); err == nil {
		t.Fatal("no error")
	}
	if left <= 0 || left > 1500*time.Millisecond {
		t.Errorf("the connection attempt had %v, want at most 1.5s", left)
	}
}

// mail.smtp.timeout limits the wait for each read: a server that never
// greets fails on it long before smtp-timeout.
func TestReadTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			c.Read(make([]byte, 1)) // until the client gives up
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	s := &Server{Host: "127.0.0.1", Port: addr.Port, Security: SecurityNone, Timeout: time.Minute, User: "alerts@example.com",
		Conn: ConnectionProperties{ReadTimeout: 100 * time.Millisecond}}
	_, err = send(t, s, opts(&steps{}))
	if err == nil || !strings.Contains(err.Error(), "no SMTP greeting within mail.smtp.timeout (100ms)") {
		t.Errorf("error %v", err)
	}
}

// mail.smtp.writetimeout limits each write: nobody reads the pipe.
func TestWriteTimeout(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := withOpDeadlines(a, 0, 50*time.Millisecond)
	if _, err := c.Write([]byte("EHLO x\r\n")); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("write error %v, want a deadline", err)
	}
}
