package httpauth

import (
	"context"
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
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// googleEndpoint behaves as Google's token endpoint for a service
// account (developers.google.com/identity/protocols/oauth2/service-account):
// it takes the JWT bearer grant, checks the assertion's RS256 signature
// with the account's public key, its kid and claims, and refuses a
// mailbox it does not know with invalid_grant and a scope that
// delegation does not cover with unauthorized_client.
func googleEndpoint(t *testing.T, pub *rsa.PublicKey, email, keyID string, users map[string]bool) *idp {
	p := newIdP(t, false)
	p.respond = func(w http.ResponseWriter, r *http.Request, n int) {
		form := p.last().Form
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fail := func(status int, code, desc string) {
			w.WriteHeader(status)
			fmt.Fprintf(w, `{"error":%q,"error_description":%q}`, code, desc)
		}
		if form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
			fail(400, "unsupported_grant_type", "Invalid grant_type: "+form.Get("grant_type"))
			return
		}
		parts := strings.Split(form.Get("assertion"), ".")
		if len(parts) != 3 {
			fail(400, "invalid_grant", "Invalid JWT")
			return
		}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		var hdr, c map[string]any
		h, _ := base64.RawURLEncoding.DecodeString(parts[0])
		b, _ := base64.RawURLEncoding.DecodeString(parts[1])
		_ = json.Unmarshal(h, &hdr)
		_ = json.Unmarshal(b, &c)
		iat, _ := c["iat"].(float64)
		exp, _ := c["exp"].(float64)
		switch {
		case rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) != nil || hdr["alg"] != "RS256" || hdr["kid"] != keyID:
			fail(400, "invalid_grant", "Invalid JWT Signature.")
		case c["iss"] != email || c["aud"] != p.URL+"/token" || exp <= iat || exp-iat > 3600:
			fail(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.")
		case c["scope"] != googleMailScope:
			fail(401, "unauthorized_client", "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.")
		case !users[fmt.Sprint(c["sub"])]:
			fail(400, "invalid_grant", "Invalid email or User ID")
		default:
			fmt.Fprintf(w, `{"access_token":"ya29.tok-%d-%s","expires_in":3599,"token_type":"Bearer"}`, n, c["sub"])
		}
	}
	return p
}

// saFixture is method "m" of type service-account-bearer-token whose key
// is in passphrase provider "sa-key".
func saFixture(t *testing.T, props map[string][]string) (*fixture, *idp, string) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p8, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: p8}))
	email := "mailer@project.iam.gserviceaccount.com"
	p := googleEndpoint(t, &key.PublicKey, email, "key-1", map[string]bool{"alerts@example.com": true, "ops@example.com": true})
	js, _ := json.Marshal(map[string]string{"type": "service_account", "project_id": "project", "private_key_id": "key-1",
		"private_key": keyPEM, "client_email": email, "client_id": "1234567890", "token_uri": p.URL + "/token"})
	f := newFixture(t, p.URL+"/token", nil)
	vals := map[string][]string{config.PropEnabled: {"true"}, propServiceAccountKey: {"sa-key"}}
	for k, v := range props {
		vals[k] = v
	}
	f.put(config.KindHTTPAuthorizationMethod, "m", TypeServiceAccount, vals)
	f.secrets["sa-key"] = string(js)
	return f, p, keyPEM
}

func TestServiceAccount(t *testing.T) {
	f, p, _ := saFixture(t, nil)
	src := f.source(t)
	// No subject: neither subject-user-name nor a mailbox given.
	_, err := src.Token(context.Background())
	var ce *ConfigError
	if !asConfigError(err, &ce) || !strings.Contains(err.Error(), "no mailbox to act as") ||
		!strings.Contains(ce.ErrorHint(), "subject-user-name") || !strings.Contains(ce.ErrorHint(), "user-name on the SMTP server") {
		t.Fatalf("no subject: %v (%s)", err, ce.ErrorHint())
	}
	if p.count() != 0 {
		t.Fatal("a request was made without a subject")
	}
	a, err := src.(SubjectSource).WithSubject("alerts@example.com", false)
	if err != nil {
		t.Fatal(err)
	}
	if tok := mustToken(t, a); tok.AccessToken != "ya29.tok-1-alerts@example.com" || tok.Expiry.Sub(tok.ObtainedAt) != 3599*time.Second {
		t.Errorf("token %+v", tok)
	}
	info := a.(Describer).Describe()
	if info.ClientID != "mailer@project.iam.gserviceaccount.com" || info.Subject != "alerts@example.com" || info.Endpoint != p.URL+"/token" {
		t.Errorf("Describe = %+v", info)
	}
	// The cache is keyed by subject: another mailbox gets its own token,
	// the first one comes from the cache.
	o, _ := f.source(t).(SubjectSource).WithSubject("ops@example.com", false)
	if tok := mustToken(t, o); tok.AccessToken != "ya29.tok-2-ops@example.com" {
		t.Errorf("ops token %q", tok.AccessToken)
	}
	a2, _ := f.source(t).(SubjectSource).WithSubject("alerts@example.com", false)
	if tok := mustToken(t, a2); !tok.FromCache || tok.AccessToken != "ya29.tok-1-alerts@example.com" {
		t.Errorf("alerts again: %+v", tok)
	}
}

func TestServiceAccountSubjectPrecedence(t *testing.T) {
	f, _, _ := saFixture(t, map[string][]string{propSubjectUserName: {"ops@example.com"}})
	src := f.source(t)
	s, _ := src.(SubjectSource).WithSubject("alerts@example.com", false) // the SMTP user-name
	if !strings.Contains(mustToken(t, s).AccessToken, "ops@example.com") {
		t.Error("subject-user-name did not win over the SMTP user-name")
	}
	o, _ := f.source(t).(SubjectSource).WithSubject("alerts@example.com", true) // --subject
	if tok := mustToken(t, o); !strings.Contains(tok.AccessToken, "alerts@example.com") {
		t.Errorf("--subject did not win: %q", tok.AccessToken)
	}
}

func TestServiceAccountGoogleErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		props map[string][]string
		code  string
		hint  string
	}{
		{"unknown user", map[string][]string{propSubjectUserName: {"nobody@example.com"}}, "invalid_grant", "clock"},
		{"scope not delegated", map[string][]string{propSubjectUserName: {"ops@example.com"}, propRequestedScope: {"https://www.googleapis.com/auth/gmail.send"}},
			"unauthorized_client", "Domain-wide delegation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _, keyPEM := saFixture(t, tc.props)
			_, err := f.source(t).Token(context.Background())
			var te *TokenError
			if !errorsAs(err, &te) || te.Code != tc.code || !strings.Contains(te.ErrorHint(), tc.hint) {
				t.Fatalf("err = %v, want %s with a hint about %q", err, tc.code, tc.hint)
			}
			text := fmt.Sprintf("%v %s %+v", err, te.ErrorHint(), te)
			for _, line := range strings.Split(keyPEM, "\n")[1:3] {
				if strings.Contains(text, line) {
					t.Errorf("the error shows the private key:\n%s", text)
				}
			}
		})
	}
}
