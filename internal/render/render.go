// Package render writes what the commands show: tables in PingDirectory's
// style (or tab-separated for scripts), configuration objects as JSON,
// and text escaped so that a terminal shows it rather than acting on it.
package render

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Table writes rows in PingDirectory's style, columns joined by
// " : " under a header and a dashed rule, or, for scripts, tab-separated
// without a header. A row may have more cells than the header: script
// mode puts each value of a multi-valued property in its own cell.
func Table(w io.Writer, header []string, rows [][]string, script bool) {
	if script {
		for _, r := range rows {
			fmt.Fprintln(w, strings.Join(r, "\t"))
		}
		return
	}
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], len(c))
		}
	}
	line := func(cells []string) {
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = c
			if i < len(cells)-1 {
				parts[i] = fmt.Sprintf("%-*s", widths[i], c)
			}
		}
		// An empty last cell must not leave a trailing blank.
		fmt.Fprintln(w, strings.TrimRight(strings.Join(parts, " : "), " "))
	}
	line(header)
	rule := make([]string, len(widths))
	for i, wd := range widths {
		n := wd + 2
		if i == 0 || i == len(widths)-1 {
			n = wd + 1
		}
		if len(widths) == 1 {
			n = wd
		}
		rule[i] = strings.Repeat("-", n)
	}
	fmt.Fprintln(w, strings.Join(rule, ":"))
	for _, r := range rows {
		line(r)
	}
}

// display escapes, for a table, what a terminal would act on instead of
// showing: control characters (an escape sequence, a line break, a tab
// that would shift the columns), other characters that do not print, and
// bytes that are not UTF-8, as strconv.Quote writes them (\x1b, \n,
// \u200b). Anything else is left as it is. JSON output escapes on its own.
func display(s string) string {
	if strings.IndexFunc(s, notShown) < 0 && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case notShown(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func notShown(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }

// cell renders a property's values for one table cell.
func cell(vals []string, script bool) string {
	shown := make([]string, len(vals))
	for i, v := range vals {
		shown[i] = display(v)
	}
	if len(shown) == 0 {
		if script {
			return ""
		}
		return "-"
	}
	if script {
		return strings.Join(shown, "\t")
	}
	return strings.Join(shown, ", ")
}

// values returns what output shows for a property of an object: the
// explicit values, else the defaults, with sensitive values masked.
func values(v config.View, p *config.PropertyDef) []string {
	vals := v.Values(p.Name)
	if p.Sensitive && len(vals) > 0 {
		return []string{config.Mask}
	}
	return vals
}

// Object is the JSON shape of one object in list and get output.
type Object struct {
	Name       string         `json:"name,omitempty"`
	Type       string         `json:"type,omitempty"`
	Properties map[string]any `json:"properties"`
}

// ObjectJSON is the JSON shape of v with the properties props.
func ObjectJSON(v config.View, props []*config.PropertyDef) Object {
	out := Object{Name: v.Object.Name, Type: v.Object.Type, Properties: map[string]any{}}
	for _, p := range props {
		vals := values(v, p)
		switch {
		case p.Multi:
			typed := make([]any, len(vals))
			for i, s := range vals {
				typed[i] = jsonValue(p, s)
			}
			out.Properties[p.Name] = typed
		case len(vals) == 0:
			out.Properties[p.Name] = nil
		default:
			out.Properties[p.Name] = jsonValue(p, vals[0])
		}
	}
	return out
}

// jsonValue types a value for JSON: booleans and integers as such,
// everything else (durations and sizes keep their units) as a string.
func jsonValue(p *config.PropertyDef, s string) any {
	switch p.Syntax.(type) {
	case config.Boolean:
		if b, err := strconv.ParseBool(s); err == nil {
			return b
		}
	case config.Integer:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}

// JSON writes v indented. HTML is not escaped: the output is for
// scripts and people, and "<" must stay "<".
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Formats are the values of --output.
func Formats() []string { return []string{"table", "json"} }

// CheckFormat checks the value of --output.
func CheckFormat(v string) error {
	if v != "" && !slices.Contains(Formats(), v) {
		return config.Usagef("", "invalid --output %q: it must be %s", v, strings.Join(Formats(), " or "))
	}
	return nil
}
