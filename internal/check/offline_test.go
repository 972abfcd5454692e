package check

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

var testNow = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func testRegistry(t testing.TB) *config.Registry { return registry.ForTest(t) }

type vals = map[string][]string

// goodSnapshot is the README quick start: no check finds anything in it.
func goodSnapshot(t testing.TB) *config.Snapshot {
	t.Helper()
	st := config.NewState()
	st.Put(&config.Object{Kind: config.KindPassphraseProvider, Name: "SMTP Client Secret", Type: "environment-variable",
		Values: vals{"enabled": {"true"}, "environment-variable": {"SMTP_CLIENT_SECRET"}}})
	st.Put(&config.Object{Kind: config.KindHTTPAuthorizationMethod, Name: "SMTP Bearer Token", Type: "client-credentials-bearer-token",
		Values: vals{"enabled": {"true"}, propEndpoint: {"https://idp.example.com/oauth2/token"}, "oauth-client-id": {"id"},
			"oauth-client-secret-passphrase-provider": {"SMTP Client Secret"}, propScope: {exchangeScope}}})
	st.Put(&config.Object{Kind: config.KindExternalServer, Name: "Exchange Online", Type: "smtp",
		Values: vals{propHost: {exchangeHost}, propPort: {"587"}, propSecurity: {"starttls"}, propUser: {"alerts@example.com"},
			propTokenMethod: {"SMTP Bearer Token"}}})
	st.Put(&config.Object{Kind: config.KindGlobalConfiguration, Values: vals{config.PropSMTPServer: {"Exchange Online"}}})
	return &config.Snapshot{Registry: testRegistry(t), State: st, Dir: t.TempDir()}
}

func getenv(name string) string {
	if name == "SMTP_CLIENT_SECRET" {
		return "s3cret"
	}
	return ""
}

func runOffline(t *testing.T, snap *config.Snapshot, o Options) []Finding {
	t.Helper()
	o.Config, o.Now = snap, func() time.Time { return testNow }
	if o.Getenv == nil {
		o.Getenv = getenv
	}
	fs, err := Offline(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func ids(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Check)
	}
	return out
}

func set(snap *config.Snapshot, kind, name, prop string, v ...string) {
	o := snap.State.Get(kind, name)
	if v == nil {
		delete(o.Values, prop)
		return
	}
	o.Values[prop] = v
}

const (
	pp  = config.KindPassphraseProvider
	hm  = config.KindHTTPAuthorizationMethod
	es  = config.KindExternalServer
	gc  = config.KindGlobalConfiguration
	mth = "SMTP Bearer Token"
	srv = "Exchange Online"
	sec = "SMTP Client Secret"
)

func TestGoodConfigHasNoFinding(t *testing.T) {
	if fs := runOffline(t, goodSnapshot(t), Options{}); len(fs) != 0 {
		t.Errorf("findings on the quick start: %v", fs)
	}
}

func TestOfflineChecks(t *testing.T) {
	tests := []struct {
		id     string
		change func(*config.Snapshot)
	}{
		{shortTokenLifetime, func(s *config.Snapshot) { set(s, hm, mth, propMaxLifetime, "1 s") }},
		{staticToken, func(s *config.Snapshot) {
			s.State.Put(&config.Object{Kind: hm, Name: "static", Type: typeStatic, Values: vals{"enabled": {"true"}, "oauth-token-passphrase-provider": {sec}}})
			set(s, es, srv, propTokenMethod, "static")
			delete(s.State.Get(gc, "").Values, "x")
			s.State.Delete(hm, mth) // else it is unused
		}},
		{userNameNotAddress, func(s *config.Snapshot) { set(s, es, srv, propUser, "alerts") }},
		{plaintextCreds, func(s *config.Snapshot) {
			set(s, es, srv, propHost, "mail.example.com")
			set(s, es, srv, propSecurity, "none")
		}},
		{blindTrust, func(s *config.Snapshot) {
			s.State.Put(&config.Object{Kind: config.KindTrustManagerProvider, Name: "trust-all", Type: typeBlindTrust, Values: vals{"enabled": {"true"}}})
			set(s, es, srv, propTrustManager, "trust-all")
		}},
		{hostnameNotChecked, func(s *config.Snapshot) { set(s, hm, mth, propHostnameCheck, "allow-all") }},
		{connectionProperty, func(s *config.Snapshot) { set(s, es, srv, propConnProps, "mail.smtp.starttls.enable=true") }},
		{connectionProperty, func(s *config.Snapshot) { set(s, es, srv, propConnProps, "mail.smtp.timeout=soon") }},
		{noSMTPServer, func(s *config.Snapshot) {
			set(s, gc, "", config.PropSMTPServer)
			s.State.Delete(es, srv)
			s.State.Delete(hm, mth)
			s.State.Delete(pp, sec)
		}},
		{serverUnlisted, func(s *config.Snapshot) {
			s.State.Put(&config.Object{Kind: es, Name: "spare", Type: "smtp", Values: vals{propHost: {"localhost"}}})
		}},
		{disabledReference, func(s *config.Snapshot) { set(s, hm, mth, "enabled", "false") }},
		{secretUnresolved, func(s *config.Snapshot) { set(s, pp, sec, "environment-variable", "UNSET_VARIABLE") }},
		{exchangeScopeCheck, func(s *config.Snapshot) { set(s, hm, mth, propScope, "https://outlook.office365.com/SMTP.Send") }},
		{exchangeGraphScope, func(s *config.Snapshot) { set(s, hm, mth, propScope, "https://graph.microsoft.com/.default") }},
		{exchangeSubmission, func(s *config.Snapshot) { set(s, es, srv, propPort, "465") }},
		{exchangeSubmission, func(s *config.Snapshot) { set(s, es, srv, propSecurity, "ssl") }},
		{googleScope, func(s *config.Snapshot) { set(s, es, srv, propHost, gmailHost) }},
		{unusedObject, func(s *config.Snapshot) {
			s.State.Put(&config.Object{Kind: pp, Name: "left over", Type: "environment-variable", Values: vals{"enabled": {"false"}, "environment-variable": {"X"}}})
		}},
		{loopbackHTTP, func(s *config.Snapshot) { set(s, hm, mth, propEndpoint, "http://127.0.0.1:8080/token") }},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			snap := goodSnapshot(t)
			tt.change(snap)
			got := ids(runOffline(t, snap, Options{}))
			if !slices.Equal(got, []string{tt.id}) {
				t.Errorf("findings = %v, want [%s]", got, tt.id)
			}
		})
	}
}

func TestSecretFileChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		mode os.FileMode
		skip bool // no file at all
		want []string
	}{
		{"missing", 0, true, []string{secretUnresolved}},
		{"world-readable", 0o644, false, []string{secretFileReadable}},
		{"private", 0o600, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := goodSnapshot(t)
			file := filepath.Join(snap.Dir, "secret.txt")
			if !tc.skip {
				if err := os.WriteFile(file, []byte("s3cret\n"), tc.mode); err != nil {
					t.Fatal(err)
				}
				os.Chmod(file, tc.mode)
			}
			snap.State.Put(&config.Object{Kind: pp, Name: sec, Type: "file-based", Values: vals{"enabled": {"true"}, "password-file": {"secret.txt"}}})
			if got := ids(runOffline(t, snap, Options{})); !slices.Equal(got, tc.want) {
				t.Errorf("findings = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCommandSecretFails(t *testing.T) {
	snap := goodSnapshot(t)
	snap.State.Put(&config.Object{Kind: pp, Name: sec, Type: "command", Values: vals{"enabled": {"true"}, "command-path": {"/bin/false"}}})
	fs := runOffline(t, snap, Options{})
	if got := ids(fs); !slices.Equal(got, []string{secretUnresolved}) {
		t.Fatalf("findings = %v, want [%s]", got, secretUnresolved)
	}
	if !strings.Contains(fs[0].String(), "test-passphrase-provider --provider-name \"SMTP Client Secret\"") {
		t.Errorf("finding %q does not name the command that says more", fs[0])
	}
}

// writeCert writes a self-signed certificate valid until notAfter.
func writeCert(t *testing.T, path string, notAfter time.Time) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: notAfter.Add(-365 * 24 * time.Hour), NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCertificateChecks(t *testing.T) {
	for _, tc := range []struct {
		notAfter time.Time
		want     []string
	}{
		{testNow.Add(-time.Hour), []string{certExpired}},
		{testNow.Add(10 * 24 * time.Hour), []string{certExpiring}},
		{testNow.Add(90 * 24 * time.Hour), nil},
	} {
		snap := goodSnapshot(t)
		writeCert(t, filepath.Join(snap.Dir, "ca.pem"), tc.notAfter)
		snap.State.Put(&config.Object{Kind: config.KindTrustManagerProvider, Name: "CA", Type: typeFileBased,
			Values: vals{"enabled": {"true"}, propTrustFile: {"ca.pem"}}})
		set(snap, es, srv, propTrustManager, "CA")
		if got := ids(runOffline(t, snap, Options{})); !slices.Equal(got, tc.want) {
			t.Errorf("certificate until %s: findings = %v, want %v", tc.notAfter, got, tc.want)
		}
	}
}

func TestScope(t *testing.T) {
	snap := goodSnapshot(t)
	snap.State.Put(&config.Object{Kind: es, Name: "spare", Type: "smtp", Values: vals{propHost: {"localhost"}, propUser: {"alerts"},
		propTokenMethod: {mth}}})
	set(snap, hm, mth, propMaxLifetime, "1 s")
	got := ids(runOffline(t, snap, Options{ServerName: "spare"}))
	if want := []string{shortTokenLifetime, userNameNotAddress}; !slices.Equal(got, want) {
		t.Errorf("--server-name spare: %v, want %v", got, want)
	}
	got = ids(runOffline(t, snap, Options{MethodName: mth}))
	if want := []string{shortTokenLifetime}; !slices.Equal(got, want) {
		t.Errorf("--method-name: %v, want %v", got, want)
	}
	if _, err := Offline(context.Background(), Options{Config: snap, ServerName: "nope"}); err == nil {
		t.Error("an unknown --server-name gave no error")
	}
}

func TestObjectRunsQuickChecksOnly(t *testing.T) {
	snap := goodSnapshot(t)
	set(snap, pp, sec, "environment-variable", "UNSET_VARIABLE") // needs the secret: not a quick check
	set(snap, hm, mth, propMaxLifetime, "1 s")
	set(snap, es, srv, propUser, "alerts")
	if got := ids(Object(snap, hm, mth, testNow)); !slices.Equal(got, []string{shortTokenLifetime}) {
		t.Errorf("method: %v", got)
	}
	if got := ids(Object(snap, es, srv, testNow)); !slices.Equal(got, []string{userNameNotAddress}) {
		t.Errorf("server: %v", got)
	}
	if got := ids(Object(snap, pp, sec, testNow)); got != nil {
		t.Errorf("provider: %v", got)
	}
}

func TestFindingLine(t *testing.T) {
	snap := goodSnapshot(t)
	set(snap, hm, mth, propMaxLifetime, "1 s")
	fs := runOffline(t, snap, Options{})
	want := `warning: http-authorization-method "SMTP Bearer Token": maximum-token-lifetime: 1 s is under a minute: testing only; remove in production [short-token-lifetime]; fix: dsconfig set-http-authorization-method-prop --method-name "SMTP Bearer Token" --reset maximum-token-lifetime`
	if len(fs) != 1 || fs[0].String() != want {
		t.Errorf("got %v\nwant %s", fs, want)
	}
}

// TestTable keeps the table whole: unique IDs, the severities in order,
// every field filled, and the property names known to the registry.
func TestTable(t *testing.T) {
	seen := map[string]bool{}
	rank := map[Severity]int{Error: 0, Warning: 1, Notice: 2}
	for i, c := range table {
		if seen[c.ID] || c.What == "" || c.Why == "" || c.Fix == "" {
			t.Errorf("check %q: duplicate or incomplete", c.ID)
		}
		seen[c.ID] = true
		if i > 0 && rank[c.Severity] < rank[table[i-1].Severity] {
			t.Errorf("check %q is out of severity order", c.ID)
		}
	}
	r := testRegistry(t)
	for _, p := range []string{propEndpoint, propScope, propMaxLifetime, propHostnameCheck, propTrustManager, propKeyManager,
		propHost, propPort, propSecurity, propUser, propPassword, propPassProvider, propTokenMethod, propTrustFile, propKeyFile, propConnProps} {
		if !r.IsPropertyName(p) {
			t.Errorf("%q is not a property", p)
		}
	}
}

func TestUseWarnings(t *testing.T) {
	snap := goodSnapshot(t)
	if w := UseWarnings(snap, "", ""); w != nil {
		t.Errorf("quick start: %v", w)
	}
	set(snap, hm, mth, propMaxLifetime, "1 s")
	for _, w := range [][]string{UseWarnings(snap, mth, ""), UseWarnings(snap, "", srv), UseWarnings(snap, "", "")} {
		if len(w) != 1 || !strings.Contains(w[0], "under a minute") {
			t.Errorf("1 s lifetime: %v", w)
		}
	}
	snap.State.Put(&config.Object{Kind: hm, Name: mth, Type: typeStatic, Values: vals{"enabled": {"true"}, "oauth-token-passphrase-provider": {sec}}})
	if w := UseWarnings(snap, "", ""); len(w) != 1 || !strings.Contains(w[0], "static bearer token") {
		t.Errorf("static token: %v", w)
	}
}
