package httpauth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/lockedfile"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Locks. The cache file is locked only to read or rewrite it, never
// during a request. A token request holds the lock of its own cache
// entry instead: a file in lockDirName named after the entry's key, so
// that processes sending through one method wait for one request and
// reuse its token, while a method whose endpoint hangs delays no other
// method. A waiter gives up after response-timeout plus lockSlack: the
// holder's own request must have ended by then, so it is stuck (stopped,
// or suspended), and its pid, which it writes into the lock file, is
// named in the error. The OS releases the lock of a process that dies.
//
// Lock files are never removed: removing one that another process has
// opened but not yet locked would let two processes hold "the" lock.
// There is one per method and set of settings, of a few bytes each.

// lockDirName is the directory of the per-entry lock files, next to the
// cache file.
const lockDirName = "token-cache.d"

// lockSlack is how much longer than its response-timeout a process waits
// for another's request of the same token. A variable for tests.
var lockSlack = 5 * time.Second

// errLockTimeout is a lock not obtained in time.
var errLockTimeout = errors.New("lock not obtained in time")

// lockWait opens path locked for writing, creating it with mode 0600,
// and waits at most wait for another holder to let go, or until ctx
// ends. The lock is taken in a goroutine, as internal/config's store lock
// is, because lockedfile has no timeout; a goroutine that gets the lock
// after its caller gave up releases it at once.
func lockWait(ctx context.Context, path string, wait time.Duration) (*lockedfile.File, error) {
	type result struct {
		f   *lockedfile.File
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := lockedfile.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		ch <- result{f, err}
	}()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var err error
	select {
	case r := <-ch:
		return r.f, r.err
	case <-timer.C:
		err = errLockTimeout
	case <-ctx.Done():
		err = ctx.Err()
	}
	go func() {
		if r := <-ch; r.err == nil {
			r.f.Close()
		}
	}()
	return nil, err
}

// entryLock is a held per-entry lock.
type entryLock struct{ f *lockedfile.File }

// lockEntry takes the lock of the cache entry key, waiting at most wait.
// A timeout gives a *TokenError of ClassLocked, naming the holder's pid.
func (c *tokenCache) lockEntry(ctx context.Context, key string, wait time.Duration) (*entryLock, error) {
	dir := filepath.Join(filepath.Dir(c.path), lockDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &cacheError{dir, err}
	}
	path := filepath.Join(dir, key+".lock")
	f, err := lockWait(ctx, path, wait)
	switch {
	case errors.Is(err, errLockTimeout):
		return nil, &lockTimeout{path: path, pid: holderPID(path), waited: wait}
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		return nil, &cacheError{path, err}
	}
	config.TightenMode(path)
	// Best effort: the pid only makes a waiter's message better.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &entryLock{f}, nil
}

func (l *entryLock) release() {
	l.f.Truncate(0)
	l.f.Close()
}

// holderPID reads the pid that the holder of a lock file wrote in it, or
// 0 when it cannot be read.
func holderPID(path string) int {
	data, err := config.ReadRegular(path, 64) // a pid and a newline
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// lockTimeout is what lockEntry returns on a timeout; the source turns
// it into a *TokenError with its method's details.
type lockTimeout struct {
	path   string
	pid    int
	waited time.Duration
}

func (l *lockTimeout) Error() string { return "timed out waiting for " + l.path }
