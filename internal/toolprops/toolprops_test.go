package toolprops

import (
	"errors"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestCodec(t *testing.T) {
	out := map[string]any{}
	in := "# c\n! c\nA=1\nb : 2\nc\t3\nd\ne = \nf=x\\\n   y\ng\\ h=\\u0041\\=\\:\\\\\nhh=a\\\\\n"
	if err := (codec{}).Decode([]byte(in), out); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "1", "b": "2", "c": "3", "d": "", "e": "", "f": "xy", "g h": `A=:\`, "hh": `a\`}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%q = %q, want %q (all: %q)", k, out[k], v, out)
		}
	}
	if len(out) != len(want) {
		t.Errorf("got %q, want %q", out, want)
	}
}

// TestNoExpansion checks that ${...} is read as written, defined or not,
// and never makes the file fail to load.
func TestNoExpansion(t *testing.T) {
	d, err := parse("tools.properties", []byte("bindPassword=se${cret}\nhome=x\ndsconfig.reason=${home}\nopen=${\n"))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for name, want := range map[string]string{"bindpassword": "se${cret}", "reason": "${home}", "open": "${"} {
		if got := d.Lookup(name); got != want {
			t.Errorf("Lookup(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestLookupPrefersDsconfig(t *testing.T) {
	d, err := parse("p", []byte("script-friendly=true\ndsconfig.script-friendly=false\nldapsearch.baseDN=dc=example\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Lookup("script-friendly"); got != "false" {
		t.Errorf("Lookup = %q, want the dsconfig. line", got)
	}
	if got := (*Defaults)(nil).Lookup("x"); got != "" {
		t.Errorf("nil Lookup = %q", got)
	}
}

func TestSyntaxError(t *testing.T) {
	_, err := parse("tools.properties", []byte("\n\nbindPassword=\\u12zz\n"))
	const want = `tools.properties:3: the line is malformed: a \u escape needs four hex digits`
	if err == nil || err.Error() != want || !errors.Is(err, config.ErrUsage) || strings.Contains(err.Error(), "12zz") {
		t.Errorf("err = %v, want %q as a usage error", err, want)
	}
}
