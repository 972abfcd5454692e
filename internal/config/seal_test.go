package config

import (
	"os"
	"path/filepath"
	"sync"
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

// Processes that find no key create one at the same time: exactly one key
// wins, and every loser uses it instead of reading a half-written file.
func TestKeyCreationRace(t *testing.T) {
	for round := 0; round < 50; round++ {
		dir := t.TempDir()
		const n = 8
		sealed := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				k := KeyFileIn(dir)
				k.Create = true
				sealed[i], errs[i] = k.Seal("p", "value")
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: Seal %d: %v", round, i, errs[i])
			}
			if v, err := KeyFileIn(dir).Open("p", sealed[i]); err != nil || v != "value" {
				t.Fatalf("round %d: value %d does not open with the key on disk: %q, %v", round, i, v, err)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("round %d: the directory holds %d files, want the key alone", round, len(entries))
		}
	}
}
