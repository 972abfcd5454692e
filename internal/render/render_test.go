package render

import (
	"bytes"
	"errors"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestDisplayEscapesWhatATerminalWouldActOn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain name", "plain name"},
		{"Exchange Online (café)", "Exchange Online (café)"},
		{"\x1b[2J\x1b]0;pwned\a", `\x1b[2J\x1b]0;pwned\a`},
		{"a\nb\tc\rd", `a\nb\tc\rd`},
		{"zero\u200bwidth\u202eright-to-left", `zero\u200bwidth\u202eright-to-left`},
		{"bad\xffutf8", `bad\xffutf8`},
		{"real \uFFFD stays", "real \uFFFD stays"},
		{`back\slash`, `back\slash`},
	}
	for _, tt := range tests {
		if got := display(tt.in); got != tt.want {
			t.Errorf("display(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTable(t *testing.T) {
	rows := [][]string{{"a", "one"}, {"longer", ""}}
	var b bytes.Buffer
	Table(&b, []string{"Name", "Value"}, rows, false)
	want := "Name   : Value\n-------:------\na      : one\nlonger :\n"
	if b.String() != want {
		t.Errorf("table:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	Table(&b, []string{"Name", "Value"}, append(rows, []string{"multi", "x", "y"}), true)
	if want := "a\tone\nlonger\t\nmulti\tx\ty\n"; b.String() != want {
		t.Errorf("script table: %q, want %q", b.String(), want)
	}
}

func TestCell(t *testing.T) {
	for _, tt := range []struct {
		vals   []string
		script bool
		want   string
	}{
		{nil, false, "-"},
		{nil, true, ""},
		{[]string{"a", "b\n"}, false, `a, b\n`},
		{[]string{"a", "b"}, true, "a\tb"},
	} {
		if got := cell(tt.vals, tt.script); got != tt.want {
			t.Errorf("cell(%q, %v) = %q, want %q", tt.vals, tt.script, got, tt.want)
		}
	}
}

func TestJSONKeepsHTML(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, map[string]string{"a": "<b>"}); err != nil {
		t.Fatal(err)
	}
	if want := "{\n  \"a\": \"<b>\"\n}\n"; b.String() != want {
		t.Errorf("JSON: %q, want %q", b.String(), want)
	}
}

func TestCheckFormat(t *testing.T) {
	for _, v := range []string{"", "table", "json"} {
		if err := CheckFormat(v); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	if err := CheckFormat("yaml"); err == nil || err.Error() != `invalid --output "yaml": it must be table or json` || !errors.Is(err, config.ErrUsage) {
		t.Errorf("yaml: %v", err)
	}
}
