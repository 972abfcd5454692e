package httpauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// testCert is a key and a certificate for it, issued by a throwaway CA
// so that a key store can hold a chain.
type testCert struct {
	key     crypto.Signer
	cert    *x509.Certificate
	ca      *x509.Certificate
	keyPEM  []byte
	certPEM []byte
	caPEM   []byte
}

func newTestCert(t testing.TB, ec bool, cn string) *testCert {
	t.Helper()
	var key crypto.Signer
	var err error
	if ec {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	} else {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		t.Fatal(err)
	}
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: now, NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: cn},
		NotBefore: now, NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{key: key, cert: cert, ca: ca,
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}),
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		caPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})}
}

func (c *testCert) kid() string {
	s := sha256.Sum256(c.cert.Raw)
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// useKey makes method "m" a private-key-jwt method with key manager
// provider "km", whose key store holds data.
func (f *fixture) useKey(t testing.TB, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, "client.pem"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	f.put(config.KindKeyManagerProvider, "km", "file-based", map[string][]string{
		config.PropEnabled: {"true"}, "key-store-file": {"client.pem"}})
	m := f.st.Get(config.KindHTTPAuthorizationMethod, "m")
	delete(m.Values, propClientSecretProvider)
	m.Values[propCredentialsSubmission] = []string{submitJWT}
	m.Values[propKeyManagerProvider] = []string{"km"}
}

// verifyAssertion checks a client assertion the way a token endpoint
// does, by hand rather than with the library that made it: the
// signature against the certificate's public key, then the header and
// the claims.
func verifyAssertion(t *testing.T, jwt string, c *testCert, alg, clientID, aud string, now time.Time) {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("the assertion has %d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch pub := c.cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Errorf("the RS256 signature does not verify with the certificate's key: %v", err)
		}
	case *ecdsa.PublicKey:
		if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			t.Error("the ES256 signature does not verify with the certificate's key")
		}
	}
	var hdr map[string]any
	var claims map[string]any
	for i, v := range []any{&hdr, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatal(err)
		}
	}
	s1 := sha1.Sum(c.cert.Raw)
	wantHdr := map[string]any{"alg": alg, "typ": "JWT", "x5t": base64.RawURLEncoding.EncodeToString(s1[:]),
		"x5t#S256": c.kid(), "kid": c.kid()}
	for k, v := range wantHdr {
		if hdr[k] != v {
			t.Errorf("header %s = %v, want %v", k, hdr[k], v)
		}
	}
	n := float64(now.Unix())
	for k, v := range map[string]any{"iss": clientID, "sub": clientID, "aud": aud, "iat": n, "nbf": n, "exp": n + 300} {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("jti = %q, want a random value", jti)
	}
}

func TestPrivateKeyJWT(t *testing.T) {
	for _, tc := range []struct {
		name string
		ec   bool
		alg  string
	}{{"rsa", false, "RS256"}, {"ec", true, "ES256"}} {
		t.Run(tc.name, func(t *testing.T) {
			p := newIdP(t, false)
			f := newFixture(t, p.URL+"/token", map[string][]string{propRequestedScope: {"https://outlook.office365.com/.default"}})
			c := newTestCert(t, tc.ec, "dsconfig test")
			// The CA first, the key between: the thumbprints must still
			// describe the certificate that matches the key.
			f.useKey(t, append(append(append([]byte{}, c.caPEM...), c.keyPEM...), c.certPEM...))
			s := f.source(t)
			if tok := mustToken(t, s); tok.AccessToken != "tok-1" {
				t.Fatalf("token %q", tok.AccessToken)
			}
			r := p.last()
			if r.HasBasic {
				t.Error("the request carried Basic authorization")
			}
			for k, v := range map[string]string{"grant_type": "client_credentials", "client_id": testClientID,
				"scope": "https://outlook.office365.com/.default", "client_assertion_type": assertionType} {
				if got := r.Form.Get(k); got != v {
					t.Errorf("form %s = %q, want %q", k, got, v)
				}
			}
			if _, ok := r.Form["client_secret"]; ok {
				t.Error("the request carried a client_secret")
			}
			verifyAssertion(t, r.Form.Get("client_assertion"), c, tc.alg, testClientID, p.URL+"/token", f.clock.now())
			info := s.(Describer).Describe()
			if info.Signing == nil || info.Signing.Kid != c.kid() || info.Signing.Subject != "CN=dsconfig test" ||
				!info.Signing.NotAfter.Equal(c.cert.NotAfter) {
				t.Errorf("Describe().Signing = %+v", info.Signing)
			}
		})
	}
}

func TestPrivateKeyJWTFreshAssertionAndCacheKey(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL+"/token", nil)
	c1 := newTestCert(t, true, "one")
	f.useKey(t, append(c1.certPEM, c1.keyPEM...))
	mustToken(t, f.source(t))
	mustToken(t, f.source(t)) // from the shared cache
	if p.count() != 1 {
		t.Fatalf("%d requests, want 1: the cache was not used", p.count())
	}
	// Another key in the same provider: the old token is not reused.
	c2 := newTestCert(t, true, "two")
	f.useKey(t, append(c2.keyPEM, c2.certPEM...))
	f.clock.advance(time.Second)
	if tok := mustToken(t, f.source(t)); tok.AccessToken != "tok-2" {
		t.Errorf("after a key change got %q, want a new token", tok.AccessToken)
	}
	verifyAssertion(t, p.last().Form.Get("client_assertion"), c2, "ES256", testClientID, p.URL+"/token", f.clock.now())
}

func TestPrivateKeyJWTRefused(t *testing.T) {
	p := newIdP(t, false)
	p.respond = respondWith(401, "application/json",
		`{"error":"invalid_client","error_description":"AADSTS700027: Client assertion failed signature validation. Trace ID: t"}`)
	f := newFixture(t, p.URL+"/token", nil)
	c := newTestCert(t, true, "refused")
	f.useKey(t, append(c.certPEM, c.keyPEM...))
	_, err := f.source(t).Token(context.Background())
	var te *TokenError
	if !errorsAs(err, &te) {
		t.Fatalf("err = %v, want a *TokenError", err)
	}
	assertion := p.last().Form.Get("client_assertion")
	text := fmt.Sprintf("%v %s %+v", err, te.ErrorHint(), te)
	if strings.Contains(text, assertion) || strings.Contains(text, strings.Split(assertion, ".")[2]) {
		t.Errorf("the error shows the assertion:\n%s", text)
	}
	if h := te.ErrorHint(); !strings.Contains(h, "upload the certificate") || !strings.Contains(h, "x5t") {
		t.Errorf("hint %q, want the AADSTS700027 hint", h)
	}
	te.AADSTS = ""
	for _, code := range []string{"invalid_client", "invalid_request"} {
		te.Code = code
		if h := te.ErrorHint(); !strings.Contains(h, c.kid()) {
			t.Errorf("%s hint %q, want it to name kid %s", code, h, c.kid())
		}
	}
}

func TestPrivateKeyJWTKeyStoreErrors(t *testing.T) {
	c := newTestCert(t, true, "x")
	other := newTestCert(t, true, "y")
	enc := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}})
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"no key":    {c.certPEM, "no PEM private key"},
		"no cert":   {c.keyPEM, "no PEM certificate"},
		"mismatch":  {append(append([]byte{}, c.keyPEM...), other.certPEM...), "none of the 1 certificates matches the private key"},
		"encrypted": {append(append([]byte{}, enc...), c.certPEM...), "the private key is encrypted"},
		"two keys":  {append(append(append([]byte{}, c.keyPEM...), other.keyPEM...), c.certPEM...), "2 private keys"},
		"neither":   {[]byte("garbage"), "neither PEM nor a readable PKCS#12 key store"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "http://127.0.0.1:1/token", nil)
			f.useKey(t, tc.data)
			_, err := f.source(t).Token(context.Background())
			var ce *ConfigError
			if !asConfigError(err, &ce) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `key manager provider "km"`) {
				t.Errorf("err = %v, want a *ConfigError with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY-----") {
				t.Errorf("the error quotes the key: %v", err)
			}
		})
	}
}

func TestPrivateKeyJWTValidation(t *testing.T) {
	reg := testRegistry(t)
	typ := reg.Kind(config.KindHTTPAuthorizationMethod).Type(TypeClientCredentials)
	base := map[string][]string{config.PropEnabled: {"true"}, propTokenEndpointURL: {"https://login.example/token"}, propClientID: {"c"}}
	for _, tc := range []struct {
		name string
		set  map[string][]string
		want []string
	}{
		{"jwt without key manager", map[string][]string{propCredentialsSubmission: {submitJWT}}, []string{`"key-manager-provider" property must be specified`, "private-key-jwt"}},
		{"jwt with secret", map[string][]string{propCredentialsSubmission: {submitJWT}, propKeyManagerProvider: {"km"}, propClientSecretProvider: {"s"}},
			[]string{`"oauth-client-secret-passphrase-provider" property must not be set`}},
		{"basic without secret", nil, []string{`"oauth-client-secret-passphrase-provider" property must be specified`, "basic-authorization"}},
		{"body without secret", map[string][]string{propCredentialsSubmission: {submitBody}}, []string{"request-body"}},
		{"jwt ok", map[string][]string{propCredentialsSubmission: {submitJWT}, propKeyManagerProvider: {"km"}}, nil},
	} {
		vals := map[string][]string{}
		for k, v := range base {
			vals[k] = v
		}
		for k, v := range tc.set {
			vals[k] = v
		}
		errs := reg.CheckObject(&config.Object{Kind: config.KindHTTPAuthorizationMethod, Name: "m", Type: typ.Name, Values: vals})
		if len(tc.want) == 0 {
			if len(errs) != 0 {
				t.Errorf("%s: %v", tc.name, errs)
			}
			continue
		}
		if len(errs) != 1 {
			t.Errorf("%s: %d problems %v, want 1", tc.name, len(errs), errs)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(errs[0].Error(), w) {
				t.Errorf("%s: %q, want %q", tc.name, errs[0], w)
			}
		}
	}
}

// TestPrivateKeyJWTPKCS12 signs with the key of a PKCS#12 key store whose
// password is the planted secret, which never shows in an error.
func TestPrivateKeyJWTPKCS12(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL+"/token", nil)
	c := newTestCert(t, false, "pfx")
	data, err := pkcs12.Modern.Encode(c.key, c.cert, []*x509.Certificate{c.ca}, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	f.useKey(t, data)
	f.st.Get(config.KindKeyManagerProvider, "km").Values["key-store-pin-passphrase-provider"] = []string{"secret"}
	mustToken(t, f.source(t))
	verifyAssertion(t, p.last().Form.Get("client_assertion"), c, "RS256", testClientID, p.URL+"/token", f.clock.now())

	f.secrets["secret"] = "wrong " + testSecret
	f.clock.advance(2 * time.Hour)
	_, err = f.source(t).Token(context.Background())
	var ce *ConfigError
	if !asConfigError(err, &ce) || !strings.Contains(err.Error(), "the PKCS#12 password is wrong") {
		t.Fatalf("wrong password: %v", err)
	}
	assertNoSecret(t, "the error", err.Error()+ce.ErrorHint())
}
