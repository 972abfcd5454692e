package complete

import (
	"errors"
	"slices"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func source(t *testing.T, objs ...*config.Object) Source {
	t.Helper()
	r := registry.ForTest(t)
	st := r.InitialState()
	for _, o := range objs {
		st.Put(o)
	}
	return Source{Registry: r, State: func() *config.State { return st }}
}

func TestPropertyNamesThenValues(t *testing.T) {
	s := source(t, &config.Object{Kind: config.KindPassphraseProvider, Name: "Env", Type: passphrase.TypeEnvironmentVariable,
		Values: map[string][]string{"environment-variable": {"SECRET"}}})
	k := s.Registry.Kind(config.KindPassphraseProvider)
	types := s.Types(k, false, "", "Env")
	if len(types) != 1 || types[0].Name != passphrase.TypeEnvironmentVariable {
		t.Fatalf("types of Env: %v", types)
	}
	got, d := s.Property(types, false, "env")
	if !slices.Equal(got, []string{"environment-variable:"}) || d != ValueFollows {
		t.Errorf("names: %q, %v", got, d)
	}
	if got, d := s.Property(types, true, "env"); !slices.Equal(got, []string{"environment-variable"}) || d != Done {
		t.Errorf("names only: %q, %v", got, d)
	}
	if got, _ := s.Property(types, false, "enabled:t"); !slices.Equal(got, []string{"enabled:true"}) {
		t.Errorf("boolean values: %q", got)
	}
	if got := s.CurrentValues(k, "Env", "environment-variable:"); !slices.Equal(got, []string{"environment-variable:SECRET"}) {
		t.Errorf("current values: %q", got)
	}
	if got, d := s.Property(k.Types(), false, "password-file:/t"); got != nil || d != FileName {
		t.Errorf("a path: %q, %v", got, d)
	}
}

func TestSensitiveLoadsNothingAfterTheColon(t *testing.T) {
	called := false
	types := func() []*config.Type { called = true; return nil }
	if got, d := Sensitive(types, "obscured-value:/tmp"); got != nil || d != FileName || called {
		t.Errorf("after the colon: %q, %v, types called %v", got, d, called)
	}
	s := source(t)
	k := s.Registry.Kind(config.KindPassphraseProvider)
	got, d := Sensitive(func() []*config.Type { return k.Types() }, "")
	if !slices.Equal(got, []string{"obscured-value:"}) || d != ValueFollows {
		t.Errorf("sensitive properties: %q, %v", got, d)
	}
}

func TestLoadOnce(t *testing.T) {
	n := 0
	load := LoadOnce(func() (*config.State, error) { n++; return nil, errors.New("broken store") })
	first, second := load(), load()
	if first != nil || second != nil || n != 1 {
		t.Errorf("a store that does not load: loaded %d times", n)
	}
	if (Source{State: load}).ObjectNames(config.KindPassphraseProvider, nil, "") != nil {
		t.Error("names without a store")
	}
}

func TestTypeNames(t *testing.T) {
	s := source(t)
	all := TypeNames(s.Registry, "")
	if !slices.IsSorted(all) || !slices.Contains(all, passphrase.TypeCommand) || !slices.Contains(all, mailer.TypeSMTP) {
		t.Errorf("every type: %q", all)
	}
	if got := TypeNames(s.Registry, config.KindPassphraseProvider); slices.Contains(got, mailer.TypeSMTP) {
		t.Errorf("passphrase provider types: %q", got)
	}
}
