package httpauth

import (
	"strings"
	"testing"
	"time"
)

func TestDecodeJWT(t *testing.T) {
	c, err := DecodeJWT(makeJWT(map[string]any{"aud": "https://outlook.office365.com", "roles": []string{"SMTP.SendAsApp"},
		"appid": "app", "tid": "tenant", "iss": "https://sts.windows.net/tenant/", "exp": 1900000000, "nbf": 1899990000.0}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Audience, ",") != "https://outlook.office365.com" || c.Roles[0] != "SMTP.SendAsApp" ||
		c.AppID != "app" || c.TenantID != "tenant" || c.ExpiresAt.Unix() != 1900000000 || c.NotBefore.Unix() != 1899990000 {
		t.Errorf("claims = %+v", c)
	}
	c, err = DecodeJWT(makeJWT(map[string]any{"aud": []string{"a", "b"}, "scp": "Mail.Send", "azp": "p"}))
	if err != nil || strings.Join(c.Audience, ",") != "a,b" || c.Scope != "Mail.Send" || c.AuthorizedParty != "p" {
		t.Errorf("claims = %+v, %v", c, err)
	}
	for _, opaque := range []string{"opaque", "a.b.c", "a.!!!.c"} {
		if _, err := DecodeJWT(opaque); err == nil {
			t.Errorf("DecodeJWT(%q) succeeded", opaque)
		}
	}
}

func TestWarnings(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	ms := "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
	good := &Token{TokenType: "Bearer", Expiry: now.Add(time.Hour)}
	app := &Claims{Audience: []string{"https://outlook.office365.com"}, Roles: []string{"SMTP.SendAsApp"}}
	tests := []struct {
		name   string
		info   Info
		tok    *Token
		claims *Claims
		want   []string
	}{
		{"all good", Info{Endpoint: ms, Scopes: []string{"https://outlook.office365.com/.default"}}, good, app, nil},
		{"scope not .default", Info{Endpoint: ms, Scopes: []string{"https://outlook.office.com/SMTP.SendAsApp"}}, good, app, []string{"does not end in /.default"}},
		{"no scope", Info{Endpoint: ms}, good, app, []string{"no requested-scope"}},
		{"other server, any scope", Info{Endpoint: "https://idp.example.com/token", Scopes: []string{"mail"}}, good, nil, nil},
		{"common tenant", Info{Endpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/token", Scopes: []string{"x/.default"}}, good, app, []string{`"common" tenant`}},
		{"organizations tenant", Info{Endpoint: "https://login.microsoftonline.com/organizations/oauth2/v2.0/token", Scopes: []string{"x/.default"}}, good, nil, []string{`"organizations" tenant`}},
		{"outlook without role", Info{}, good, &Claims{Audience: []string{"https://outlook.office365.com/"}, Roles: []string{"IMAP.AccessAsApp"}}, []string{"no SMTP.SendAsApp role"}},
		{"delegated token", Info{}, good, &Claims{Audience: []string{"00000002-0000-0ff1-ce00-000000000000"}, Scope: "SMTP.Send"}, []string{"no SMTP.SendAsApp role", "delegated"}},
		{"graph audience", Info{}, good, &Claims{Audience: []string{"https://graph.microsoft.com"}}, []string{"Microsoft Graph", "outlook.office365.com/.default", "SMTP.SendAsApp"}},
		{"other audience", Info{}, good, &Claims{Audience: []string{"https://idp.example.com/smtp"}}, nil},
		{"expired", Info{}, &Token{TokenType: "Bearer", Expiry: now.Add(-time.Minute)}, nil, []string{"expired at 2026-03-01T11:59:00Z"}},
		{"not bearer", Info{}, &Token{TokenType: "pop"}, nil, []string{`"pop", not Bearer`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Warnings(tt.info, tt.tok, tt.claims, now)
			joined := strings.Join(got, "\n")
			if len(tt.want) == 0 && len(got) != 0 {
				t.Errorf("warnings = %q, want none", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(joined, w) {
					t.Errorf("warnings %q do not contain %q", got, w)
				}
			}
		})
	}
}

func TestClaimProblems(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	graph := &Claims{Audience: []string{"https://graph.microsoft.com"}, ExpiresAt: now.Add(time.Hour)}
	// A Graph token is never for SMTP: its audience is flagged even when
	// nothing says the server is Exchange Online.
	if p := ClaimProblems(graph, now, false); len(p) != 1 || p[0].Claim != "aud" || !strings.Contains(p[0].Message, "Microsoft Graph") {
		t.Errorf("a Graph token outside Exchange: %v, want aud", p)
	}
	p := ClaimProblems(graph, now, true)
	if len(p) != 2 || p[0].Claim != "aud" || p[1].Claim != "roles/scp" {
		t.Errorf("a Graph token for smtp.office365.com: %v, want aud and roles/scp", p)
	}
	good := &Claims{Audience: []string{"https://outlook.office365.com"}, Roles: []string{"SMTP.SendAsApp"}, ExpiresAt: now.Add(time.Hour)}
	if p := ClaimProblems(good, now, true); len(p) != 0 {
		t.Errorf("a good Exchange token: %v", p)
	}
	good.ExpiresAt = now.Add(-time.Second)
	if p := ClaimProblems(good, now, true); len(p) != 1 || p[0].Claim != "exp/nbf" {
		t.Errorf("an expired token: %v", p)
	}
}
