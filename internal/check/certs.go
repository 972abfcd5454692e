package check

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// expiringWithin is how soon a certificate's expiry earns a warning.
const expiringWithin = 30 * 24 * time.Hour

// maxPEM bounds a trust or key store read.
const maxPEM = 4 << 20

// certificates checks the certificates in the file-based trust and key
// store files. A file that cannot be read is left to TLS, which reports
// it when it is used.
func (c *checker) certificates() {
	for _, k := range []struct{ kind, prop string }{
		{config.KindTrustManagerProvider, propTrustFile}, {config.KindKeyManagerProvider, propKeyFile}} {
		for _, v := range c.objects(k.kind, typeFileBased) {
			if !c.asked(v) {
				continue
			}
			data, err := config.ReadRegular(c.snap.Path(v.String(k.prop)), maxPEM)
			if err != nil {
				continue
			}
			for _, cert := range parseCerts(data) {
				c.certificate(v, k.prop, cert)
			}
		}
	}
}

func parseCerts(data []byte) []*x509.Certificate {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		if cert, err := x509.ParseCertificate(b.Bytes); err == nil {
			out = append(out, cert)
		}
	}
}

func (c *checker) certificate(v config.View, prop string, cert *x509.Certificate) {
	name, kind := v.Object.Name, v.Object.Kind
	when := cert.NotAfter.UTC().Format(time.DateOnly)
	switch {
	case !c.now.Before(cert.NotAfter):
		c.add(certExpired, kind, name, prop, fmt.Sprintf("the certificate %q expired on %s", cert.Subject.String(), when))
	case cert.NotAfter.Sub(c.now) < expiringWithin:
		c.add(certExpiring, kind, name, prop, fmt.Sprintf("the certificate %q expires on %s, within 30 days", cert.Subject.String(), when))
	}
}
