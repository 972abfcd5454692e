package tlsconf

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha1" //nolint:gosec // x5t is defined as the SHA-1 thumbprint
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// maxKeyStore bounds a key store read.
const maxKeyStore = 4 << 20

// KeyPair is the private key of a key manager provider with the
// certificate that matches it (Leaf) and the rest of the chain after it.
type KeyPair struct {
	Provider string
	Key      crypto.Signer
	Leaf     *x509.Certificate
	Chain    [][]byte // DER, Leaf first
}

// TLS returns the pair as a TLS client certificate.
func (k *KeyPair) TLS() tls.Certificate {
	return tls.Certificate{Certificate: k.Chain, PrivateKey: k.Key, Leaf: k.Leaf}
}

// CertInfo describes a signing certificate without its key: what an
// admin registers with the authorization server, and when it expires.
type CertInfo struct {
	Subject  string    `json:"subject"`
	X5t      string    `json:"x5t"`      // base64url SHA-1 of the DER
	X5tS256  string    `json:"x5t#S256"` // base64url SHA-256 of the DER
	Kid      string    `json:"kid"`      // equal to X5tS256
	NotAfter time.Time `json:"not-after"`
}

// Describe returns the certificate's subject, thumbprints, kid and expiry.
func (k *KeyPair) Describe() CertInfo {
	return describeSigningCert(k.Leaf)
}

// describeSigningCert returns c's subject, thumbprints, kid and expiry.
func describeSigningCert(c *x509.Certificate) CertInfo {
	s1 := sha1.Sum(c.Raw) //nolint:gosec // x5t is SHA-1 by definition
	s256 := sha256.Sum256(c.Raw)
	t256 := base64.RawURLEncoding.EncodeToString(s256[:])
	return CertInfo{Subject: c.Subject.String(), X5t: base64.RawURLEncoding.EncodeToString(s1[:]),
		X5tS256: t256, Kid: t256, NotAfter: c.NotAfter.UTC()}
}

// SecretResolver gives the secret held by a passphrase provider.
type SecretResolver interface {
	Secret(ctx context.Context, name string) (string, error)
}

// LoadKeyPair reads the key store of the named key manager provider: PEM,
// or PKCS#12 (recognised by its content) whose password comes from
// key-store-pin-passphrase-provider through secrets. The errors name the
// provider and the file, never the key or the password.
func LoadKeyPair(ctx context.Context, snap *config.Snapshot, secrets SecretResolver, name string) (*KeyPair, error) {
	v, err := snap.Lookup(config.KindKeyManagerProvider, name)
	if err != nil {
		return nil, err
	}
	file := snap.Path(v.String(propKeyStoreFile))
	data, err := config.ReadRegular(file, maxKeyStore)
	if err != nil {
		return nil, fmt.Errorf("key manager provider %q: reading the key store: %w", name, err)
	}
	var k *KeyPair
	if isPEM(data) {
		k, err = parsePEMKeyStore(data)
	} else {
		var pin string
		if p := v.String(propKeyStorePin); p != "" {
			if secrets == nil {
				return nil, fmt.Errorf("key manager provider %q: no passphrase resolver for %s", name, propKeyStorePin)
			}
			if pin, err = secrets.Secret(ctx, p); err != nil {
				return nil, fmt.Errorf("key manager provider %q: the PKCS#12 password: %w", name, err)
			}
		}
		k, err = parsePKCS12(data, pin)
	}
	if err != nil {
		return nil, fmt.Errorf("key manager provider %q: %s: %w", name, file, err)
	}
	k.Provider = name
	return k, nil
}

// parsePEMKeyStore reads one unencrypted private key and its certificate
// chain, in any order. The certificate whose public key matches the key
// comes first; the others follow in file order.
func parsePEMKeyStore(data []byte) (*KeyPair, error) {
	var (
		key   crypto.Signer
		certs []*x509.Certificate
		nkeys int
	)
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		switch b.Type {
		case "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, fmt.Errorf("a certificate cannot be parsed: %w", err)
			}
			certs = append(certs, c)
		case "ENCRYPTED PRIVATE KEY":
			return nil, errors.New("the private key is encrypted: use an unencrypted PEM key (openssl pkey -in KEY -out KEY.pem) or a PKCS#12 file")
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			nkeys++
			k, err := parseKey(b)
			if err != nil {
				return nil, err
			}
			key = k
		}
	}
	switch {
	case nkeys == 0:
		return nil, errors.New("no PEM private key found: the file must hold the private key and its certificate")
	case nkeys > 1:
		return nil, fmt.Errorf("%d private keys found: the file must hold exactly one", nkeys)
	case len(certs) == 0:
		return nil, errors.New("no PEM certificate found: the file must hold the private key and its certificate")
	}
	return pair(key, certs)
}

func parseKey(b *pem.Block) (crypto.Signer, error) {
	var (
		k   any
		err error
	)
	switch b.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	}
	if err != nil {
		// The parser's message says what is wrong with the structure;
		// it does not quote the key.
		return nil, fmt.Errorf("the private key cannot be parsed: %w", err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T, which cannot sign", k)
	}
	return s, nil
}

// pair puts the certificate that matches key first.
func pair(key crypto.Signer, certs []*x509.Certificate) (*KeyPair, error) {
	for i, c := range certs {
		if samePublic(key.Public(), c.PublicKey) {
			k := &KeyPair{Key: key, Leaf: c, Chain: [][]byte{c.Raw}}
			for j, o := range certs {
				if j != i {
					k.Chain = append(k.Chain, o.Raw)
				}
			}
			return k, nil
		}
	}
	return nil, fmt.Errorf("none of the %d certificates matches the private key", len(certs))
}

func samePublic(a, b crypto.PublicKey) bool {
	switch a := a.(type) {
	case *rsa.PublicKey:
		return a.Equal(b)
	case *ecdsa.PublicKey:
		return a.Equal(b)
	case ed25519.PublicKey:
		return a.Equal(b)
	}
	return false
}

// parsePKCS12 reads a PKCS#12 key store with one private key, as
// Windows, Entra ID and openssl pkcs12 -export write them, including
// OpenSSL 3's default AES-256 with PBKDF2.
func parsePKCS12(data []byte, pin string) (*KeyPair, error) {
	key, leaf, cas, err := pkcs12.DecodeChain(data, pin)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, errors.New("the PKCS#12 password is wrong: check key-store-pin-passphrase-provider")
	}
	if err != nil {
		return nil, fmt.Errorf("neither PEM nor a readable PKCS#12 key store: %w", err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("the private key is a %T, which cannot sign", key)
	}
	return pair(s, append([]*x509.Certificate{leaf}, cas...))
}

// isPEM says whether data looks like PEM rather than DER.
func isPEM(data []byte) bool {
	return bytes.Contains(data, []byte("-----BEGIN "))
}
