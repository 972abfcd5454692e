package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T, o Options) *Sandbox {
	t.Helper()
	o.Dir = t.TempDir()
	sb, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	return sb
}

func TestTokenEndpoint(t *testing.T) {
	sb := start(t, Options{TokenLifetime: time.Minute, JWT: true})
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {"s"}}
	post := func(f url.Values, id, secret string) (*http.Response, map[string]any) {
		req, _ := http.NewRequest("POST", sb.TokenURL(), strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if id != "" {
			req.SetBasicAuth(id, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		return resp, body
	}
	resp, body := post(form, sb.ClientID(), sb.ClientSecret())
	tok, _ := body["access_token"].(string)
	if resp.StatusCode != 200 || body["expires_in"] != 60.0 || strings.Count(tok, ".") != 2 || !sb.validToken(tok) {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	inBody := url.Values{"grant_type": {"client_credentials"}, "client_id": {sb.ClientID()}, "client_secret": {sb.ClientSecret()}}
	if resp, _ := post(inBody, "", ""); resp.StatusCode != 200 {
		t.Errorf("client_secret_post: %d", resp.StatusCode)
	}
	if resp, body := post(form, sb.ClientID(), "wrong"); resp.StatusCode != 401 || body["error"] != "invalid_client" {
		t.Errorf("wrong secret: %d %v", resp.StatusCode, body)
	}
	if resp, body := post(url.Values{"grant_type": {"password"}}, sb.ClientID(), sb.ClientSecret()); body["error"] != "unsupported_grant_type" {
		t.Errorf("grant: %d %v", resp.StatusCode, body)
	}
	sb.FailTokenRequests(503)
	if resp, _ := post(form, sb.ClientID(), sb.ClientSecret()); resp.StatusCode != 503 {
		t.Errorf("failure mode: %d", resp.StatusCode)
	}
	if sb.TokenRequests() != 5 {
		t.Errorf("requests %d", sb.TokenRequests())
	}
	expired := sb.Issue(-time.Minute)
	sb.RevokeAll()
	if sb.validToken(tok) {
		t.Error("revoked token still valid")
	}
	// Two tokens came from the endpoint (basic and post), one from Issue;
	// revoking forgets none of them.
	if got := sb.Issued(); len(got) != 3 || got[0] != tok || got[2] != expired {
		t.Errorf("Issued() = %q, want 3 tokens starting with %q and ending with %q", got, tok, expired)
	}
}

// go-sasl's OAUTHBEARER server panics on an empty answer to its error
// challenge; the sandbox's must answer 535.
func TestOAuthBearerEmptyAnswer(t *testing.T) {
	sb := start(t, Options{})
	c, err := textproto.Dial("tcp", sb.SMTPAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	expect := func(code int) string {
		t.Helper()
		_, msg, err := c.ReadResponse(code)
		if err != nil {
			t.Fatalf("want %d: %v", code, err)
		}
		return msg
	}
	expect(220)
	c.PrintfLine("EHLO test")
	expect(250)
	ir := base64.StdEncoding.EncodeToString([]byte("n,a=u@example.com,\x01auth=Bearer nope\x01\x01"))
	c.PrintfLine("AUTH OAUTHBEARER %s", ir)
	chal, _ := base64.StdEncoding.DecodeString(expect(334))
	if !strings.Contains(string(chal), `"status":"invalid_token"`) {
		t.Errorf("challenge %s", chal)
	}
	c.PrintfLine("")
	if msg := expect(535); !strings.HasPrefix(msg, "5.7.8") {
		t.Errorf("final reply %q", msg)
	}
	c.PrintfLine("NOOP")
	expect(250)
}

func TestLoopbackOnly(t *testing.T) {
	if _, err := Start(Options{Dir: t.TempDir(), SMTPAddr: "0.0.0.0:0"}); err == nil || !strings.Contains(err.Error(), "not a loopback address") {
		t.Fatalf("got %v", err)
	}
}

func TestParseBearer(t *testing.T) {
	u, tok, ok := parseBearer(XOAUTH2, []byte("user=a@b\x01auth=Bearer T1\x01\x01"))
	if !ok || u != "a@b" || tok != "T1" {
		t.Errorf("xoauth2: %q %q %v", u, tok, ok)
	}
	u, tok, ok = parseBearer(OAUTHBEARER, []byte("n,a=a@b,\x01host=h\x01port=587\x01auth=Bearer T2\x01\x01"))
	if !ok || u != "a@b" || tok != "T2" {
		t.Errorf("oauthbearer: %q %q %v", u, tok, ok)
	}
	if _, _, ok := parseBearer(XOAUTH2, []byte("user=a@b\x01auth=Basic x\x01\x01")); ok {
		t.Error("Basic accepted")
	}
}
