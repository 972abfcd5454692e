package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// minSubstring is the shortest form of a secret that Redact masks inside
// other text. A shorter one is masked only where it stands alone: masking
// every "ab" inside every word would garble the message and, by what it
// hides, point at the secret anyway.
const minSubstring = 4

// Redact returns text with every secret replaced by Mask, in each form in
// which it may come back from a server or a program: as is, URL-encoded
// (query and path escaping) and base64 (standard and URL alphabets,
// padded or not). A form of minSubstring (4) characters or more is masked
// wherever it occurs; a shorter one only as a whole word, not touching a
// letter or digit. Empty secrets are ignored.
//
// This is the one scrubber for error messages, provider output and
// transcripts: a secret is masked by the same rule wherever it shows.
func Redact(text string, secrets ...string) string {
	for _, f := range redactForms(secrets) {
		if len(f) >= minSubstring {
			text = strings.ReplaceAll(text, f, Mask)
		} else {
			text = replaceWords(text, f)
		}
	}
	return text
}

// redactForms lists the forms of the secrets, longest first, so that a
// form is masked before a shorter one inside it could break it up.
func redactForms(secrets []string) []string {
	var forms []string
	for _, s := range secrets {
		if s == "" {
			continue
		}
		b := []byte(s)
		forms = append(forms, s, url.QueryEscape(s), url.PathEscape(s),
			base64.StdEncoding.EncodeToString(b), base64.RawStdEncoding.EncodeToString(b),
			base64.URLEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b))
	}
	slices.SortFunc(forms, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	return slices.Compact(forms)
}

// replaceWords masks the occurrences of w that no letter or digit touches.
func replaceWords(text, w string) string {
	var b strings.Builder
	for {
		i := strings.Index(text, w)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(text[:i])
		after, _ := utf8.DecodeRuneInString(text[i+len(w):])
		b.WriteString(text[:i])
		if isWordRune(before) || isWordRune(after) {
			b.WriteString(w)
		} else {
			b.WriteString(Mask)
		}
		text = text[i+len(w):]
	}
}

func isWordRune(r rune) bool {
	return r != utf8.RuneError && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// Fingerprint identifies a secret or token in output without revealing
// it: the first 8 hex digits of its SHA-256. Two hosts can compare
// fingerprints to see whether they hold the same value; 32 bits tell
// values apart at a glance but are far too few to search for the value.
func Fingerprint(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
