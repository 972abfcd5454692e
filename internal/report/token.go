package report

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// Token is what get-access-token shows, and its JSON shape.
type Token struct {
	Method      string            `json:"name"`
	Type        string            `json:"type"`
	Endpoint    string            `json:"token-endpoint,omitempty"`
	ClientID    string            `json:"client-id,omitempty"`
	Scopes      []string          `json:"requested-scope,omitempty"`
	Source      string            `json:"source"`
	TokenType   string            `json:"token-type"`
	ObtainedAt  time.Time         `json:"obtained-at"`
	Expiry      time.Time         `json:"expires-at,omitzero"`
	ReuseUntil  time.Time         `json:"reuse-until,omitzero"`
	Token       string            `json:"access-token"`
	Fingerprint string            `json:"access-token-sha256"`
	Length      int               `json:"access-token-length"`
	Claims      *httpauth.Claims  `json:"claims-unverified,omitempty"`
	Signing     *tlsconf.CertInfo `json:"signing-certificate,omitempty"`
	Subject     string            `json:"subject,omitempty"`
	Warnings    []string          `json:"warnings"`
}

// NewToken is the report of tok, obtained from the method info describes.
// The token itself is masked unless show is set.
func NewToken(info httpauth.Info, tok *httpauth.Token, show bool, now time.Time) *Token {
	r := &Token{Method: info.Method, Type: info.Type, Endpoint: info.Endpoint, ClientID: info.ClientID,
		Scopes: info.Scopes, TokenType: tok.TokenType, ObtainedAt: tok.ObtainedAt, Expiry: tok.Expiry,
		ReuseUntil: tok.ReuseUntil, Token: config.Mask, Fingerprint: config.Fingerprint(tok.AccessToken),
		Length: len(tok.AccessToken), Signing: info.Signing, Subject: info.Subject, Warnings: []string{}}
	if show {
		r.Token = tok.AccessToken
	}
	switch {
	case info.Type == httpauth.TypeStaticBearerToken:
		r.Source = fmt.Sprintf("static, from passphrase provider %q", info.Provider)
	case tok.FromCache:
		r.Source = "cache"
	default:
		r.Source = "new, from the token endpoint"
	}
	if c, err := httpauth.DecodeJWT(tok.AccessToken); err == nil {
		r.Claims = c
	}
	r.Warnings = append(r.Warnings, httpauth.Warnings(info, tok, r.Claims, now)...)
	return r
}

// WriteText prints the report as aligned "name : value" lines, or, for
// scripts, as name<TAB>value lines with the claims after, unheaded.
func (r *Token) WriteText(w io.Writer, now time.Time, script bool) {
	rows := [][2]string{{"HTTP Authorization Method", r.Method}, {"Type", r.Type}}
	if r.Endpoint != "" {
		rows = append(rows, [2]string{"Token Endpoint", r.Endpoint}, [2]string{"Client ID", r.ClientID},
			[2]string{"Requested Scope", cmp.Or(strings.Join(r.Scopes, " "), "(none)")})
	}
	if r.Subject != "" {
		rows = append(rows, [2]string{"Acting As (subject)", r.Subject})
	}
	if c := r.Signing; c != nil {
		rows = append(rows, [2]string{"Signing Certificate", httpauth.DisplayText(c.Subject)},
			[2]string{"Certificate Expires", when(c.NotAfter, now, "")},
			[2]string{"Thumbprint (x5t)", c.X5t}, [2]string{"Key ID (kid, x5t#S256)", c.Kid})
	}
	rows = append(rows, [2]string{"Token Source", r.Source}, [2]string{"Token Type", r.TokenType},
		[2]string{"Expires At", when(r.Expiry, now, "unknown (the server gave no expires_in and the token has no exp)")},
		[2]string{"Reuse Until", when(r.ReuseUntil, now, "no limit")})
	tokenText := r.Token
	if tokenText == config.Mask {
		tokenText = fmt.Sprintf("%s (%d characters, sha256 %s; --show-token prints it)", config.Mask, r.Length, r.Fingerprint)
	}
	rows = append(rows, [2]string{"Access Token", tokenText})
	if script {
		if r.Claims != nil {
			rows = append(rows, claimRows(r.Claims, now)...)
		}
		for _, row := range rows {
			fmt.Fprintf(w, "%s\t%s\n", row[0], row[1])
		}
		return
	}
	printPairs(w, rows)
	if r.Claims != nil {
		fmt.Fprintln(w, "\nJWT claims (decoded only: the signature is NOT verified):")
		printPairs(w, claimRows(r.Claims, now))
	}
}

func claimRows(c *httpauth.Claims, now time.Time) [][2]string {
	rows := c.TextRows()
	for _, r := range [][2]string{{"exp", when(c.ExpiresAt, now, "")}, {"nbf", when(c.NotBefore, now, "")}} {
		if r[1] != "" {
			rows = append(rows, r)
		}
	}
	return rows
}

func printPairs(w io.Writer, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%-*s : %s\n", width, r[0], r[1])
	}
}

// when shows t in UTC with how far it is from now.
func when(t, now time.Time, unknown string) string {
	if t.IsZero() {
		return unknown
	}
	d := t.Sub(now)
	if d < 0 {
		return fmt.Sprintf("%s (%s ago)", t.UTC().Format(time.RFC3339), roughly(-d))
	}
	return fmt.Sprintf("%s (in %s)", t.UTC().Format(time.RFC3339), roughly(d))
}

// roughly writes d to the second, or in days when it is that long.
func roughly(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.Round(time.Second).String()
}
