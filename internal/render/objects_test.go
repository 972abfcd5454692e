package render

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func TestColumns(t *testing.T) {
	k := registry.ForTest(t).Kind(config.KindPassphraseProvider)
	cols, err := Columns(k, []string{"environment-variable", "enabled"})
	if err != nil || !slices.Equal(cols, []string{"enabled", "environment-variable"}) {
		t.Errorf("Columns: %q, %v", cols, err)
	}
	_, err = Columns(k, []string{"enviroment-variable"})
	if !errors.Is(err, config.ErrUsage) || !strings.Contains(config.HintOf(err), "list-properties --object-type passphrase-provider") {
		t.Errorf("a misspelt column: %v", err)
	}
}

// List shows "-" where a column does not apply to an object's type, and
// masks sensitive values in the table and the JSON.
func TestListMasksAndMarksMissingColumns(t *testing.T) {
	r := registry.ForTest(t)
	objs := []*config.Object{
		{Kind: config.KindPassphraseProvider, Name: "env", Type: passphrase.TypeEnvironmentVariable,
			Values: map[string][]string{"enabled": {"true"}, "environment-variable": {"X"}}},
		{Kind: config.KindPassphraseProvider, Name: "obscured", Type: passphrase.TypeObscuredValue,
			Values: map[string][]string{"enabled": {"true"}, "obscured-value": {"AES256GCM:abc"}}},
	}
	rows, js := List(r, objs, []string{"enabled", "environment-variable", "obscured-value"}, false)
	want := [][]string{{"env", passphrase.TypeEnvironmentVariable, "true", "X", "-"}, {"obscured", passphrase.TypeObscuredValue, "true", "-", config.Mask}}
	for i := range want {
		if !slices.Equal(rows[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i, rows[i], want[i])
		}
	}
	if len(js) != 2 || js[1].Properties["obscured-value"] != config.Mask || js[0].Properties["enabled"] != true {
		t.Errorf("JSON: %+v", js)
	}
	if _, js := List(r, nil, nil, false); js == nil {
		t.Error("no objects must be [] in JSON, not null")
	}
}

func TestShown(t *testing.T) {
	typ := registry.ForTest(t).Kind(config.KindPassphraseProvider).Type(passphrase.TypeEnvironmentVariable)
	props, err := Shown(typ, []string{"environment-variable"}, false)
	if err != nil || len(props) != 1 {
		t.Errorf("Shown of one: %v, %v", props, err)
	}
	if _, err := Shown(typ, []string{"nope"}, false); !errors.Is(err, config.ErrUsage) {
		t.Errorf("an unknown property: %v", err)
	}
	basic, _ := Shown(typ, nil, false)
	all, _ := Shown(typ, nil, true)
	if len(all) < len(basic) || len(basic) == 0 {
		t.Errorf("basic %d, with advanced %d", len(basic), len(all))
	}
}
