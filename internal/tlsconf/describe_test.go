package tlsconf_test

import (
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

func TestDescribeCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	c := srv.Certificate()
	sum := sha256.Sum256(c.Raw)
	got := tlsconf.DescribeCertificate(c)
	for _, want := range []string{`subject "O=Acme Co"`, `issuer "O=Acme Co"`, "names example.com *.example.com 127.0.0.1 ::1",
		"valid " + c.NotBefore.UTC().Format("2006-01-02T15:04:05Z") + " to ", "sha256 " + hex.EncodeToString(sum[:])} {
		if !strings.Contains(got, want) {
			t.Errorf("DescribeCertificate = %q, want it to contain %q", got, want)
		}
	}
	if got := tlsconf.DescribeCertificate(nil); got != "no certificate" {
		t.Errorf("DescribeCertificate(nil) = %q", got)
	}
}

func TestDescribeCertificateQuotesServerText(t *testing.T) {
	c := &x509.Certificate{Subject: pkix.Name{CommonName: "evil\x1b[2J"}, DNSNames: []string{"a b\x07"}}
	got := tlsconf.DescribeCertificate(c)
	if strings.ContainsAny(got, "\x1b\x07") {
		t.Errorf("DescribeCertificate = %q: control characters came through", got)
	}
	if !strings.Contains(got, "names a?b?") {
		t.Errorf("DescribeCertificate = %q, want the name with ? for the space and the bell", got)
	}
}

func TestFailedCertificate(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	// No trust configured: the system roots do not know httptest's CA.
	err := get(srv, nil)
	if err == nil {
		t.Fatal("the connection succeeded without trusting the server's CA")
	}
	if c := tlsconf.FailedCertificate(err); c == nil || !c.Equal(srv.Certificate()) {
		t.Errorf("FailedCertificate(%v) = %v, want the server's certificate", err, c)
	}
	if c := tlsconf.FailedCertificate(http.ErrServerClosed); c != nil {
		t.Errorf("FailedCertificate of an unrelated error = %v, want nil", c)
	}
}
