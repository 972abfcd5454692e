package httpauth

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// Microsoft Entra ID sign-in hosts, public and national clouds.
var microsoftHosts = []string{
	"login.microsoftonline.com", "login.microsoft.com", "login.windows.net", "sts.windows.net",
	"login.microsoftonline.us", "login.partner.microsoftonline.cn", "login.chinacloudapi.cn",
}

// Audiences of Exchange Online tokens: the resource URIs and the
// application ID of Office 365 Exchange Online.
var outlookAudiences = []string{
	"https://outlook.office365.com", "https://outlook.office.com", "00000002-0000-0ff1-ce00-000000000000",
}

// Warnings returns the known mistakes visible in a method and the token
// it gave: ConfigWarnings, then TokenWarnings.
func Warnings(info Info, tok *Token, claims *Claims, now time.Time) []string {
	return append(ConfigWarnings(info), TokenWarnings(tok, claims, now)...)
}

// ConfigWarnings returns the known mistakes visible in the method's
// settings alone. They need no token, so they can be shown when the
// request fails, which is when they explain most.
func ConfigWarnings(info Info) []string {
	return append(endpointWarnings(info), trustWarnings(info)...)
}

// TokenWarnings returns the known mistakes visible in a token. claims may
// be nil for an opaque token. The claim checks are those of claimChecks,
// run for Exchange Online when the token's audience says it is for it.
func TokenWarnings(tok *Token, claims *Claims, now time.Time) []string {
	var w []string
	if claims != nil {
		for _, p := range ClaimProblems(claims, now, false) {
			w = append(w, p.Message)
		}
	}
	claimExp := claims != nil && !claims.ExpiresAt.IsZero()
	if tok != nil && !claimExp && !tok.Expiry.IsZero() && !now.Before(tok.Expiry) {
		w = append(w, fmt.Sprintf("the token expired at %s", tok.Expiry.UTC().Format(time.RFC3339)))
	}
	if tok != nil && !strings.EqualFold(tok.TokenType, "bearer") {
		w = append(w, fmt.Sprintf("the token type is %q, not Bearer: SMTP XOAUTH2 and OAUTHBEARER need a bearer token", tok.TokenType))
	}
	return w
}

// trustWarnings flags an https token endpoint whose certificate is not
// verified: the client secret goes to whoever answers.
func trustWarnings(info Info) []string {
	if !info.Unverified {
		return nil
	}
	return []string{tlsconf.UnverifiedWarning("the token endpoint's certificate", info.TrustManager)}
}

func endpointWarnings(info Info) []string {
	u, err := url.Parse(info.Endpoint)
	if err != nil || !slices.Contains(microsoftHosts, strings.ToLower(u.Hostname())) {
		return nil
	}
	var w []string
	for _, s := range info.Scopes {
		if !strings.HasSuffix(s, "/.default") {
			w = append(w, fmt.Sprintf("the requested scope %q does not end in /.default: with client credentials Microsoft needs <resource>/.default, e.g. https://outlook.office365.com/.default", s))
		}
	}
	if len(info.Scopes) == 0 {
		w = append(w, "no requested-scope is set: Microsoft's v2.0 endpoint needs one, e.g. https://outlook.office365.com/.default")
	}
	tenant, _, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
	switch strings.ToLower(tenant) {
	case "common", "organizations", "consumers":
		w = append(w, fmt.Sprintf("the token endpoint uses the %q tenant, which does not work with client credentials: put your tenant ID or domain in the URL", tenant))
	}
	return w
}

// claimCheck is one check of a JWT's claims against what Exchange Online
// needs. get-access-token and check-config --online share the table.
type claimCheck struct {
	// Claim names what is checked: aud, roles/scp or exp/nbf.
	Claim string
	// ExchangeOnly checks run only when the token is known to be for
	// Exchange Online: check-config knows it from the server's host,
	// get-access-token from the token's audience (so there the audience
	// check passes by construction).
	ExchangeOnly bool
	check        func(c *Claims, now time.Time) string
}

// ClaimProblem is a claim check that failed.
type ClaimProblem struct {
	Claim   string
	Message string
}

// claimChecks is the table of claim checks, in order.
var claimChecks = []claimCheck{
	{Claim: "aud", ExchangeOnly: true, check: func(c *Claims, _ time.Time) string {
		if forOutlook(c) {
			return ""
		}
		msg := fmt.Sprintf("the token's audience is %q, not Exchange Online (https://outlook.office365.com): request the scope https://outlook.office365.com/.default",
			DisplayText(strings.Join(c.Audience, " ")))
		if forGraph(c) {
			msg += "; a Microsoft Graph token is for the Graph API (sendMail), never for SMTP, and the app needs the Office 365 Exchange Online permission SMTP.SendAsApp"
		}
		return msg
	}},
	{Claim: "roles/scp", ExchangeOnly: true, check: func(c *Claims, _ time.Time) string {
		if slices.Contains(c.Roles, "SMTP.SendAsApp") {
			return ""
		}
		msg := "the token is for Exchange Online but has no SMTP.SendAsApp role: give the app the Office 365 Exchange Online application permission SMTP.SendAsApp and grant admin consent"
		if c.Scope != "" && len(c.Roles) == 0 {
			msg += " (this token has scp, so it is a delegated user token, not an app token)"
		}
		return msg
	}},
	{Claim: "exp/nbf", check: func(c *Claims, now time.Time) string {
		switch {
		case !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt):
			return fmt.Sprintf("the token expired at %s", c.ExpiresAt.UTC().Format(time.RFC3339))
		case !c.NotBefore.IsZero() && now.Before(c.NotBefore):
			return fmt.Sprintf("the token is not valid before %s: check this machine's clock", c.NotBefore.UTC().Format(time.RFC3339))
		}
		return ""
	}},
}

// ClaimProblems runs the claim checks. exchange says the token is meant
// for Exchange Online; otherwise the Exchange checks run only when the
// audience is Exchange Online's, and the others always.
func ClaimProblems(c *Claims, now time.Time, exchange bool) []ClaimProblem {
	outlook := exchange || forOutlook(c)
	// A Microsoft Graph token is a common mistake for SMTP: its audience
	// is checked even when nothing says the server is Exchange Online.
	graph := !outlook && forGraph(c)
	var out []ClaimProblem
	for _, ck := range claimChecks {
		if ck.ExchangeOnly && !outlook && !(graph && ck.Claim == "aud") {
			continue
		}
		if msg := ck.check(c, now); msg != "" {
			out = append(out, ClaimProblem{Claim: ck.Claim, Message: msg})
		}
	}
	return out
}

// graphAudiences are Microsoft Graph's audience values.
var graphAudiences = []string{"https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"}

func forGraph(c *Claims) bool {
	for _, a := range c.Audience {
		if slices.Contains(graphAudiences, strings.TrimSuffix(strings.ToLower(a), "/")) {
			return true
		}
	}
	return false
}

func forOutlook(c *Claims) bool {
	for _, a := range c.Audience {
		if slices.Contains(outlookAudiences, strings.TrimSuffix(strings.ToLower(a), "/")) {
			return true
		}
	}
	return false
}
