package config

import (
	"path/filepath"
	"testing"
)

// TestMAC checks that the keyed digest depends on the key, the purpose and
// every part, and does not create a key unless allowed.
func TestMAC(t *testing.T) {
	dir := t.TempDir()
	k := &KeyFile{Path: filepath.Join(dir, KeyFileName)}
	if _, err := k.MAC("p", "a"); err == nil {
		t.Fatal("MAC created a key although Create is false")
	}
	k.Create = true
	a, err := k.MAC("p", "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	same, _ := k.MAC("p", "a", "b")
	if a != same || len(a) != 64 {
		t.Errorf("MAC not stable or not hex SHA-256: %q, %q", a, same)
	}
	for _, other := range [][]string{{"q", "a", "b"}, {"p", "ab"}, {"p", "a", "c"}, {"p", "b", "a"}} {
		if m, _ := k.MAC(other[0], other[1:]...); m == a {
			t.Errorf("MAC%q equals MAC(p, a, b)", other)
		}
	}
	other := &KeyFile{Path: filepath.Join(t.TempDir(), KeyFileName), Create: true}
	if m, _ := other.MAC("p", "a", "b"); m == a {
		t.Error("two keys give the same MAC")
	}
}
