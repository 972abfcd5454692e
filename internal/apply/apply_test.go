package apply

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func desired(t *testing.T, r *config.Registry, text string) (*Desired, error) {
	t.Helper()
	lines, err := batchfile.Parse("desired", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return Read(r, lines)
}

func mustDesired(t *testing.T, r *config.Registry, text string) *Desired {
	t.Helper()
	d, err := desired(t, r, text)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

const (
	envProvider = "create-passphrase-provider --provider-name Env --type environment-variable --set enabled:true --set environment-variable:X\n"
	caProvider  = "create-trust-manager-provider --provider-name CA --type file-based --set enabled:true --set trust-store-file:ca.pem\n"
)

func TestReadRefuses(t *testing.T) {
	r := registry.ForTest(t)
	for _, c := range []struct{ text, want string }{
		{"list-passphrase-providers\n", `desired:1: apply-config cannot use "list-passphrase-providers" in a desired file`},
		{"create-global-configuration\n", `desired:1: apply-config cannot use "create-global-configuration" in a desired file`},
		{"create-passphrase-provider --type environment-variable\n", "desired:1: the option --provider-name is missing"},
		{"create-passphrase-provider --provider-name x\n", "desired:1: the option --type is missing"},
		{"create-passphrase-provider --provider-name x --type environment-variable --add enabled:true\n", "desired:1: apply-config cannot use the option --add in a desired file"},
		{"create-passphrase-provider --provider-name x --type environment-variable --set\n", `desired:1: the option "--set" needs a value`},
		{"create-passphrase-provider --provider-name x --type environment-variable stray\n", "desired:1: unexpected argument #5 (not shown, as it may be a secret)"},
		{envProvider + envProvider, `desired:2: There is already another Passphrase Provider with the name "Env"`},
		{"set-passphrase-provider-prop --provider-name Env --set enabled:false\n", `desired:1: The Passphrase Provider "Env" does not exist`},
		{"set-external-server-prop --server-name R --set-from-file password:/run/pw\n", `desired:1: the desired file gives the sensitive property "password"`},
		{"set-external-server-prop --server-name R --set=password:v\n", `desired:1: the desired file gives the sensitive property "password"`},
	} {
		_, err := desired(t, r, c.text)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
		var le *lineError
		if !errors.As(err, &le) {
			t.Errorf("%q: %T is not a *lineError", c.text, err)
		}
	}
}

// convergeCopy runs converge on a recording copy of cur.
func convergeCopy(t *testing.T, r *config.Registry, cur *config.State, d *Desired, prune bool) (*config.State, []Entry, error) {
	t.Helper()
	st := cur.Clone()
	st.Record()
	entries, err := converge(r, st, d, prune)
	return st, entries, err
}

func TestConvergeReport(t *testing.T) {
	r := registry.ForTest(t)
	cur := mustDesired(t, r, envProvider+caProvider+
		"create-trust-manager-provider --provider-name Old --type system-default --set enabled:true\n"+
		"create-trust-manager-provider --provider-name Sys --type system-default --set enabled:true\n").State
	d := mustDesired(t, r, "create-passphrase-provider --provider-name Env --type environment-variable --set enabled:true --set environment-variable:Y\n"+
		"create-trust-manager-provider --provider-name Sys --type blind-trust --set enabled:true\n"+caProvider)
	st, entries, err := convergeCopy(t, r, cur, d, true)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{actionReplace, "trust-manager-provider", "Sys", []string{"enabled"}},
		{actionDelete, "trust-manager-provider", "Old", []string{}},
		{actionModify, "passphrase-provider", "Env", []string{"environment-variable"}},
	}
	if !slices.EqualFunc(entries, want, func(a, b Entry) bool {
		return a.Action == b.Action && a.Kind == b.Kind && a.Name == b.Name && slices.Equal(a.Properties, b.Properties)
	}) {
		t.Errorf("entries = %v, want %v", entries, want)
	}
	if st.Get("trust-manager-provider", "Old") != nil || st.Get("trust-manager-provider", "Sys").Type != "blind-trust" {
		t.Errorf("the state did not converge")
	}
	if _, again, err := convergeCopy(t, r, st, d, true); err != nil || len(again) != 0 {
		t.Errorf("converging again: %v, %v; want no entries", again, err)
	}
}

func TestConvergePrunesMentionedKindsOnly(t *testing.T) {
	r := registry.ForTest(t)
	cur := mustDesired(t, r, envProvider+caProvider).State
	// The file mentions passphrase providers but no trust manager provider.
	d := mustDesired(t, r, strings.ReplaceAll(envProvider, "Env", "Env2"))
	st, entries, err := convergeCopy(t, r, cur, d, false)
	if err != nil || len(entries) != 1 || st.Get("passphrase-provider", "Env") == nil {
		t.Errorf("without --prune: %v, %v; want Env2 created and Env kept", entries, err)
	}
	st, entries, err = convergeCopy(t, r, cur, d, true)
	if err != nil || len(entries) != 2 || st.Get("passphrase-provider", "Env") != nil || st.Get("trust-manager-provider", "CA") == nil {
		t.Errorf("with --prune: %v, %v; want Env2 created, Env deleted, CA kept", entries, err)
	}
}

func TestConvergeRefusesReplacingReferenced(t *testing.T) {
	r := registry.ForTest(t)
	srv := "create-external-server --server-name S --type smtp --set server-host-name:h --set trust-manager-provider:CA\n"
	cur := mustDesired(t, r, caProvider+srv).State
	d := mustDesired(t, r, "create-trust-manager-provider --provider-name CA --type blind-trust --set enabled:true\n"+srv)
	_, _, err := convergeCopy(t, r, cur, d, false)
	want := `Trust Manager Provider "CA" must be deleted and created again (its type or a read-only property changes), but it is still referenced by: External Server "S"`
	if err == nil || err.Error() != want || !errors.Is(err, config.ErrRejected) {
		t.Errorf("error %v, want %q", err, want)
	}
}
