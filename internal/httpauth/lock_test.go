package httpauth

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// watchdog is how long a test waits for something that must not stall
// before it calls it stalled. It is far above any request time here, and
// far below the hanging endpoint's response-timeout.
const watchdog = 15 * time.Second

// hangingIdP is a token endpoint that sends nothing until released. Its
// arrived channel receives once per request.
func hangingIdP(t *testing.T) (p *idp, arrived chan struct{}, release func()) {
	p = newIdP(t, false)
	arrived, done := make(chan struct{}, 16), make(chan struct{})
	p.respond = func(w http.ResponseWriter, r *http.Request, _ int) {
		arrived <- struct{}{}
		select {
		case <-done:
		case <-r.Context().Done():
		}
	}
	var once sync.Once
	release = func() { once.Do(func() { close(done) }) }
	t.Cleanup(release) // before p.Close, which waits for the handler
	return p, arrived, release
}

// addMethod adds a client-credentials method named name to f.
func (f *fixture) addMethod(name, endpoint string, props map[string][]string) {
	vals := map[string][]string{config.PropEnabled: {"true"}, propTokenEndpointURL: {endpoint},
		propClientID: {testClientID}, propClientSecretProvider: {"secret"}}
	for k, v := range props {
		vals[k] = v
	}
	f.put(config.KindHTTPAuthorizationMethod, name, TypeClientCredentials, vals)
}

func (f *fixture) named(t *testing.T, name string) Source {
	t.Helper()
	s, err := New(f.options(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// While one method's endpoint hangs, with a token request in flight and
// its entry locked, other methods get their tokens through the same
// cache file at once. Before the per-entry locks, the cache file's lock
// was held during the request, and they waited for the hanging one's
// response-timeout (here 10 minutes).
func TestHangingMethodDelaysNoOther(t *testing.T) {
	fast := newIdP(t, false)
	slow, arrived, release := hangingIdP(t)
	f := newFixture(t, fast.URL, nil)
	f.addMethod("slow", slow.URL, map[string][]string{propResponseTimeout: {"10 m"}})
	f.addMethod("fast2", fast.URL, map[string][]string{propRequestedScope: {"other"}})

	slowDone := make(chan error, 1)
	go func() {
		_, err := f.named(t, "slow").Token(t.Context())
		slowDone <- err
	}()
	<-arrived
	for _, name := range []string{"m", "fast2", "m"} {
		got := make(chan error, 1)
		go func() {
			_, err := f.named(t, name).Token(t.Context())
			got <- err
		}()
		select {
		case err := <-got:
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		case <-time.After(watchdog):
			t.Fatalf("method %s waited more than %s for another method's hanging request", name, watchdog)
		}
	}
	if fast.count() != 2 {
		t.Errorf("fast endpoint requests = %d, want 2 (m once, reused, and fast2)", fast.count())
	}
	release()
	if err := <-slowDone; err == nil {
		t.Error("the hanging endpoint gave a token")
	}
}

// A holder of an entry's lock that does not let go (here the test itself,
// as a stopped process would) makes a waiter fail after response-timeout
// plus lockSlack, with the holder's pid; nothing is requested.
func TestStuckLockHolderTimesOut(t *testing.T) {
	defer func(s time.Duration) { lockSlack = s }(lockSlack)
	lockSlack = 200 * time.Millisecond
	p := newIdP(t, false)
	f := newFixture(t, p.URL, map[string][]string{propResponseTimeout: {"100 ms"}})
	src := f.source(t).(*ccSource)
	if err := src.resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.dir, lockDirName, src.key+".lock")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	held, err := lockedfile.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	held.WriteAt([]byte("4242\n"), 0)

	start := time.Now()
	_, err = src.Token(t.Context())
	waited := time.Since(start)
	var te *TokenError
	if !errors.As(err, &te) || te.Class != ClassLocked || te.HolderPID != 4242 {
		t.Fatalf("Token = %v, want a lock timeout naming pid 4242", err)
	}
	for _, want := range []string{"another process (pid 4242)", "for more than 300 ms", path} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if h := te.ErrorHint(); !strings.Contains(h, "4242") || !strings.Contains(h, "--no-token-cache") {
		t.Errorf("hint = %q", h)
	}
	if waited < 300*time.Millisecond || waited > watchdog {
		t.Errorf("waited %s, want response-timeout plus lockSlack, 300ms", waited)
	}
	if p.count() != 0 {
		t.Errorf("requests = %d, want none", p.count())
	}

	// Once the holder lets go, the lock file is taken over and the token
	// obtained; the new holder writes its own pid and clears it after.
	held.Close()
	mustToken(t, src)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(path); len(data) != 0 {
		t.Errorf("lock file after release holds %q, want nothing", data)
	}
}

// The per-entry lock is between processes: several processes started at
// once, each with its own cache handle, cost one token request.
func TestProcessesShareOneRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	p := newIdP(t, false)
	p.respond = func(w http.ResponseWriter, r *http.Request, n int) {
		time.Sleep(300 * time.Millisecond) // so that the others come while it is in flight
		tokenResponse(`3600`)(w, r, n)
	}
	f := newFixture(t, p.URL, nil)
	// The encryption key exists before the children start, as it does
	// once anything was configured.
	if err := f.source(t).(*ccSource).resolve(t.Context()); err != nil {
		t.Fatal(err)
	}
	const n = 6
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=1", "ENDPOINT="+p.URL, "DIR="+f.dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("child %d: %v\n%s", i, err, out)
			}
			outs[i] = strings.TrimSpace(string(out))
		})
	}
	wg.Wait()
	if p.count() != 1 {
		t.Errorf("requests = %d from %d processes, want 1", p.count(), n)
	}
	for i, out := range outs {
		if out != "tok-1" {
			t.Errorf("child %d printed %q, want tok-1", i, out)
		}
	}
}
