package tlsconf

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// DescribeCertificate describes a server certificate on one line, for a
// trace or an error: its subject, issuer, subject alternative names,
// validity and SHA-256 fingerprint (of the DER, as openssl x509
// -fingerprint -sha256 shows it, without the colons). A certificate is
// public, so nothing is masked, but its texts come from the server and
// are quoted so that they cannot act on a terminal.
func DescribeCertificate(c *x509.Certificate) string {
	if c == nil {
		return "no certificate"
	}
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("subject %q, issuer %q, names %s, valid %s to %s, sha256 %s",
		c.Subject.String(), c.Issuer.String(), certNames(c),
		c.NotBefore.UTC().Format(time.RFC3339), c.NotAfter.UTC().Format(time.RFC3339), hex.EncodeToString(sum[:]))
}

// certNames lists the DNS names, IP addresses, e-mail addresses and URIs
// of c, or says there are none.
func certNames(c *x509.Certificate) string {
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	names = append(names, c.EmailAddresses...)
	for _, u := range c.URIs {
		names = append(names, u.String())
	}
	if len(names) == 0 {
		return "(none)"
	}
	for i, n := range names {
		names[i] = graphic(n)
	}
	return strings.Join(names, " ")
}

// graphic replaces every character that is not graphic, and the space
// that separates names, with '?'.
func graphic(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || !unicode.IsGraphic(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// FailedCertificate returns the server certificate that a failed
// verification is about, or nil when err does not carry one.
func FailedCertificate(err error) *x509.Certificate {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &cv) && len(cv.UnverifiedCertificates) > 0:
		return cv.UnverifiedCertificates[0]
	case errors.As(err, &ua):
		return ua.Cert
	case errors.As(err, &he):
		return he.Certificate
	case errors.As(err, &ci):
		return ci.Cert
	}
	return nil
}
