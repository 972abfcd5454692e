package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// A Syntax parses a value given on the command line or read from the store
// into its canonical string form. Values are kept as canonical strings so
// that output, the store and the audit log all show the same text.
type Syntax interface {
	// Parse returns the canonical form of v, or an error saying what is
	// wrong with it. The error never repeats v: callers quote it, and for
	// sensitive values they must not. Nor does it repeat Describe, which
	// error messages show next to it: it says only what is particular
	// about v ("it is above 65535"), or is a *SyntaxMismatch when v is
	// simply not of this syntax.
	Parse(v string) (string, error)
	// Describe says in a few words what values are allowed, for help and
	// for error messages ("must have the following syntax: ...").
	Describe() string
}

// A StrictSyntax holds new values to a rule that values already in a
// store are not held to: create and set parse what they are given with
// ParseNew, while a store that holds an older value still loads (Parse),
// so that a rule added later does not lock users out of their store.
type StrictSyntax interface {
	Syntax
	// ParseNew is Parse for a value given on the command line.
	ParseNew(v string) (string, error)
}

// SyntaxMismatch is a value that is not of the syntax at all, with nothing
// more particular to say; "not " + What reads on its own ("not a
// boolean"), and a message that shows Describe leaves it out.
type SyntaxMismatch struct{ What string }

func (e *SyntaxMismatch) Error() string { return "not " + e.What }

// String is free text on one line.
type String struct{}

func (String) Parse(v string) (string, error) {
	if err := oneLine(v); err != nil {
		return "", err
	}
	return v, nil
}

func (String) Describe() string { return "a string" }

// Token is a word: a string without spaces, for values that are later
// joined with spaces (OAuth scopes), where a space would silently split
// one value into two. Reason, if set, says what to do instead.
type Token struct{ Reason string }

func (s Token) Parse(v string) (string, error) {
	if err := oneLine(v); err != nil {
		return "", err
	}
	if strings.ContainsAny(v, " \t") {
		msg := "it contains a space"
		if s.Reason != "" {
			msg += "; " + s.Reason
		}
		return "", errors.New(msg)
	}
	return v, nil
}

func (Token) Describe() string { return "a string without spaces" }

// Secret is a sensitive string. The store keeps it sealed (see Sealer);
// output shows only a mask.
type Secret struct{}

func (Secret) Parse(v string) (string, error) { return String{}.Parse(v) }
func (Secret) Describe() string               { return "a secret string (stored encrypted, shown masked)" }

// Path is a filesystem path. Relative paths are kept as given and resolved
// against the configuration directory by whoever reads the file.
type Path struct{}

func (Path) Parse(v string) (string, error) { return String{}.Parse(v) }
func (Path) Describe() string {
	return "a filesystem path (relative paths are relative to the config directory)"
}

// Boolean accepts the spellings the dsconfig family accepts and stores
// true or false.
type Boolean struct{}

func (Boolean) Parse(v string) (string, error) {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return "true", nil
	case "false", "no", "off", "0":
		return "false", nil
	}
	return "", &SyntaxMismatch{"a boolean"}
}

func (Boolean) Describe() string { return "true | false" }

// Integer is a whole number within [Min, Max].
type Integer struct{ Min, Max int64 }

func (s Integer) Parse(v string) (string, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return "", &SyntaxMismatch{"an integer"}
	}
	if n < s.Min {
		return "", fmt.Errorf("it is below %d", s.Min)
	}
	if n > s.Max {
		return "", fmt.Errorf("it is above %d", s.Max)
	}
	return strconv.FormatInt(n, 10), nil
}

func (s Integer) Describe() string { return fmt.Sprintf("an integer from %d to %d", s.Min, s.Max) }

// Enum is one of a fixed set of lower-case words.
type Enum struct{ Values []string }

func (s Enum) Parse(v string) (string, error) {
	for _, a := range s.Values {
		if strings.EqualFold(a, v) {
			return a, nil
		}
	}
	return "", &SyntaxMismatch{"one of " + strings.Join(s.Values, ", ")}
}

func (s Enum) Describe() string { return strings.Join(s.Values, " | ") }

// Hostname is a DNS name or an IP address, without port or scheme.
type Hostname struct{}

var hostnameRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$`)

func (Hostname) Parse(v string) (string, error) {
	if net.ParseIP(strings.Trim(v, "[]")) != nil {
		return strings.Trim(v, "[]"), nil
	}
	if len(v) > 253 || !hostnameRE.MatchString(v) {
		if strings.Contains(v, ":") {
			return "", errors.New("a port or scheme cannot be part of it; give the port separately")
		}
		return "", &SyntaxMismatch{"a host name or IP address"}
	}
	return v, nil
}

func (Hostname) Describe() string { return "a host name or IP address" }

// URL is an absolute URL whose scheme is one of Schemes. When
// LoopbackHTTP is set, plain http is also accepted for loopback hosts, so
// that a local test endpoint works without weakening real deployments.
type URL struct {
	Schemes      []string
	LoopbackHTTP bool
}

func (s URL) Parse(v string) (string, error) {
	if err := oneLine(v); err != nil {
		return "", err
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.Scheme == "" {
		return "", errors.New("it is not an absolute URL, with a scheme and a host")
	}
	if u.User != nil {
		return "", errors.New("credentials belong in a passphrase provider, not in the URL")
	}
	if strings.ContainsAny(v, " \t") {
		return "", errors.New("it contains a space, which a URL cannot hold: write it as %20")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("the port %s is not in the range 1 to 65535", p)
		}
	}
	scheme := strings.ToLower(u.Scheme)
	for _, a := range s.Schemes {
		if scheme == a {
			return v, nil
		}
	}
	if s.LoopbackHTTP && scheme == "http" {
		if IsLoopbackHost(u.Hostname()) {
			return v, nil
		}
		return "", errors.New("plain http is allowed only to a loopback host")
	}
	return "", fmt.Errorf("the scheme %q is not allowed", scheme)
}

// MaskValue hides the password of a URL's user information
// (https://user:pw@host/), which error messages would otherwise quote. It
// works on the text, not on a parsed URL, so that it also masks a URL that
// does not parse.
func (URL) MaskValue(v string) string {
	start := strings.Index(v, "://")
	if start < 0 {
		start = 0
	} else {
		start += len("://")
	}
	end := len(v)
	if i := strings.IndexAny(v[start:], "/?#"); i >= 0 {
		end = start + i
	}
	at := strings.LastIndex(v[start:end], "@")
	if at < 0 {
		return v
	}
	// A user name alone may itself be a token (https://TOKEN@host/).
	shown := Mask
	if user, _, hasPW := strings.Cut(v[start:start+at], ":"); hasPW {
		shown = user + ":" + Mask
	}
	return v[:start] + shown + v[start+at:]
}

func (s URL) Describe() string {
	d := "a URL with scheme " + strings.Join(s.Schemes, " or ")
	if s.LoopbackHTTP {
		d += ", or http to a loopback host"
	}
	return d
}

// IsLoopbackHost reports whether host (a name or an IP) is the loopback
// interface: the name localhost (any case), 127.0.0.0/8 or ::1.
//
// Only names that never leave the host count. Go resolves other names,
// "localhost." and "*.localhost" among them, through DNS, which may
// answer anything, and http.ProxyFromEnvironment exempts only the literal
// localhost and loopback IPs from HTTP_PROXY.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// KeyValue is a name=value pair, as in smtp-connection-properties.
type KeyValue struct{}

func (KeyValue) Parse(v string) (string, error) {
	if err := oneLine(v); err != nil {
		return "", err
	}
	k, _, ok := strings.Cut(v, "=")
	if !ok {
		return "", errors.New(`it has no "="`)
	}
	if strings.TrimSpace(k) == "" {
		return "", errors.New(`the name before "=" is empty`)
	}
	return v, nil
}

func (KeyValue) Describe() string { return "name=value" }

// Reference names another configuration object of Kind, optionally limited
// to some of its Types. Whether the object exists is checked against the
// whole store (see Validate), not here.
type Reference struct {
	Kind  string
	Types []string
}

func (Reference) Parse(v string) (string, error) { return String{}.Parse(v) }

func (s Reference) Describe() string {
	// "an external-server", and "an http-..." as it is read "aitch".
	article := "a"
	if strings.ContainsRune("aeiou", rune(s.Kind[0])) || strings.HasPrefix(s.Kind, "http") {
		article = "an"
	}
	if len(s.Types) > 0 {
		return fmt.Sprintf("the name of %s %s of type %s", article, s.Kind, strings.Join(s.Types, " or "))
	}
	return fmt.Sprintf("the name of %s %s", article, s.Kind)
}

func oneLine(v string) error {
	if v == "" {
		return errors.New("it is empty")
	}
	if strings.ContainsAny(v, "\r\n\x00") {
		return errors.New("it contains a line break or NUL character")
	}
	return nil
}
