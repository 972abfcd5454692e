package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if _, err := Dir("", getenv); !errors.Is(err, ErrUsage) {
		t.Errorf("no directory at all: %v", err)
	}
	for _, tt := range []struct{ key, value, given, want string }{
		{"HOME", "/home/u", "", "/home/u/.config/dsconfig"},
		{"XDG_CONFIG_HOME", "/xdg", "", "/xdg/dsconfig"},
		{"DSCONFIG_CONFIG_DIR", "/env", "", "/env"},
		{"", "", "/flag", "/flag"},
	} {
		if tt.key != "" {
			env[tt.key] = tt.value
		}
		want := tt.want
		if tt.given == "" {
			want = filepath.FromSlash(want) // joined with the separator of the system
		}
		if got, err := Dir(tt.given, getenv); err != nil || got != want {
			t.Errorf("with %s=%s, --config-dir %q: %q, %v; want %q", tt.key, tt.value, tt.given, got, err, want)
		}
	}
}

// CreatePrivate narrows an existing file before anything is written.
func TestCreatePrivate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "out")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	fh, err := CreatePrivate(p)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil || fi.Size() != 0 || (fi.Mode().Perm() != 0o600 && os.PathSeparator == '/') {
		t.Errorf("mode %v, size %d, %v", fi.Mode(), fi.Size(), err)
	}
}
