package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestServiceAccountCommands gets tokens for a service account from an
// endpoint that verifies the assertion as Google's does, acting as the
// mailbox given with --subject, and finds neither the key nor an
// assertion in the output or the configuration directory.
func TestServiceAccountCommands(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var assertions, tokens []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		a := r.PostForm.Get("assertion")
		parts := strings.Split(a, ".")
		mu.Lock()
		defer mu.Unlock()
		assertions = append(assertions, a)
		w.Header().Set("Content-Type", "application/json")
		var c map[string]any
		if len(parts) == 3 {
			b, _ := base64.RawURLEncoding.DecodeString(parts[1])
			_ = json.Unmarshal(b, &c)
			sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
			d := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
			if rsa.VerifyPKCS1v15(&key.PublicKey, crypto.SHA256, d[:], sig) != nil {
				c = nil
			}
		}
		if c == nil || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || c["sub"] != "alerts@example.com" {
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Invalid email or User ID"}`)
			return
		}
		tok := fmt.Sprintf("ya29.sa-token-%d-Qm7Zp", len(tokens)+1)
		tokens = append(tokens, tok)
		fmt.Fprintf(w, `{"access_token":%q,"expires_in":3599,"token_type":"Bearer"}`, tok)
	}))
	defer srv.Close()
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	// Indented over several lines, as Google's key files are.
	keyJSON, _ := json.MarshalIndent(map[string]string{"type": "service_account", "private_key_id": "k1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8})),
		"client_email": "mailer@p.iam.gserviceaccount.com", "token_uri": srv.URL + "/token"}, "", "  ")
	keyFile := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(keyFile, keyJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	l := &leakRun{t: t, dir: filepath.Join(t.TempDir(), "config"), env: map[string]string{}}
	l.must("", "create-passphrase-provider", "--provider-name", "SA Key", "--type", "file-based",
		"--set", "enabled:true", "--set", "password-file:"+keyFile)
	l.must("", "create-http-authorization-method", "--method-name", "Google", "--type", "service-account-bearer-token",
		"--set", "enabled:true", "--set", "service-account-key-passphrase-provider:SA Key")

	code, out, errOut := l.run("", "get-access-token", "--method-name", "Google")
	if code != exitConfig || !strings.Contains(errOut, "no mailbox to act as") || !strings.Contains(errOut, "--subject") {
		t.Errorf("no subject: exit %d, want %d naming subject-user-name and --subject\n%s%s", code, exitConfig, out, errOut)
	}
	out = l.must("", "get-access-token", "--method-name", "Google", "--subject", "alerts@example.com", "--verbose")
	for _, want := range []string{"Acting As (subject)", "alerts@example.com", "mailer@p.iam.gserviceaccount.com", "assertion=*****"} {
		if !strings.Contains(out, want) {
			t.Errorf("get-access-token --subject does not show %q:\n%s", want, out)
		}
	}
	code, out, errOut = l.run("", "get-access-token", "--method-name", "Google", "--subject", "nobody@example.com", "--no-token-cache")
	if code != exitToken || !strings.Contains(errOut, "not a user of the Workspace domain") {
		t.Errorf("unknown mailbox: exit %d, want %d with the invalid_grant hint\n%s%s", code, exitToken, out, errOut)
	}
	if len(tokens) != 1 {
		t.Fatalf("%d tokens issued, want 1", len(tokens))
	}
	secrets := map[string]string{"token": tokens[0], "key DER": string(p8)}
	body := base64.StdEncoding.EncodeToString(p8)
	for i := 0; i+64 <= len(body); i += 64 {
		secrets[fmt.Sprintf("key PEM line %d", i/64)] = body[i : i+64]
	}
	for i, a := range assertions {
		secrets[fmt.Sprintf("assertion %d", i)] = a
	}
	hits := leakHitsOf(secrets, "stdout/stderr", l.outputs.Bytes())
	_ = filepath.WalkDir(l.dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := readMaybeGzip(p)
			hits = append(hits, leakHitsOf(secrets, p, data)...)
		}
		return err
	})
	if len(hits) > 0 {
		t.Fatalf("%d leaks:\n%s\n\ntranscript:\n%s", len(hits), strings.Join(hits, "\n"), l.transcript.String())
	}
}
