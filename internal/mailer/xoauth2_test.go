package mailer

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func xoauth2IR(user, tok string) string {
	_, ir, _ := newXOAuth2Client(user, tok).Start()
	return string(ir)
}

type tokenFrom struct{ s string }

func (t *tokenFrom) token() *httpauth.Token {
	return &httpauth.Token{AccessToken: t.s, Expiry: time.Now().Add(time.Hour)}
}

// Microsoft's worked example.
func TestXOAuth2Wire(t *testing.T) {
	got := xoauth2IR("test@contoso.onmicrosoft.com", "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA")
	want := "user=test@contoso.onmicrosoft.com\x01auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA\x01\x01"
	if got != want {
		t.Fatalf("got %q", got)
	}
	c := newXOAuth2Client("u", "t")
	resp, err := c.Next([]byte(`{"status":"401","schemes":"bearer mac","scope":"https://mail.google.com/"}`))
	if err != nil || resp == nil || len(resp) != 0 {
		t.Fatalf("answer to the error challenge: %q %v, want an empty non-nil response", resp, err)
	}
	if ch := c.errorChallenge(); ch.Status != "401" || ch.Scope != "https://mail.google.com/" {
		t.Errorf("challenge %+v", ch)
	}
}

func TestOAuthBearerWire(t *testing.T) {
	c := newOAuthBearerClient("u@example.com", "tok", "smtp.example.com", 587)
	mech, ir, _ := c.Start()
	if mech != "OAUTHBEARER" || string(ir) != "n,a=u@example.com,\x01host=smtp.example.com\x01port=587\x01auth=Bearer tok\x01\x01" {
		t.Fatalf("%s %q", mech, ir)
	}
	resp, err := c.Next([]byte(`{"status":"invalid_token"}`))
	if err != nil || string(resp) != "\x01" {
		t.Fatalf("answer %q %v, want %%x01", resp, err)
	}
}

func TestTwoStepSendsNilInitialResponse(t *testing.T) {
	ts := &twoStep{Client: newXOAuth2Client("u", "t")}
	_, ir, _ := ts.Start()
	if ir != nil {
		t.Fatalf("initial response %q, want nil", ir)
	}
	if resp, _ := ts.Next(nil); string(resp) != xoauth2IR("u", "t") {
		t.Fatalf("first Next %q", resp)
	}
}
