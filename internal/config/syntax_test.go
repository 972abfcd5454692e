package config

import (
	"strings"
	"testing"
	"time"
)

type syntaxCase struct {
	in, want string // want "" means the value must be rejected
}

func runSyntax(t *testing.T, s Syntax, cases []syntaxCase) {
	t.Helper()
	for _, c := range cases {
		got, err := s.Parse(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%T.Parse(%q) = %q, want an error", s, c.in, got)
		case c.want != "" && err != nil:
			t.Errorf("%T.Parse(%q): %v, want %q", s, c.in, err, c.want)
		case got != c.want:
			t.Errorf("%T.Parse(%q) = %q, want %q", s, c.in, got, c.want)
		}
	}
}

func TestString(t *testing.T) {
	runSyntax(t, String{}, []syntaxCase{
		{"x", "x"}, {"a b: c, d", "a b: c, d"}, {"", ""}, {"a\nb", ""}, {"a\rb", ""}, {"a\x00", ""},
	})
}

func TestBoolean(t *testing.T) {
	runSyntax(t, Boolean{}, []syntaxCase{
		{"true", "true"}, {"TRUE", "true"}, {"yes", "true"}, {"on", "true"}, {"1", "true"},
		{"false", "false"}, {"No", "false"}, {"off", "false"}, {"0", "false"},
		{"", ""}, {"maybe", ""}, {"2", ""}, {"t", ""},
	})
}

func TestInteger(t *testing.T) {
	runSyntax(t, Integer{Min: 1, Max: 65535}, []syntaxCase{
		{"1", "1"}, {"65535", "65535"}, {"587", "587"}, {" 25 ", "25"}, {"007", "7"},
		{"0", ""}, {"65536", ""}, {"-1", ""}, {"", ""}, {"1.5", ""}, {"25a", ""}, {"99999999999999999999", ""},
	})
}

func TestEnum(t *testing.T) {
	runSyntax(t, Enum{Values: []string{"none", "starttls", "ssl"}}, []syntaxCase{
		{"none", "none"}, {"StartTLS", "starttls"}, {"SSL", "ssl"}, {"tls", ""}, {"", ""}, {"ssl ", ""},
	})
}

func TestHostname(t *testing.T) {
	runSyntax(t, Hostname{}, []syntaxCase{
		{"smtp.office365.com", "smtp.office365.com"}, {"localhost", "localhost"}, {"127.0.0.1", "127.0.0.1"},
		{"::1", "::1"}, {"[::1]", "::1"}, {"a-b.example.", "a-b.example."}, {"x1", "x1"},
		{"smtp.example.com:587", ""}, {"https://smtp.example.com", ""}, {"-bad.example", ""}, {"bad-.example", ""},
		{"a..b", ""}, {"", ""}, {"has space", ""}, {"under_score.example", ""},
	})
}

func TestURL(t *testing.T) {
	s := URL{Schemes: []string{"https"}, LoopbackHTTP: true}
	runSyntax(t, s, []syntaxCase{
		{"https://idp.example.com/oauth2/token", "https://idp.example.com/oauth2/token"},
		{"HTTPS://idp.example.com/t", "HTTPS://idp.example.com/t"},
		{"https://login.microsoftonline.com/t/oauth2/v2.0/token?x=a:b", "https://login.microsoftonline.com/t/oauth2/v2.0/token?x=a:b"},
		{"http://127.0.0.1:8080/token", "http://127.0.0.1:8080/token"},
		{"http://localhost/token", "http://localhost/token"},
		{"http://[::1]:9/token", "http://[::1]:9/token"},
		{"http://127.9.9.9/token", "http://127.9.9.9/token"},
		{"http://idp.example.com/token", ""}, {"http://10.0.0.1/token", ""},
		{"http://idp.localhost/token", ""}, {"http://localhost./token", ""}, {"ftp://x/y", ""},
		{"idp.example.com/token", ""}, {"https://", ""}, {"", ""}, {"https://a b/", ""}, {"https://x/\n", ""},
		{"https://x:99999/t", ""}, {"https://x:0/t", ""}, {"https://x:65535/t", "https://x:65535/t"},
		{"https://x/oauth2 token", ""}, {"https://x/t?scope=a b", ""}, {"https://x/a%20b", "https://x/a%20b"},
	})
	runSyntax(t, URL{Schemes: []string{"https"}}, []syntaxCase{{"http://127.0.0.1/", ""}})
	if _, err := s.Parse("https://admin:pw@idp.example.com/token"); err == nil || err.Error() != "credentials belong in a passphrase provider, not in the URL" {
		t.Errorf("a URL with user information: %v", err)
	}
	runSyntax(t, s, []syntaxCase{{"https://admin@idp.example.com/", ""}, {"http://u:p@127.0.0.1/", ""}})
}

func TestURLMaskValue(t *testing.T) {
	for in, want := range map[string]string{
		"https://admin:pw@idp.example.com/token":      "https://admin:*****@idp.example.com/token",
		"https://tok3n@idp.example.com/token":         "https://*****@idp.example.com/token",
		"https://a:p@ss@idp.example.com/x?u=b@c":      "https://a:*****@idp.example.com/x?u=b@c",
		"https://a:p%zz@idp.example.com/":             "https://a:*****@idp.example.com/",
		"https://idp.example.com/token?email=a@b.com": "https://idp.example.com/token?email=a@b.com",
		"https://idp.example.com:8443/oauth2/token":   "https://idp.example.com:8443/oauth2/token",
		"admin:pw@idp.example.com":                    "admin:*****@idp.example.com",
	} {
		if got := (URL{}).MaskValue(in); got != want {
			t.Errorf("MaskValue(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestToken(t *testing.T) {
	runSyntax(t, Token{}, []syntaxCase{
		{"https://outlook.office365.com/.default", "https://outlook.office365.com/.default"}, {"a,b", "a,b"},
		{"a b", ""}, {"a\tb", ""}, {" a", ""}, {"", ""}, {"a\nb", ""},
	})
	if _, err := (Token{Reason: "use --set once per scope"}).Parse("a b"); err == nil || err.Error() != "it contains a space; use --set once per scope" {
		t.Errorf("Token.Parse(\"a b\"): %v", err)
	}
}

func TestKeyValue(t *testing.T) {
	runSyntax(t, KeyValue{}, []syntaxCase{
		{"mail.smtp.localhost=host", "mail.smtp.localhost=host"}, {"a=", "a="}, {"a=b=c", "a=b=c"},
		{"=b", ""}, {"novalue", ""}, {" =x", ""}, {"", ""},
	})
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "LOCALHOST.": false, "a.localhost": false, "mail.localhost.": false, "127.0.0.1": true, "127.1.2.3": true, "::1": true, "[::1]": true,
		"10.0.0.1": false, "example.com": false, "localhost.example.com": false, "": false, "0.0.0.0": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestReferenceAndSecretAndPath(t *testing.T) {
	runSyntax(t, Reference{Kind: "x"}, []syntaxCase{{"SMTP Client Secret", "SMTP Client Secret"}, {"", ""}, {"a\nb", ""}})
	runSyntax(t, Secret{}, []syntaxCase{{"s3cr3t:with:colons", "s3cr3t:with:colons"}, {"", ""}})
	runSyntax(t, Path{}, []syntaxCase{{"config/secret.txt", "config/secret.txt"}, {"/etc/x", "/etc/x"}, {"", ""}})
}

// TestPropertyErrorReasons checks the messages for invalid values: the
// reason says only what is particular about the value, and a value that
// simply does not match adds nothing to the syntax the message shows.
func TestPropertyErrorReasons(t *testing.T) {
	url := URL{Schemes: []string{"https"}, LoopbackHTTP: true}
	for _, c := range []struct {
		syntax     Syntax
		value, end string
	}{
		{Integer{Min: 1, Max: 65535}, "65536", "syntax: an integer from 1 to 65535 (it is above 65535)"},
		{Integer{Min: 1, Max: 65535}, "0", "syntax: an integer from 1 to 65535 (it is below 1)"},
		{Integer{Min: 1, Max: 65535}, "smtp", "syntax: an integer from 1 to 65535"},
		{Boolean{}, "maybe", "syntax: true | false"},
		{Enum{Values: []string{"post", "get"}}, "put", "syntax: post | get"},
		{Hostname{}, "a b", "syntax: a host name or IP address"},
		{url, "ftp://h/t", `syntax: a URL with scheme https, or http to a loopback host (the scheme "ftp" is not allowed)`},
		{url, "http://h/t", "syntax: a URL with scheme https, or http to a loopback host (plain http is allowed only to a loopback host)"},
		{KeyValue{}, "=v", `syntax: name=value (the name before "=" is empty)`},
		{Duration{Min: time.Second}, "h", "syntax: a duration such as 30 s, 5 m, 1 h or 1w2d, at least 1 s"},
		{Duration{Min: time.Second}, "1.5 h", "syntax: a duration such as 30 s, 5 m, 1 h or 1w2d, at least 1 s (fractions are not allowed; use smaller units, e.g. 1 h 30 m for 1.5 h)"},
		{Duration{Max: time.Hour}, "2 h", "syntax: a duration such as 30 s, 5 m, 1 h or 1w2d, from 0 s to 1 h (it is longer than 1 h)"},
	} {
		_, err := c.syntax.Parse(c.value)
		if err == nil {
			t.Errorf("%T.Parse(%q) succeeded", c.syntax, c.value)
			continue
		}
		pe := &propertyError{Property: &PropertyDef{Name: "p", Syntax: c.syntax}, Value: c.value, Err: err}
		if got := pe.Error(); !strings.HasSuffix(got, "which must have the following "+c.end) {
			t.Errorf("%T %q: %s\nwant it to end with %q", c.syntax, c.value, got, c.end)
		}
	}
}
