package config

import (
	"path/filepath"
	"testing"
)

func TestKeyFileIn(t *testing.T) {
	dir := t.TempDir()
	k := KeyFileIn(dir)
	if k.Path != filepath.Join(dir, "encryption-key") || k.Create {
		t.Errorf("KeyFileIn = %+v", k)
	}
	if s := (&Store{Dir: dir}); s.KeyFile().Path != k.Path {
		t.Errorf("Store.KeyFile = %s, want %s", s.KeyFile().Path, k.Path)
	}
}

func TestHasSealed(t *testing.T) {
	st := NewState()
	st.Put(&Object{Kind: "k", Name: "a", Values: map[string][]string{"p": {"plain"}}})
	if st.HasSealed() {
		t.Error("HasSealed with no sealed value")
	}
	k := KeyFileIn(t.TempDir())
	k.Create = true
	sealed, err := k.Seal("p", "secret")
	if err != nil {
		t.Fatal(err)
	}
	st.Put(&Object{Kind: "other", Name: "b", Values: map[string][]string{"q": {"x", sealed}}})
	if !st.HasSealed() {
		t.Error("HasSealed missed a sealed value")
	}
}
