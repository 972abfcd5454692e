package config

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestRedactForms(t *testing.T) {
	const s = "s3cr+t/v@lue=?~"
	b := []byte(s)
	for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s),
		base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
		base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b)} {
		got := Redact("before "+form+" after", s)
		if got != "before "+Mask+" after" {
			t.Errorf("Redact of form %q = %q", form, got)
		}
	}
}

func TestRedactLengthRule(t *testing.T) {
	tests := []struct{ text, secret, want string }{
		// Four characters or more: everywhere, even inside a word.
		{"xxabcdyy abcd", "abcd", "xx*****yy *****"},
		// Shorter: only standing alone.
		{"pw=ab; tab ab", "ab", "pw=*****; tab *****"},
		{"a b", "b", "a *****"},
		{"abc", "b", "abc"},
		{"é7é 7", "7", "é7é *****"},
		{"nothing here", "", "nothing here"},
		// The longer form goes first, so a secret inside it cannot split it.
		{"token abcdabcd", "abcdabcd", "token *****"},
	}
	for _, tt := range tests {
		if got := Redact(tt.text, tt.secret); got != tt.want {
			t.Errorf("Redact(%q, %q) = %q, want %q", tt.text, tt.secret, got, tt.want)
		}
	}
}

func TestRedactSeveralSecrets(t *testing.T) {
	got := Redact("id=client secret=hunter2 other=xyz", "hunter2", "xyz")
	if strings.Contains(got, "hunter2") || strings.Contains(got, "xyz") || !strings.Contains(got, "id=client") {
		t.Errorf("Redact = %q", got)
	}
}

func TestFingerprint(t *testing.T) {
	// SHA-256("abc") starts ba7816bf.
	if got := Fingerprint("abc"); got != "ba7816bf" {
		t.Errorf("Fingerprint(abc) = %s", got)
	}
}
