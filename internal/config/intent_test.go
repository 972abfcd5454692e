package config_test

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func readOr(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func loggedStore(t *testing.T) *config.Store {
	s := newStore(t)
	s.LogPath = filepath.Join(s.Dir, "audit.log")
	s.BeforeCommit = append(s.BeforeCommit, func(c *config.Commit) error { c.Log = "record\n"; return nil })
	if err := create(t, s, "passphrase-provider", "environment-variable", "p", "enabled:true", "environment-variable:X"); err != nil {
		t.Fatal(err)
	}
	return s
}

func writeIntent(t *testing.T, s *config.Store, store []byte, logSize int, text string) {
	t.Helper()
	sum := sha256.Sum256(store)
	data := fmt.Sprintf("dsconfig intent 1\nstore-sha256 %x\nlog-size %d\n\n%s", sum, logSize, text)
	if err := os.WriteFile(s.LogPath+".pending", []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReadSettlesIntent checks what a read does with an intent left by a
// kill, when the lock is free: a change the store holds is logged (and a
// partly appended copy of it cut first), one it lacks is dropped.
func TestReadSettlesIntent(t *testing.T) {
	for _, tc := range []struct {
		name      string
		committed bool
		partial   string
		want      string
	}{
		{"committed", true, "", "record\nnext\n"},
		{"committed, partly logged", true, "ne", "record\nnext\n"},
		{"not committed", false, "", "record\n"},
		{"incomplete intent", false, "", "record\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := loggedStore(t)
			store := []byte(read(t, s.Path()))
			if !tc.committed {
				store = append(store, "# never written\n"...)
			}
			writeIntent(t, s, store, len("record\n"), "next\n")
			if tc.name == "incomplete intent" {
				os.WriteFile(s.LogPath+".pending", []byte("dsconfig intent 1\nstore-sha"), 0o600)
			}
			if tc.partial != "" {
				os.WriteFile(s.LogPath, []byte("record\n"+tc.partial), 0o600)
			}
			if _, err := s.Load(); err != nil {
				t.Fatal(err)
			}
			if got := read(t, s.LogPath); got != tc.want {
				t.Errorf("log = %q, want %q", got, tc.want)
			}
			if _, err := os.Stat(s.LogPath + ".pending"); err == nil {
				t.Error("intent left")
			}
		})
	}
}

// TestReadLeavesLeftoversToLockHolder checks that a read never waits for
// the lock and never touches the files of the writer that holds it.
func TestReadLeavesLeftoversToLockHolder(t *testing.T) {
	s := loggedStore(t)
	tmp := filepath.Join(s.Dir, ".config.yaml.tmp-123")
	os.WriteFile(tmp, []byte("x"), 0o600)
	writeIntent(t, s, []byte(read(t, s.Path())), len("record\n"), "next\n")
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		s.Update(func(*config.Tx) error { close(held); <-release; return nil })
	}()
	<-held
	// The writer settled the intent and the temporary file on taking the
	// lock; put them back as if they were its own.
	os.WriteFile(tmp, []byte("x"), 0o600)
	writeIntent(t, s, []byte(read(t, s.Path())), len("record\n"), "next\n")
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	close(release)
	<-done
	if _, err := os.Stat(tmp); err != nil {
		t.Error("a read removed the lock holder's temporary file")
	}
	if got := read(t, s.LogPath); got != "record\nnext\n" {
		t.Errorf("log = %q: the writer settles the intent, the read must not", got)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); err == nil {
		t.Error("a read with the lock free left a stale temporary file")
	}
}

// TestStaleKeyTempRemoved checks that a temporary key file is removed
// once its writer is gone, and only then.
func TestStaleKeyTempRemoved(t *testing.T) {
	s := loggedStore(t)
	dead := filepath.Join(s.Dir, ".encryption-key-999999999-1")
	live := filepath.Join(s.Dir, fmt.Sprintf(".encryption-key-%d-1", os.Getpid()))
	old := filepath.Join(s.Dir, ".encryption-key-12345")
	for _, p := range []string{dead, live, old} {
		os.WriteFile(p, []byte("00"), 0o600)
	}
	// No store work is pending: the key files go without the lock.
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{dead: false, live: true, old: false} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), err == nil, want)
		}
	}
}
