package httpauth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestCacheSharedBetweenSources(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	first := mustToken(t, f.source(t))
	f.clock.advance(30 * time.Minute)
	second := mustToken(t, f.source(t)) // a new Source, as in a new process
	if p.count() != 1 {
		t.Fatalf("requests = %d, want 1", p.count())
	}
	if !second.FromCache || second.AccessToken != first.AccessToken || !second.ReuseUntil.Equal(first.ReuseUntil) {
		t.Errorf("second = %+v, want the first token from the cache", second)
	}
	fi, err := os.Stat(filepath.Join(f.dir, CacheFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("cache file: %v, mode %v; want 0600", err, fi.Mode())
	}
}

func TestCacheHoldsNoClearToken(t *testing.T) {
	p := newIdP(t, false)
	jwt := makeJWT(map[string]any{"aud": "https://outlook.office365.com", "exp": 1900000000})
	p.respond = respondWith(200, "application/json", `{"access_token":"`+jwt+`","expires_in":3600}`)
	f := newFixture(t, p.URL, nil)
	mustToken(t, f.source(t))
	for _, name := range []string{CacheFileName, "encryption-key"} {
		data, err := os.ReadFile(filepath.Join(f.dir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		for _, form := range []string{jwt, strings.Split(jwt, ".")[1], base64.StdEncoding.EncodeToString([]byte(jwt))} {
			if strings.Contains(s, form) {
				t.Errorf("%s holds the token in clear text", name)
			}
		}
		assertNoSecret(t, name, s)
	}
}

func TestCacheKeyFollowsSettings(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, map[string][]string{propRequestedScope: {"a"}})
	mustToken(t, f.source(t))
	changes := []func(){
		func() { f.secrets["secret"] = "another secret" },
		func() { f.set(propRequestedScope, "b") },
		func() { f.set(propClientID, "other-app") },
		func() { f.set(propTokenEndpointURL, p.URL+"/v2") },
		func() { f.set(propCredentialsSubmission, submitBody) },
	}
	for i, change := range changes {
		change()
		mustToken(t, f.source(t))
		if want := i + 2; p.count() != want {
			t.Errorf("after change %d: requests = %d, want %d (the cached token must not be used)", i, p.count(), want)
		}
	}
	mustToken(t, f.source(t))
	if p.count() != len(changes)+1 {
		t.Errorf("unchanged settings: requests = %d, want the cached token", p.count())
	}
}

func TestRejectDiscards(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	s := f.source(t)
	tok := mustToken(t, s)
	if err := s.Reject(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	if got := mustToken(t, s); got.AccessToken != "tok-2" || got.FromCache {
		t.Errorf("after Reject: %s (from cache %t), want a new tok-2", got.AccessToken, got.FromCache)
	}
	// Another process reuses the new token, not the rejected one.
	if got := mustToken(t, f.source(t)); got.AccessToken != "tok-2" {
		t.Errorf("other source got %s, want tok-2", got.AccessToken)
	}
	// Rejecting a stale token leaves the newer one in the cache.
	if err := f.source(t).Reject(t.Context(), tok); err != nil {
		t.Fatal(err)
	}
	if got := mustToken(t, f.source(t)); got.AccessToken != "tok-2" || p.count() != 2 {
		t.Errorf("got %s after %d requests, want tok-2 after 2", got.AccessToken, p.count())
	}
}

func TestNoCache(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	o := f.options()
	o.NoCache = true
	s := f.sourceWith(t, o)
	mustToken(t, s)
	mustToken(t, s) // reused in memory
	mustToken(t, f.sourceWith(t, o))
	if p.count() != 2 {
		t.Errorf("requests = %d, want 2", p.count())
	}
	if _, err := os.Stat(filepath.Join(f.dir, CacheFileName)); !os.IsNotExist(err) {
		t.Errorf("cache file exists with --no-token-cache: %v", err)
	}
}

func TestConcurrentSourcesRequestOnce(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	var wg sync.WaitGroup
	for range 8 {
		s := f.source(t)
		wg.Go(func() {
			if _, err := s.Token(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if p.count() != 1 {
		t.Errorf("requests = %d, want 1: the cache lock makes the others wait and reuse", p.count())
	}
}

func TestClearCache(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	mustToken(t, f.source(t))
	if n, err := ClearCache(f.dir, "other"); err != nil || n != 0 {
		t.Errorf("ClearCache(other) = %d, %v; want 0", n, err)
	}
	if n, err := ClearCache(f.dir, "m"); err != nil || n != 1 {
		t.Errorf("ClearCache(m) = %d, %v; want 1", n, err)
	}
	mustToken(t, f.source(t))
	if p.count() != 2 {
		t.Errorf("requests = %d, want 2 after clearing", p.count())
	}
	if n, err := ClearCache(t.TempDir(), ""); err != nil || n != 0 {
		t.Errorf("ClearCache of a missing file = %d, %v", n, err)
	}
}

func TestDamagedCacheIsIgnored(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	if err := os.WriteFile(filepath.Join(f.dir, CacheFileName), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustToken(t, f.source(t))
	mustToken(t, f.source(t))
	if p.count() != 1 {
		t.Errorf("requests = %d, want 1: a damaged cache is rewritten", p.count())
	}
}

// A cache that cannot be opened (here a directory in its place) costs a
// request and a warning, not the token.
func TestUnusableCacheFallsBackToRequest(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	if err := os.Mkdir(filepath.Join(f.dir, CacheFileName), 0o700); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	o := f.options()
	o.Warn = func(msg string) { warnings = append(warnings, msg) }
	src := f.sourceWith(t, o)
	tok, err := src.Token(t.Context())
	if err != nil || tok.AccessToken == "" || p.count() != 1 {
		t.Fatalf("Token = %v, %v after %d requests; want a token from one request", tok, err, p.count())
	}
	if err := src.Reject(t.Context(), tok); err != nil {
		t.Errorf("Reject: %v", err)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "token cache "+filepath.Join(f.dir, CacheFileName)) ||
		!strings.Contains(warnings[0], "requesting a token without it") || !strings.Contains(warnings[0], "--no-token-cache") {
		t.Errorf("warnings = %q", warnings)
	}
}

// cacheEntryKeys returns the keys of the cache file's entries.
func cacheEntryKeys(t *testing.T, dir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, CacheFileName))
	if err != nil {
		t.Fatal(err)
	}
	var cf cacheFile
	if err := json.Unmarshal(data, &cf); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range cf.Entries {
		keys = append(keys, k)
	}
	return keys
}

// The cache key is an HMAC under the store's encryption key: the cache
// file alone does not let anyone test guesses of the secret, and another
// key gives other cache keys.
func TestCacheKeyIsKeyedWithTheEncryptionKey(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	mustToken(t, f.source(t))
	keys := cacheEntryKeys(t, f.dir)
	if len(keys) != 1 {
		t.Fatalf("cache entries = %q, want one", keys)
	}
	data, _ := os.ReadFile(filepath.Join(f.dir, CacheFileName))
	// What an unkeyed derivation from the secret would give: with it, a
	// guess of the secret could be checked against the file.
	for _, plain := range []string{sha256Hex(testSecret), sha256Hex(sha256Hex(testSecret)), sha256Hex("secret-sha256:" + sha256Hex(testSecret))} {
		if strings.Contains(string(data), plain) {
			t.Errorf("the cache file holds an unkeyed hash of the secret, %s", plain)
		}
	}
	keyFile := filepath.Join(f.dir, config.KeyFileName)
	src := f.source(t).(*ccSource)
	src.secret = testSecret
	src.cache = newTokenCache(src.opts, 0)
	if want, err := src.cacheKey(); err != nil || keys[0] != want {
		t.Errorf("cache key %s, want the HMAC under the key file's key, %s", keys[0], want)
	}

	// Another key: the old entry is not found, and the new one has
	// another cache key.
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustToken(t, f.source(t))
	if p.count() != 2 {
		t.Errorf("requests = %d, want 2: a new key must miss the old entry", p.count())
	}
	if after := cacheEntryKeys(t, f.dir); !slices.Contains(after, keys[0]) || len(after) != 2 {
		t.Errorf("cache keys after the key change = %q, want the old %s and a new one", after, keys[0])
	}
}

// Without a usable encryption key the cache is not used at all, with a
// warning, and the token is still obtained.
func TestCacheNeedsTheEncryptionKey(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	if err := os.WriteFile(filepath.Join(f.dir, config.KeyFileName), []byte("damaged\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	o := f.options()
	o.Warn = func(msg string) { warnings = append(warnings, msg) }
	mustToken(t, f.sourceWith(t, o))
	if _, err := os.Stat(filepath.Join(f.dir, CacheFileName)); err == nil {
		t.Error("the cache was written without a usable key")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "not used: encryption key file") {
		t.Errorf("warnings = %q", warnings)
	}
}

// A cache file loosened by hand is put back to 0600 when it is used: it
// holds sealed tokens.
func TestLoosenedCacheIsTightened(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	mustToken(t, f.source(t))
	path := filepath.Join(f.dir, CacheFileName)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	mustToken(t, f.source(t))
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache mode after use: %v (%v), want 0600", fi.Mode().Perm(), err)
	}
}

// sha256Hex is how a careless cache would derive its keys from a secret;
// TestCacheKeyIsKeyedWithTheEncryptionKey checks that the file holds no
// such form.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// A named pipe in the cache's place is refused at once, with a warning,
// and the token is still requested: reading it would block for ever.
func TestFIFOCacheIsRefusedAtOnce(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	if err := syscall.Mkfifo(filepath.Join(f.dir, CacheFileName), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	var warnings []string
	o := f.options()
	o.Warn = func(msg string) { warnings = append(warnings, msg) }
	src := f.sourceWith(t, o)
	done := make(chan error, 1)
	go func() {
		_, err := src.Token(t.Context())
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil || p.count() != 1 {
			t.Fatalf("Token: %v after %d requests; want a token from one request", err, p.count())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Token blocked on a named pipe in place of the cache")
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "named pipe, not a regular file") {
		t.Errorf("warnings = %q", warnings)
	}
}

// A process that waited while another obtained the token judges it with
// the clock read after the wait, not the time it started: a token that
// is never to be reused (ReuseUntil = obtain time, as with
// maximum-token-lifetime 1 s) is neither stored nor handed to a process
// that started before it was obtained.
func TestCacheReadsTheClockAfterWaiting(t *testing.T) {
	p := newIdP(t, false)
	f := newFixture(t, p.URL, nil)
	src := f.source(t).(*ccSource)
	c := newTokenCache(src.opts, time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(100 * time.Millisecond)
	fetches := 0
	fetch := func() (*Token, error) {
		fetches++
		return &Token{AccessToken: "tok-" + strings.Repeat("x", fetches), TokenType: "Bearer",
			ObtainedAt: t1, Expiry: t1.Add(time.Hour), ReuseUntil: t1}, nil
	}
	// The first process started at t0 and obtained the token at t1.
	calls := 0
	clock := func() time.Time {
		calls++
		if calls == 1 {
			return t0
		}
		return t1
	}
	if _, err := c.getOrFetch(t.Context(), "k", "m", clock, fetch); err != nil {
		t.Fatal(err)
	}
	// The second also started at t0, before the token was obtained, and
	// gets the entry's lock at t1.
	calls = 0
	if _, err := c.getOrFetch(t.Context(), "k", "m", clock, fetch); err != nil {
		t.Fatal(err)
	}
	if fetches != 2 {
		t.Errorf("fetches = %d, want 2: a token that is never reused was handed to a second process", fetches)
	}
}
