package mailer

import (
	"encoding/json"
	"strings"

	"github.com/emersion/go-sasl"
)

// xOAUTH2 is the SASL mechanism name used by Exchange Online and Gmail.
const xOAUTH2 = "XOAUTH2"

// xoauth2Client is a SASL client for XOAUTH2, which go-sasl does not
// provide. The initial response is
//
//	user=<user>\x01auth=Bearer <token>\x01\x01
//
// On failure Google sends a 334 challenge holding base64 JSON, which the
// client must answer with an empty line before the server sends the real
// 535; Microsoft sends the 535 straight away. Next answers the challenge
// and keeps the JSON, so that go-smtp reads and returns the 535 instead of
// aborting with "*" and losing the server's reason.
type xoauth2Client struct {
	user, token string
	// challenge is the server's error document, if it sent one.
	challenge *ErrorChallenge
}

var _ sasl.Client = (*xoauth2Client)(nil)

func newXOAuth2Client(user, token string) *xoauth2Client {
	return &xoauth2Client{user: user, token: token}
}

func (c *xoauth2Client) Start() (string, []byte, error) {
	return xOAUTH2, []byte("user=" + c.user + "\x01auth=Bearer " + c.token + "\x01\x01"), nil
}

// Next is called only for the error challenge: a successful XOAUTH2
// exchange has none.
func (c *xoauth2Client) Next(challenge []byte) ([]byte, error) {
	c.challenge = parseChallenge(challenge)
	return []byte{}, nil
}

func (c *xoauth2Client) errorChallenge() *ErrorChallenge { return c.challenge }

// ErrorChallenge is the JSON document a server sends in a 334 challenge
// when it refuses a bearer token (XOAUTH2 on Google, OAUTHBEARER per RFC
// 7628). Status is a string in both: "401" on Google, "invalid_token" in
// RFC 7628.
type ErrorChallenge struct {
	Status  string `json:"status"`
	Schemes string `json:"schemes,omitempty"`
	Scope   string `json:"scope,omitempty"`
	// Raw is the challenge as sent, when it was not JSON.
	Raw string `json:"raw,omitempty"`
}

func (e *ErrorChallenge) String() string {
	if e.Status == "" {
		return "error challenge " + e.Raw
	}
	s := "status " + e.Status
	if e.Scope != "" {
		s += ", scope " + e.Scope
	}
	return s
}

func parseChallenge(b []byte) *ErrorChallenge {
	var e ErrorChallenge
	if err := json.Unmarshal(b, &e); err != nil || e.Status == "" {
		return &ErrorChallenge{Raw: strings.TrimSpace(string(b))}
	}
	return &e
}

// oauthBearerClient wraps go-sasl's OAUTHBEARER client. go-sasl returns
// the error challenge as an error, so go-smtp would cancel with "*" and
// never read the server's final reply. RFC 7628 §3.2.3 lets the client
// answer with a single %x01 instead, after which the server sends its
// final reply; that is what this wrapper does.
type oauthBearerClient struct {
	sasl.Client
	challenge *ErrorChallenge
}

var _ sasl.Client = (*oauthBearerClient)(nil)

func newOAuthBearerClient(user, token, host string, port int) *oauthBearerClient {
	return &oauthBearerClient{Client: sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{
		Username: user, Token: token, Host: host, Port: port,
	})}
}

func (c *oauthBearerClient) Next(challenge []byte) ([]byte, error) {
	c.challenge = parseChallenge(challenge)
	return []byte{0x01}, nil
}

func (c *oauthBearerClient) errorChallenge() *ErrorChallenge { return c.challenge }

// twoStep sends an initial response in the two-step form: a bare
// "AUTH <MECH>", then the response after the server's empty 334. go-smtp
// sends the bare form when Start returns a nil response.
type twoStep struct {
	sasl.Client
	ir   []byte
	sent bool
}

func (t *twoStep) Start() (string, []byte, error) {
	mech, ir, err := t.Client.Start()
	t.ir = ir
	return mech, nil, err
}

func (t *twoStep) Next(challenge []byte) ([]byte, error) {
	if !t.sent {
		t.sent = true
		return t.ir, nil
	}
	return t.Client.Next(challenge)
}

// challenger is implemented by the bearer clients that record an error
// challenge.
type challenger interface{ errorChallenge() *ErrorChallenge }
