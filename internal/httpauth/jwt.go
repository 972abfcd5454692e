package httpauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Claims are the JWT claims that decide whether a token will work for
// mail. They are decoded without verifying the signature: they describe
// the token, they do not prove anything about it.
type Claims struct {
	Audience        []string  `json:"aud,omitempty"`
	Roles           []string  `json:"roles,omitempty"`
	Scope           string    `json:"scp,omitempty"`
	AppID           string    `json:"appid,omitempty"`
	AuthorizedParty string    `json:"azp,omitempty"`
	TenantID        string    `json:"tid,omitempty"`
	Issuer          string    `json:"iss,omitempty"`
	ExpiresAt       time.Time `json:"exp,omitzero"`
	NotBefore       time.Time `json:"nbf,omitzero"`
	IssuedAt        time.Time `json:"iat,omitzero"`
}

// errNotJWT says that a token is opaque, which is allowed.
var errNotJWT = errors.New("the token is not a JWT")

// DecodeJWT decodes the payload of a JWT access token. It does not verify
// the signature. An opaque token gives an error.
func DecodeJWT(token string) (*Claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errNotJWT
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, errNotJWT
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return nil, errNotJWT
	}
	c := &Claims{Audience: strs(raw["aud"]), Roles: strs(raw["roles"]), Scope: str(raw["scp"]),
		AppID: str(raw["appid"]), AuthorizedParty: str(raw["azp"]), TenantID: str(raw["tid"]), Issuer: str(raw["iss"]),
		ExpiresAt: unix(raw["exp"]), NotBefore: unix(raw["nbf"]), IssuedAt: unix(raw["iat"])}
	return c, nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// strs reads a claim that may be one string or an array of strings.
func strs(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func unix(v any) time.Time {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}
	}
	f, err := n.Float64()
	if err != nil || f <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(f), 0).UTC()
}

// TextRows returns the string claims as name and value rows for a
// terminal, in the order get-access-token shows them, without the empty
// ones. The claims come from an unverified token, so each value goes
// through DisplayText.
func (c *Claims) TextRows() [][2]string {
	rows := [][2]string{{"aud", strings.Join(c.Audience, " ")}, {"roles", strings.Join(c.Roles, " ")},
		{"scp", c.Scope}, {"appid", c.AppID}, {"azp", c.AuthorizedParty}, {"tid", c.TenantID}, {"iss", c.Issuer}}
	var out [][2]string
	for _, r := range rows {
		if r[1] != "" {
			out = append(out, [2]string{r[0], DisplayText(r[1])})
		}
	}
	return out
}

// DisplayText returns s safe to print on a terminal: valid UTF-8 with
// every character that is not graphic (control characters, terminal
// escapes, bidirectional overrides, invalid bytes) and the backslash
// written as a Go escape, so that the text cannot act on the terminal
// and still shows what was there. Plain text comes back unchanged.
func DisplayText(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\\':
			b.WriteString(`\\`)
		case r == ' ' || unicode.IsGraphic(r) && !unicode.Is(unicode.Zl, r) && !unicode.Is(unicode.Zp, r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}
