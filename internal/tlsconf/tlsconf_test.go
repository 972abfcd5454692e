package tlsconf_test

import (
	"crypto/tls"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

func setup(t *testing.T, typ string, set ...string) tlsconf.Settings {
	t.Helper()
	// Only the kinds this package provides types for: the others would
	// have no types and the registry refuses that.
	reg, err := config.NewRegistry(kindsOnly(), tlsconf.Types(), passphraseStandIn)
	if err != nil {
		t.Fatal(err)
	}
	st := config.NewState()
	tx := &config.Tx{Registry: reg, State: st}
	mods, err := config.ParseMods(append([]string{"enabled:true"}, set...), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Create(reg.Kind(config.KindTrustManagerProvider).Type(typ), "tm", mods); err != nil {
		t.Fatal(err)
	}
	return tlsconf.Settings{Config: &config.Snapshot{Registry: reg, State: st, Dir: t.TempDir()}, TrustManager: "tm"}
}

// passphraseStandIn stands for the passphrase provider types, which a key
// store's password refers to.
var passphraseStandIn = []*config.Type{{Kind: config.KindPassphraseProvider, Name: "stand-in", Synopsis: "A stand-in for tests."}}

func kindsOnly() []*config.Kind {
	var out []*config.Kind
	for _, k := range config.Kinds() {
		if k.Name == config.KindTrustManagerProvider || k.Name == config.KindKeyManagerProvider || k.Name == config.KindPassphraseProvider {
			out = append(out, k)
		}
	}
	return out
}

// get connects to srv with cfg and reports the TLS error, if any.
func get(srv *httptest.Server, cfg *tls.Config) error {
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
	resp, err := c.Get(srv.URL)
	if err == nil {
		resp.Body.Close()
	}
	return err
}

func writeCA(t *testing.T, dir string, srv *httptest.Server) {
	t.Helper()
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestFileBasedTrust(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	s := setup(t, tlsconf.TypeFileBased, "trust-store-file:ca.pem") // relative to the config dir
	writeCA(t, s.Config.Dir, srv)

	s.ServerName = "127.0.0.1"
	cfg, err := tlsconf.ClientConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := get(srv, cfg); err != nil {
		t.Errorf("trusted CA, matching name: %v", err)
	}

	s.ServerName = "mail.example.net" // not in the test certificate
	cfg, _ = tlsconf.ClientConfig(s)
	if err := get(srv, cfg); err == nil || !strings.Contains(err.Error(), "mail.example.net") {
		t.Errorf("strict verification of a wrong name: %v, want a name mismatch", err)
	}

	s.SkipHostnameCheck = true
	cfg, _ = tlsconf.ClientConfig(s)
	if err := get(srv, cfg); err != nil {
		t.Errorf("allow-all with a trusted chain: %v", err)
	}
}

func TestAllowAllStillVerifiesTheChain(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	s := setup(t, tlsconf.TypeSystemDefault)
	s.ServerName, s.SkipHostnameCheck = "127.0.0.1", true
	cfg, err := tlsconf.ClientConfig(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := get(srv, cfg); err == nil {
		t.Error("allow-all accepted a certificate from an unknown CA")
	}
}

func TestBlindTrustAndMissingFile(t *testing.T) {
	s := setup(t, tlsconf.TypeBlindTrust)
	cfg, err := tlsconf.ClientConfig(s)
	if err != nil || !cfg.InsecureSkipVerify {
		t.Errorf("blind-trust: %v, InsecureSkipVerify=%v", err, cfg != nil && cfg.InsecureSkipVerify)
	}
	s = setup(t, tlsconf.TypeFileBased, "trust-store-file:/nonexistent/ca.pem")
	if _, err := tlsconf.ClientConfig(s); err == nil || !strings.Contains(err.Error(), `trust manager provider "tm"`) {
		t.Errorf("missing trust store: %v", err)
	}
}
