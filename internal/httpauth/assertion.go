package httpauth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// assertionType is RFC 7523's client_assertion_type for a JWT.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// assertionLifetime is how long a client assertion is valid: long enough
// for clock skew and a slow request, short enough that a captured one is
// soon useless. Entra ID accepts up to ten minutes.
const assertionLifetime = 5 * time.Minute

// signingMethod is RS256 for an RSA key and ES256, ES384 or ES512 for an
// EC key on the matching curve.
func signingMethod(k *tlsconf.KeyPair) (jwt.SigningMethod, error) {
	switch pub := k.Key.Public().(type) {
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			return jwt.SigningMethodES256, nil
		case elliptic.P384():
			return jwt.SigningMethodES384, nil
		case elliptic.P521():
			return jwt.SigningMethodES512, nil
		}
		return nil, fmt.Errorf("key manager provider %q: the EC key's curve cannot sign a JWT", k.Provider)
	case *rsa.PublicKey:
		return jwt.SigningMethodRS256, nil
	}
	return nil, fmt.Errorf("key manager provider %q: a %T key cannot sign a client assertion: use an RSA or EC key", k.Provider, k.Key.Public())
}

// clientAssertion returns a JWT that authenticates clientID to the token
// endpoint aud (RFC 7523 §2.2, OpenID Connect private_key_jwt), signed
// with k. The header names the certificate as Entra ID (x5t) and JWKS
// lookups (kid, x5t#S256) expect.
func clientAssertion(k *tlsconf.KeyPair, clientID, aud string, now time.Time) (string, error) {
	m, err := signingMethod(k)
	if err != nil {
		return "", err
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	info := k.Describe()
	// A map, so that aud is one string, as RFC 7523 examples and every
	// server accept, rather than a one-element array.
	t := jwt.NewWithClaims(m, jwt.MapClaims{
		"iss": clientID, "sub": clientID, "aud": aud,
		"jti": base64.RawURLEncoding.EncodeToString(jti),
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(assertionLifetime).Unix(),
	})
	t.Header["x5t"] = info.X5t
	t.Header["x5t#S256"] = info.X5tS256
	t.Header["kid"] = info.Kid
	s, err := t.SignedString(k.Key)
	if err != nil {
		// The library's errors name the method or key type, never the key.
		return "", fmt.Errorf("key manager provider %q: signing the client assertion: %w", k.Provider, err)
	}
	return s, nil
}
