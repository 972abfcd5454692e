package batchfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, src string
		want      []Line
	}{
		{"plain", "list-passphrase-providers\n", []Line{{"f", 1, []string{"list-passphrase-providers"}}}},
		{"leading dsconfig word", "dsconfig list-passphrase-providers", []Line{{"f", 1, []string{"list-passphrase-providers"}}}},
		{"path to dsconfig", "/opt/bin/dsconfig a", []Line{{"f", 1, []string{"a"}}}},
		{"comments and blank lines", "# one\n\n   # two\n\t\na b # trailing\n", []Line{{"f", 5, []string{"a", "b"}}}},
		{"hash inside a word", "a b#c", []Line{{"f", 1, []string{"a", "b#c"}}}},
		{"continuation", "a \\\n  b \\\n  c\nd", []Line{{"f", 1, []string{"a", "b", "c"}}, {"f", 4, []string{"d"}}}},
		{"continuation joins a word", "a b\\\nc", []Line{{"f", 1, []string{"a", "bc"}}}},
		{"double quotes", `a --set "smtp-server:Exchange Online"`, []Line{{"f", 1, []string{"a", "--set", "smtp-server:Exchange Online"}}}},
		{"quote inside a word", `--set smtp-server:"Exchange Online"x`, []Line{{"f", 1, []string{"--set", "smtp-server:Exchange Onlinex"}}}},
		{"single quotes are literal", `a 'x\"$y "z'`, []Line{{"f", 1, []string{"a", `x\"$y "z`}}}},
		{"double-quote escapes", `a "q\"b\\c\$d\e"`, []Line{{"f", 1, []string{"a", `q"b\c$d\e`}}}},
		{"backslash outside quotes", `a b\ c \#d`, []Line{{"f", 1, []string{"a", "b c", "#d"}}}},
		{"empty argument", `a "" ''`, []Line{{"f", 1, []string{"a", "", ""}}}},
		{"crlf", "a b\r\nc\r\n", []Line{{"f", 1, []string{"a", "b"}}, {"f", 2, []string{"c"}}}},
		{"line of the command start", "\n\n  \\\n  a\n", []Line{{"f", 4, []string{"a"}}}},
		{"empty file", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("f", strings.NewReader(tt.src))
			if err != nil {
				t.Fatalf("parseBatch: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"a\nb \"open\nc", `batch.dsconfig:2: unterminated double-quoted string: it needs a closing " on the same line`},
		{"a\n\n'open", `batch.dsconfig:3: unterminated single-quoted string: it needs a closing '`},
		{"a \\", `batch.dsconfig:1: the file ends with \ but there is no line to continue on`},
		{"ok\nok \\\n  \"x", `batch.dsconfig:3: unterminated double-quoted string`},
	}
	for _, tt := range tests {
		_, err := Parse("batch.dsconfig", strings.NewReader(tt.src))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("Parse(%q) error = %v, want prefix %q", tt.src, err, tt.want)
		}
		if !errors.Is(err, config.ErrUsage) {
			t.Errorf("Parse(%q) error is not a usage error", tt.src)
		}
	}
}

// TestQuoteRoundTrip checks that what the audit log and export write
// parses back to the same arguments.
func TestQuoteRoundTrip(t *testing.T) {
	args := []string{"set-x-prop", "--set", "description:it's \"quoted\" $HOME `cmd` back\\slash", "--set", "a b", "#x", "plain:value", "AES256GCM:abcd1234:aGVsbG8+/w=="}
	line := Format(args)
	got, err := Parse("f", strings.NewReader(line))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0].Args, args) {
		t.Errorf("round trip of %s = %+v, want %q", line, got, args)
	}
}
