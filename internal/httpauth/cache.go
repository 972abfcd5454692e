package httpauth

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The shared token cache lets one dsconfig process reuse the token that
// another obtained. It is one JSON file in the configuration directory,
// mode 0600, read and written under an exclusive file lock; a process
// that finds no usable token requests one while holding the lock of that
// one entry (lock.go), so concurrent processes wait for it instead of
// each asking the server.
//
// Tokens are sealed with the store's encryption key (config.KeyFile), the
// cache key being bound in as additional data, so the file holds no
// token in clear text and an entry cannot be moved to another method.
// Entries are keyed by an HMAC, under the same key, of everything that
// decides which token the server gives: method name, endpoint, client id,
// the secret, scopes and the request settings. Changing any of them, the
// secret or the key misses the old entry; it is pruned once it is past
// reuse.

// CacheFileName is the token cache's name in the configuration directory.
const CacheFileName = "token-cache.json"

const cacheVersion = 1

type cacheFile struct {
	Version int                    `json:"version"`
	Entries map[string]*cacheEntry `json:"entries"`
}

type cacheEntry struct {
	Method      string    `json:"method"`
	Token       string    `json:"token"` // sealed
	Fingerprint string    `json:"fingerprint"`
	TokenType   string    `json:"token_type"`
	Scope       string    `json:"scope,omitempty"`
	ObtainedAt  time.Time `json:"obtained_at"`
	Expiry      time.Time `json:"expiry,omitzero"`
	ReuseUntil  time.Time `json:"reuse_until"`
}

// cacheError is a token cache that cannot be read or written.
type cacheError struct {
	Path string
	Err  error
}

func (e *cacheError) Error() string { return fmt.Sprintf("token cache %s: %v", e.Path, e.Err) }
func (e *cacheError) Unwrap() error { return e.Err }
func (e *cacheError) ErrorHint() string {
	return "check the file's permissions, or bypass the cache with --no-token-cache"
}

type tokenCache struct {
	path string
	key  *config.KeyFile
	warn func(string)
	// wait is how long to wait for a lock, of the cache file or of an
	// entry: the method's response-timeout plus lockSlack.
	wait time.Duration
}

// defaultCacheWait is how long ClearCache waits for the cache file.
const defaultCacheWait = 30 * time.Second

func newTokenCache(opts *Options, wait time.Duration) *tokenCache {
	// A missing key may be created only while the store holds no sealed
	// value: otherwise the store's own values need the lost key back,
	// and a new key would only make that message more confusing.
	key := config.KeyFileIn(opts.Config.Dir)
	key.Create = !opts.Config.State.HasSealed()
	return &tokenCache{path: filepath.Join(opts.Config.Dir, CacheFileName), key: key, warn: opts.warn, wait: wait}
}

// getOrFetch returns the cached token for key when it may be reused now,
// or else the result of fetch, which it stores. now is read again after
// every wait: a process that waited for another's request must judge that
// token at the time it gets it, or a token that is never to be reused
// (maximum-token-lifetime 1 s) would look reusable to every process that
// started before it was obtained. fetch runs under
// the entry's own lock (lock.go), so that processes asking for the same
// token wait for one request, and the cache file is locked only to read
// it and to write the new token. A broken cache costs only a request:
// one that cannot be opened is bypassed and one that cannot be written
// is not updated, with a warning either way.
func (c *tokenCache) getOrFetch(ctx context.Context, key, method string, now func() time.Time, fetch func() (*Token, error)) (*Token, error) {
	tok, cerr := c.get(key, now())
	if tok != nil {
		return tok, nil
	}
	if cerr != nil {
		c.warnf(cerr, "requesting a token without it")
		return fetch()
	}
	lock, err := c.lockEntry(ctx, key, c.wait)
	if ce := (*cacheError)(nil); errors.As(err, &ce) {
		c.warnf(ce, "requesting a token without it")
		return fetch()
	}
	if err != nil {
		return nil, err
	}
	defer lock.release()
	// Another process may have obtained it while this one waited.
	if tok, _ := c.get(key, now()); tok != nil {
		return tok, nil
	}
	tok, err = fetch()
	if err != nil {
		return nil, err
	}
	if ce := c.put(key, method, tok, now()); ce != nil {
		c.warnf(ce, "the new token was not saved")
	}
	return tok, nil
}

// get returns the entry key when it may be reused at now. The error is
// a cache that could not be opened; one whose pruning could not be
// written back is used all the same.
func (c *tokenCache) get(key string, now time.Time) (*Token, *cacheError) {
	var tok *Token
	ran := false
	err := c.locked(func(cf *cacheFile) (bool, error) {
		ran = true
		changed := cf.prune(now)
		if t, ok := c.lookup(cf, key); ok && reusable(t, now) {
			tok = t
		}
		return changed, nil
	})
	if ce := (*cacheError)(nil); !ran && errors.As(err, &ce) {
		return nil, ce
	}
	return tok, nil
}

// put stores tok as the entry key.
func (c *tokenCache) put(key, method string, tok *Token, now time.Time) *cacheError {
	err := c.locked(func(cf *cacheFile) (bool, error) {
		return c.store(cf, key, method, tok, now), nil
	})
	if ce := (*cacheError)(nil); errors.As(err, &ce) {
		return ce
	}
	return nil
}

func (c *tokenCache) warnf(err *cacheError, what string) {
	if c.warn != nil {
		c.warn(fmt.Sprintf("%v; %s (%s)", err, what, err.ErrorHint()))
	}
}

func (c *tokenCache) lookup(cf *cacheFile, key string) (*Token, bool) {
	e := cf.Entries[key]
	if e == nil {
		return nil, false
	}
	access, err := c.key.Open(sealProperty(key), e.Token)
	if err != nil || fingerprint(access) != e.Fingerprint {
		return nil, false
	}
	return &Token{AccessToken: access, TokenType: e.TokenType, Scope: e.Scope, Expiry: e.Expiry,
		ReuseUntil: e.ReuseUntil, ObtainedAt: e.ObtainedAt, FromCache: true}, true
}

// store puts t in cf when it may be reused at all and can be sealed.
func (c *tokenCache) store(cf *cacheFile, key, method string, t *Token, now time.Time) bool {
	_, had := cf.Entries[key]
	delete(cf.Entries, key)
	if !reusable(t, now) {
		return had
	}
	sealed, err := c.key.Seal(sealProperty(key), t.AccessToken)
	if err != nil {
		return had
	}
	cf.Entries[key] = &cacheEntry{Method: method, Token: sealed, Fingerprint: fingerprint(t.AccessToken),
		TokenType: t.TokenType, Scope: t.Scope, ObtainedAt: t.ObtainedAt, Expiry: t.Expiry, ReuseUntil: t.ReuseUntil}
	return true
}

func sealProperty(key string) string { return "token-cache:" + key }

// discard removes key's entry if it still holds access. A cache that
// cannot be opened holds nothing to discard: that is only a warning.
func (c *tokenCache) discard(key, access string) error {
	ran := false
	err := c.locked(func(cf *cacheFile) (bool, error) {
		ran = true
		if e := cf.Entries[key]; e != nil && e.Fingerprint == fingerprint(access) {
			delete(cf.Entries, key)
			return true, nil
		}
		return false, nil
	})
	if ce := (*cacheError)(nil); !ran && errors.As(err, &ce) {
		c.warnf(ce, "the rejected token could not be removed from it")
		return nil
	}
	return err
}

// prune drops entries that are past reuse.
func (cf *cacheFile) prune(now time.Time) bool {
	changed := false
	for k, e := range cf.Entries {
		if !now.Before(e.ReuseUntil) {
			delete(cf.Entries, k)
			changed = true
		}
	}
	return changed
}

// locked runs fn on the decoded cache under an exclusive lock and writes
// the cache back when fn reports a change. A damaged file is read as an
// empty cache: it only holds what can be obtained again.
func (c *tokenCache) locked(fn func(*cacheFile) (bool, error)) error {
	if err := os.MkdirAll(filepath.Dir(c.path), 0o700); err != nil {
		return &cacheError{c.path, err}
	}
	// A named pipe or a device in the cache's place would block the read
	// below for ever: refuse anything but a regular file before locking.
	if fh, err := config.OpenRegular(c.path); err == nil {
		fh.Close()
	} else if !errors.Is(err, fs.ErrNotExist) {
		return &cacheError{c.path, err}
	}
	wait := cmp.Or(c.wait, defaultCacheWait)
	f, err := lockWait(context.Background(), c.path, wait)
	if errors.Is(err, errLockTimeout) {
		err = fmt.Errorf("another process has held it locked for more than %s", config.FormatDuration(wait))
	}
	if err != nil {
		return &cacheError{c.path, err}
	}
	defer f.Close()
	config.TightenMode(c.path) // it holds sealed tokens; see config/perm.go
	cf := decodeCache(f)
	changed, err := fn(cf)
	if changed {
		if werr := writeCache(f, cf); werr != nil && err == nil {
			err = &cacheError{c.path, werr}
		}
	}
	return err
}

// maxCacheSize bounds the read of token-cache.json. An entry takes well
// under 1 KiB, so this holds thousands of methods; a larger file is
// damaged or not ours, and reads as empty.
const maxCacheSize = 16 << 20

func decodeCache(r io.Reader) *cacheFile {
	var cf cacheFile
	if err := json.NewDecoder(io.LimitReader(r, maxCacheSize)).Decode(&cf); err != nil || cf.Version != cacheVersion || cf.Entries == nil {
		return &cacheFile{Version: cacheVersion, Entries: map[string]*cacheEntry{}}
	}
	return &cf
}

// writeCache rewrites the locked file in place. The lock is on this very
// file, so it cannot be replaced by a rename; a crash mid-write leaves a
// damaged file, which reads as empty.
func writeCache(f *lockedfile.File, cf *cacheFile) error {
	data, err := json.MarshalIndent(cf, "", "  ")
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}

// ClearCache removes the cached tokens of the named method, or all of
// them when method is "", from the cache in the configuration directory
// dir. It returns how many it removed.
func ClearCache(dir, method string) (int, error) {
	c := &tokenCache{path: filepath.Join(dir, CacheFileName)}
	if _, err := os.Stat(c.path); errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	n := 0
	err := c.locked(func(cf *cacheFile) (bool, error) {
		for k, e := range cf.Entries {
			if method == "" || e.Method == method {
				delete(cf.Entries, k)
				n++
			}
		}
		return n > 0, nil
	})
	return n, err
}
