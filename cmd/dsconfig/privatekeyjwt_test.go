package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io/fs"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
)

// jwtKey is an EC key with a self-signed certificate, written as one PEM
// key store.
type jwtKey struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	pem  []byte // the key store: certificate, then key
}

func newJWTKey(t *testing.T, cn string) *jwtKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})...)
	return &jwtKey{key: key, cert: cert, pem: data}
}

func (k *jwtKey) kid() string {
	s := sha256.Sum256(k.cert.Raw)
	return base64.RawURLEncoding.EncodeToString(s[:])
}

// secrets are the forms of the private key that must never be written:
// its DER, and each line of its PEM body.
func (k *jwtKey) secrets() map[string]string {
	p8, _ := x509.MarshalPKCS8PrivateKey(k.key)
	scalar, _ := k.key.Bytes()
	out := map[string]string{"key DER": string(p8), "key scalar": string(scalar)}
	body := base64.StdEncoding.EncodeToString(p8)
	for i := 0; i < len(body); i += 64 {
		out[fmt.Sprintf("key PEM line %d", i/64)] = body[i:min(i+64, len(body))]
	}
	return out
}

// jwtEndpoint is a token endpoint that accepts one certificate's key: it
// verifies each client assertion's ES256 signature with the certificate,
// its header and claims, as Ory Hydra and Entra ID do.
type jwtEndpoint struct {
	*httptest.Server
	clientID string
	cert     *x509.Certificate
	mu       sync.Mutex
	seen     []string // every assertion received
	tokens   []string
}

func (e *jwtEndpoint) serve(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	a := r.PostForm.Get("client_assertion")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, a)
	w.Header().Set("Content-Type", "application/json")
	if err := e.verify(r, a); err != nil {
		w.WriteHeader(401)
		fmt.Fprintf(w, `{"error":"invalid_client","error_description":%q}`, "client authentication failed: "+err.Error())
		return
	}
	tok := fmt.Sprintf("jwt-token-%d-%x", len(e.tokens)+1, time.Now().UnixNano())
	e.tokens = append(e.tokens, tok)
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
}

func (e *jwtEndpoint) verify(r *http.Request, a string) error {
	if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" ||
		r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != e.clientID {
		return fmt.Errorf("bad form %v", r.PostForm)
	}
	parts := strings.Split(a, ".")
	if len(parts) != 3 {
		return fmt.Errorf("not a JWT")
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	pub := e.cert.PublicKey.(*ecdsa.PublicKey)
	if len(sig) != 64 || !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return fmt.Errorf("bad signature")
	}
	var hdr, claims map[string]any
	h, _ := base64.RawURLEncoding.DecodeString(parts[0])
	c, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if json.Unmarshal(h, &hdr) != nil || json.Unmarshal(c, &claims) != nil {
		return fmt.Errorf("bad JSON")
	}
	s := sha256.Sum256(e.cert.Raw)
	kid := base64.RawURLEncoding.EncodeToString(s[:])
	if hdr["alg"] != "ES256" || hdr["kid"] != kid || hdr["x5t#S256"] != kid {
		return fmt.Errorf("bad header %v", hdr)
	}
	now := float64(time.Now().Unix())
	exp, _ := claims["exp"].(float64)
	if claims["iss"] != e.clientID || claims["sub"] != e.clientID || claims["aud"] != e.URL+"/token" || exp < now || exp > now+600 {
		return fmt.Errorf("bad claims %v", claims)
	}
	return nil
}

// TestPrivateKeyJWTCommands provisions a private-key-jwt method through
// the commands, gets tokens, is refused with another key, and finds
// neither the private key nor any assertion in the output or the
// configuration directory.
func TestPrivateKeyJWTCommands(t *testing.T) {
	good, bad := newJWTKey(t, "alerts good"), newJWTKey(t, "alerts other")
	ep := &jwtEndpoint{clientID: "mail-client", cert: good.cert}
	ep.Server = httptest.NewServer(http.HandlerFunc(ep.serve))
	defer ep.Close()
	keys := t.TempDir() // outside the searched tree
	for name, k := range map[string]*jwtKey{"good.pem": good, "bad.pem": bad} {
		if err := os.WriteFile(filepath.Join(keys, name), k.pem, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	const pin = "Lk7-p12Pin-Zq8Wd3Rv"
	pfx, err := pkcs12.Modern.Encode(good.key, good.cert, nil, pin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(keys, "good.pfx"), pfx, 0o600); err != nil {
		t.Fatal(err)
	}
	l := &leakRun{t: t, dir: filepath.Join(t.TempDir(), "config"), env: map[string]string{"P12_PIN": pin}}
	l.must("", "create-key-manager-provider", "--provider-name", "Signing", "--type", "file-based",
		"--set", "enabled:true", "--set", "key-store-file:"+filepath.Join(keys, "good.pem"))
	l.must("", "create-key-manager-provider", "--provider-name", "Other", "--type", "file-based",
		"--set", "enabled:true", "--set", "key-store-file:"+filepath.Join(keys, "bad.pem"))
	l.must("", "create-passphrase-provider", "--provider-name", "Env", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:X")
	l.must("", "create-passphrase-provider", "--provider-name", "Pin", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:P12_PIN")
	l.must("", "create-key-manager-provider", "--provider-name", "Pfx", "--type", "file-based",
		"--set", "enabled:true", "--set", "key-store-file:"+filepath.Join(keys, "good.pfx"), "--set", "key-store-pin-passphrase-provider:Pin")
	store := filepath.Join(l.dir, config.StoreFileName)
	before, _ := os.ReadFile(store)
	base := []string{"create-http-authorization-method", "--method-name", "JWT", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:" + ep.URL + "/token",
		"--set", "oauth-client-id:mail-client", "--set", "credentials-submission-method:private-key-jwt"}
	// Refused: no key manager provider, and a secret beside the key.
	for _, tc := range []struct {
		extra []string
		want  string
	}{
		{nil, `"key-manager-provider" property must be specified`},
		{[]string{"--set", "key-manager-provider:Signing", "--set", "oauth-client-secret-passphrase-provider:Env"}, `"oauth-client-secret-passphrase-provider" property must not be set`},
	} {
		code, out, errOut := l.run("", append(base, tc.extra...)...)
		if code != exitConfig || !strings.Contains(errOut, tc.want) {
			t.Errorf("create %q: exit %d, want %d and %q\n%s%s", tc.extra, code, exitConfig, tc.want, out, errOut)
		}
	}
	if after, _ := os.ReadFile(store); !bytes.Equal(before, after) {
		t.Error("a refused create changed the store")
	}
	l.must("", append(base, "--set", "key-manager-provider:Signing")...)

	out := l.must("", "get-access-token", "--method-name", "JWT")
	for _, want := range []string{"Signing Certificate", "CN=alerts good", good.kid(), "Thumbprint (x5t)", "Certificate Expires"} {
		if !strings.Contains(out, want) {
			t.Errorf("get-access-token does not show %q:\n%s", want, out)
		}
	}
	var rep struct {
		Signing struct{ Kid, Subject string } `json:"signing-certificate"`
	}
	if err := json.Unmarshal([]byte(l.must("", "get-access-token", "--method-name", "JWT", "--output", "json", "--no-token-cache")), &rep); err != nil || rep.Signing.Kid != good.kid() {
		t.Errorf("JSON signing-certificate = %+v (%v)", rep.Signing, err)
	}
	if out := l.must("", "get-access-token", "--method-name", "JWT", "--no-token-cache", "--verbose"); !strings.Contains(out, "client_assertion") {
		t.Errorf("the trace does not show the request:\n%s", out)
	}

	// The same key from a PKCS#12 file: the same kid, and the cached
	// token, which is keyed by the certificate, not the provider's name.
	l.must("", "set-http-authorization-method-prop", "--method-name", "JWT", "--set", "key-manager-provider:Pfx")
	if out := l.must("", "get-access-token", "--method-name", "JWT"); !strings.Contains(out, good.kid()) {
		t.Errorf("the PKCS#12 key store: no kid %s in\n%s", good.kid(), out)
	}

	// Another key: refused by the server, exit 4, with a hint that names
	// the kid to register.
	l.must("", "set-http-authorization-method-prop", "--method-name", "JWT", "--set", "key-manager-provider:Other")
	code, out, errOut := l.run("", "get-access-token", "--method-name", "JWT", "--verbose")
	if code != exitToken || !strings.Contains(errOut, "invalid_client") || !strings.Contains(errOut, bad.kid()) {
		t.Errorf("another key: exit %d, want %d with invalid_client and its kid\n%s%s", code, exitToken, out, errOut)
	}
	if len(ep.tokens) != 3 || len(ep.seen) != 4 {
		t.Errorf("the endpoint issued %d tokens for %d assertions, want 3 for 4", len(ep.tokens), len(ep.seen))
	}
	secrets := map[string]string{"PKCS#12 password": pin}

	for name, k := range map[string]*jwtKey{"good": good, "bad": bad} {
		for form, s := range k.secrets() {
			secrets[name+" "+form] = s
		}
	}
	for i, a := range ep.seen {
		secrets[fmt.Sprintf("assertion %d", i+1)] = a
		secrets[fmt.Sprintf("assertion %d signature", i+1)] = a[strings.LastIndex(a, ".")+1:]
	}
	for i, tok := range ep.tokens {
		secrets[fmt.Sprintf("token %d", i+1)] = tok
	}
	hits := leakHitsOf(secrets, "stdout/stderr", l.outputs.Bytes())
	seen := map[string]bool{}
	err = filepath.WalkDir(l.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := readMaybeGzip(p)
		seen[filepath.Base(p)] = true
		hits = append(hits, leakHitsOf(secrets, p, data)...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{httpauth.CacheFileName, history.AuditLogName} {
		if !seen[f] {
			t.Errorf("the config dir has no %s: the search did not cover it", f)
		}
	}
	if len(hits) > 0 {
		t.Fatalf("%d leaks:\n%s\n\ntranscript:\n%s", len(hits), strings.Join(hits, "\n"), l.transcript.String())
	}
}
