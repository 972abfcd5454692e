package spool

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestPartialWrite: a write killed before its rename leaves a .tmp-
// directory, which is not an entry; a whole entry is listed.
func TestPartialWrite(t *testing.T) {
	s := &Spool{Dir: filepath.Join(t.TempDir(), "queue")}
	id, err := s.Add(&Envelope{Recipients: []string{"a@example.com"}, Queued: time.Now()}, []byte("m\r\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	half := filepath.Join(s.Dir, ".tmp-killed")
	os.Mkdir(half, 0o700)
	os.WriteFile(filepath.Join(half, msgFile), []byte("partial"), 0o600)
	q, f, err := s.List()
	if err != nil || len(q) != 1 || q[0].ID != id || len(f) != 0 {
		t.Fatalf("queued %v, failed %v, %v", q, f, err)
	}
	for _, p := range []string{s.Dir, s.path(id)} {
		if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v", p, fi.Mode())
		}
	}
	if fi, _ := os.Stat(filepath.Join(s.path(id), msgFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("message mode %v", fi.Mode())
	}
	// A locked entry is not handed to a second locker.
	l, err := s.Lock(id)
	if err != nil || l == nil {
		t.Fatal(l, err)
	}
	if l2, err := s.Lock(id); l2 != nil || err != nil {
		t.Errorf("second lock: %v %v", l2, err)
	}
	if err := l.Fail("550 no"); err != nil {
		t.Fatal(err)
	}
	q, f, _ = s.List()
	if len(q) != 0 || len(f) != 1 || f[0].Reply != "550 no" {
		t.Errorf("after Fail: queued %v, failed %v", q, f)
	}
}
