package tlsconf

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Settings says how to build a client TLS configuration from the store.
type Settings struct {
	// Config holds the providers; relative paths start in its directory.
	Config *config.Snapshot

	TrustManager string // trust-manager-provider name; empty: system roots
	KeyManager   string // key-manager-provider name; empty: no client certificate
	// Secrets resolves a PKCS#12 key store's password.
	Secrets    SecretResolver
	ServerName string
	// SkipHostnameCheck verifies the chain but not that the certificate
	// names ServerName (hostname-verification-method: allow-all).
	SkipHostnameCheck bool
}

// ClientConfig returns TLS settings for a connection to s.ServerName.
func ClientConfig(s Settings) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: s.ServerName, MinVersion: tls.VersionTLS12}
	if s.TrustManager != "" {
		if err := s.applyTrust(cfg); err != nil {
			return nil, err
		}
	}
	if s.KeyManager != "" {
		if err := s.applyKey(cfg); err != nil {
			return nil, err
		}
	}
	if s.SkipHostnameCheck && !cfg.InsecureSkipVerify {
		skipHostname(cfg)
	}
	return cfg, nil
}

// Unverified says whether cfg accepts any certificate at all, as a
// blind-trust trust manager makes it do. allow-all hostname verification
// also sets InsecureSkipVerify, but keeps a check of the chain.
func Unverified(cfg *tls.Config) bool {
	return cfg != nil && cfg.InsecureSkipVerify && cfg.VerifyConnection == nil && cfg.VerifyPeerCertificate == nil
}

// blindTrustRisk ends every warning about blind-trust, so that the risk
// is worded once.
const blindTrustRisk = "so anyone on the network path can read the credentials it protects; use it for testing only"

// UnverifiedWarning is the warning for a connection that Unverified says
// is not checked. what names the certificate ("the token endpoint's
// certificate"); trustManager is the blind-trust provider.
func UnverifiedWarning(what, trustManager string) string {
	return fmt.Sprintf("%s is NOT verified: trust-manager-provider %q is blind-trust, %s", what, trustManager, blindTrustRisk)
}

func (s Settings) applyTrust(cfg *tls.Config) error {
	v, err := s.Config.Lookup(config.KindTrustManagerProvider, s.TrustManager)
	if err != nil {
		return err
	}
	switch v.Object.Type {
	case TypeBlindTrust:
		cfg.InsecureSkipVerify = true
	case TypeFileBased:
		pool, err := loadPool(s.Config.Path(v.String(PropTrustStoreFile)))
		if err != nil {
			return fmt.Errorf("trust manager provider %q: %w", s.TrustManager, err)
		}
		cfg.RootCAs = pool
	}
	return nil
}

func (s Settings) applyKey(cfg *tls.Config) error {
	// The settings are built before any request, so there is no
	// request context for a password provider yet.
	k, err := LoadKeyPair(context.Background(), s.Config, s.Secrets, s.KeyManager)
	if err != nil {
		return err
	}
	cfg.Certificates = []tls.Certificate{k.TLS()}
	return nil
}

// maxTrustStore bounds a trust store file: a system bundle of every public
// root is about 200 KiB.
const maxTrustStore = 16 << 20

func loadPool(file string) (*x509.CertPool, error) {
	pem, err := config.ReadRegular(file, maxTrustStore)
	if err != nil {
		return nil, fmt.Errorf("reading the trust store: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s holds no PEM certificate", file)
	}
	return pool, nil
}

// skipHostname keeps chain verification but drops the check that the
// certificate was issued for the host name. crypto/tls can only turn off
// both, so the chain is verified again by hand.
func skipHostname(cfg *tls.Config) {
	roots := cfg.RootCAs
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("tls: the server sent no certificate")
		}
		opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
		for _, c := range cs.PeerCertificates[1:] {
			opts.Intermediates.AddCert(c)
		}
		_, err := cs.PeerCertificates[0].Verify(opts)
		return err
	}
}
