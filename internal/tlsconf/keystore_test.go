package tlsconf_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

const testPin = "p12-Test-Pin" // the password of testdata/openssl3.p12

type pins map[string]string

func (p pins) Secret(_ context.Context, name string) (string, error) {
	if s, ok := p[name]; ok {
		return s, nil
	}
	return "", errors.New("no such provider")
}

// keyStore makes a snapshot with key manager provider "km" reading file,
// its password in provider "pin" when pinProvider is set.
func keyStore(t *testing.T, file string, pinProvider bool) *config.Snapshot {
	t.Helper()
	reg, err := config.NewRegistry(kindsOnly(), tlsconf.Types(), passphraseStandIn)
	if err != nil {
		t.Fatal(err)
	}
	st := config.NewState()
	vals := map[string][]string{config.PropEnabled: {"true"}, "key-store-file": {file}}
	if pinProvider {
		vals["key-store-pin-passphrase-provider"] = []string{"pin"}
	}
	st.Put(&config.Object{Kind: config.KindKeyManagerProvider, Name: "km", Type: tlsconf.TypeFileBased, Values: vals})
	return &config.Snapshot{Registry: reg, State: st, Dir: t.TempDir()}
}

func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPKCS12FromOpenSSL3 reads a file that openssl 3.0 pkcs12 -export
// wrote with its defaults (PBES2, PBKDF2, AES-256-CBC), which
// golang.org/x/crypto/pkcs12 cannot read.
func TestPKCS12FromOpenSSL3(t *testing.T) {
	p12, _ := filepath.Abs("testdata/openssl3.p12")
	want := readCert(t, "testdata/openssl3-cert.pem")
	k, err := tlsconf.LoadKeyPair(context.Background(), keyStore(t, p12, true), pins{"pin": testPin}, "km")
	if err != nil {
		t.Fatal(err)
	}
	if !k.Leaf.Equal(want) || k.Describe().Subject != "CN=dsconfig pkcs12 test" {
		t.Errorf("leaf %v, want %v", k.Leaf.Subject, want.Subject)
	}
	for name, tc := range map[string]struct {
		pinProvider bool
		pins        pins
		want        string
	}{
		"wrong password": {true, pins{"pin": "nope"}, "the PKCS#12 password is wrong: check key-store-pin-passphrase-provider"},
		"no password":    {false, nil, "the PKCS#12 password is wrong"},
		"no provider":    {true, pins{}, "the PKCS#12 password: no such provider"},
	} {
		_, err := tlsconf.LoadKeyPair(context.Background(), keyStore(t, p12, tc.pinProvider), tc.pins, "km")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), `key manager provider "km"`) {
			t.Errorf("%s: %v, want %q", name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), testPin) {
			t.Errorf("%s: the error shows the password: %v", name, err)
		}
	}
}

// TestPKCS12ClientCertificate presents a PKCS#12 key store's
// certificate to a TLS server that requires one.
func TestPKCS12ClientCertificate(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "p12 client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)
	data, err := pkcs12.Modern.Encode(key, cert, nil, testPin)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = r.TLS.PeerCertificates[0].Subject.CommonName
	}))
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool}
	srv.StartTLS()
	defer srv.Close()

	snap := keyStore(t, "client.pfx", true) // relative to the config dir
	if err := os.WriteFile(filepath.Join(snap.Dir, "client.pfx"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := tlsconf.ClientConfig(tlsconf.Settings{Config: snap, KeyManager: "km", Secrets: pins{"pin": testPin}, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.RootCAs = x509.NewCertPool()
	cfg.RootCAs.AddCert(srv.Certificate())
	if err := get(srv, cfg); err != nil || got != "p12 client" {
		t.Errorf("TLS with the PKCS#12 client certificate: %v, server saw %q", err, got)
	}
}
