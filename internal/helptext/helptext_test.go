package helptext

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func TestAFriendly(t *testing.T) {
	r := registry.ForTest(t)
	for kind, want := range map[string]string{
		config.KindExternalServer:          "an External Server",
		config.KindHTTPAuthorizationMethod: "an HTTP Authorization Method",
		config.KindPassphraseProvider:      "a Passphrase Provider",
	} {
		if got := AFriendly(r.Kind(kind)); got != want {
			t.Errorf("AFriendly(%s) = %q, want %q", kind, got, want)
		}
	}
}

func TestPropertyFlags(t *testing.T) {
	p := &config.PropertyDef{Mandatory: true, Multi: true, Ordered: true, Sensitive: true, Default: []string{"a", "b"}}
	want := []string{"mandatory", "ordered multi-valued", "sensitive", "default: a, b"}
	if got := PropertyFlags(p); !slices.Equal(got, want) {
		t.Errorf("PropertyFlags = %q, want %q", got, want)
	}
	if got := propFlagsText(&config.PropertyDef{}); got != "" {
		t.Errorf("no flags: %q", got)
	}
}

// The example of create-external-server starts with the SMTP server, the
// case dsconfig exists for, and gives every mandatory property.
func TestCreateExampleShowsSMTPFirst(t *testing.T) {
	k := registry.ForTest(t).Kind(config.KindExternalServer)
	ex := CreateExample(k)
	first, _, _ := strings.Cut(ex, "\n")
	if !strings.Contains(first, "--type "+mailer.TypeSMTP) || strings.Count(ex, "dsconfig create-") != len(k.Types()) {
		t.Errorf("example:\n%s", ex)
	}
	if help := Create(k); !strings.Contains(help, "Type "+mailer.TypeSMTP+": ") {
		t.Errorf("help does not describe the SMTP type:\n%s", help)
	}
}

func TestListProperties(t *testing.T) {
	r := registry.ForTest(t)
	rows, js, err := ListProperties(r, config.KindPassphraseProvider, "environment-variable", false, true)
	if err != nil || len(rows) == 0 || len(rows) != len(js) || len(rows[0]) != 6 || rows[0][1] != config.KindPassphraseProvider {
		t.Fatalf("rows %q, %v", rows, err)
	}
	for _, tt := range []struct{ kind, typ, want string }{
		{"nope", "", `unknown --object-type "nope"; it is one of: `},
		{config.KindPassphraseProvider, "smtp", `unknown --type "smtp"; it is one of: environment-variable, `},
	} {
		_, _, err := ListProperties(r, tt.kind, tt.typ, false, false)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) || !errors.Is(err, config.ErrUsage) {
			t.Errorf("%s %s: %v, want %q", tt.kind, tt.typ, err, tt.want)
		}
	}
}

// A Cache renders a text once per kind and gives it back unchanged; a nil
// one renders every time.
func TestCache(t *testing.T) {
	k := registry.ForTest(t).Kind(config.KindPassphraseProvider)
	calls := 0
	render := func(k *config.Kind) string { calls++; return Create(k) }
	var c Cache
	if a, b := c.Text(k, "create", render), c.Text(k, "create", render); a != Create(k) || b != a || calls != 1 {
		t.Errorf("rendered %d times; texts equal: %v", calls, a == b)
	}
	c.Text(k, "modify", render)
	var none *Cache
	none.Text(k, "create", render)
	if calls != 3 {
		t.Errorf("rendered %d times, want 3 (one per text, and the nil cache's)", calls)
	}
}
