package passphrase_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// script writes an executable /bin/sh script into the config dir. The
// provider runs it directly, as it would run vault or pass.
func (e *env) script(name, body string) string {
	e.t.Helper()
	if _, err := os.Stat("/bin/sh"); err != nil {
		e.t.Skip("no /bin/sh")
	}
	return e.write(name, "#!/bin/sh\n"+body+"\n", 0o700)
}

func TestCommand(t *testing.T) {
	e := newEnv(t)
	// Each argument arrives as one argv element: no shell splits or
	// expands it.
	e.script("echo-args.sh", `printf '%s|%s\n' "$1" "$2"; echo second line`)
	e.create("cmd", passphrase.TypeCommand, "command-path:./echo-args.sh",
		"command-argument:two words", "command-argument:$HOME;*")
	wantSecret(t, e.resolver(), "cmd", "two words|$HOME;*")
}

func TestCommandAbsoluteAndPATH(t *testing.T) {
	e := newEnv(t)
	p := e.script("pw.sh", `echo from-path`)
	e.create("abs", passphrase.TypeCommand, "command-path:"+p)
	e.create("bare", passphrase.TypeCommand, "command-path:pw.sh")
	t.Setenv("PATH", e.dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	r := e.resolver()
	wantSecret(t, r, "abs", "from-path")
	wantSecret(t, r, "bare", "from-path")
}

func TestCommandFailures(t *testing.T) {
	e := newEnv(t)
	// The failing program prints the secret on stdout and repeats it on
	// stderr; the error must show stderr without it.
	e.script("fail.sh", `echo cmd-s3cret-value; echo "vault: permission denied for cmd-s3cret-value" >&2; exit 3`)
	e.script("silent.sh", `echo "nothing to say" >&2`)
	e.script("slow.sh", `exec sleep 5`)
	e.write("notexec.sh", "#!/bin/sh\necho x\n", 0o600)
	e.create("fail", passphrase.TypeCommand, "command-path:./fail.sh")
	e.create("silent", passphrase.TypeCommand, "command-path:./silent.sh")
	e.create("slow", passphrase.TypeCommand, "command-path:./slow.sh", "command-timeout:200 ms")
	e.create("missing", passphrase.TypeCommand, "command-path:/nonexistent/vault")
	e.create("notexec", passphrase.TypeCommand, "command-path:./notexec.sh")
	r := e.resolver()
	err := wantFailure(t, r, "fail", passphrase.ErrCommandFailed, "exit code 3", "vault: permission denied")
	if strings.Contains(err.Error(), "cmd-s3cret-value") {
		t.Fatalf("the error shows the secret: %v", err)
	}
	wantFailure(t, r, "silent", passphrase.ErrEmpty, "printed nothing", "nothing to say")
	wantFailure(t, r, "slow", passphrase.ErrCommandFailed, "did not finish within 200 ms")
	wantFailure(t, r, "missing", passphrase.ErrCommandFailed, "/nonexistent/vault", "cannot be run")
	wantFailure(t, r, "notexec", passphrase.ErrCommandFailed, "cannot be run")
}

func TestCommandInterrupted(t *testing.T) {
	e := newEnv(t)
	e.script("slow.sh", `exec sleep 5`)
	e.create("slow", passphrase.TypeCommand, "command-path:./slow.sh")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.resolver().Secret(ctx, "slow")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestCommandCache(t *testing.T) {
	e := newEnv(t)
	counter := filepath.Join(e.dir, "count")
	e.script("count.sh", `echo x >> `+counter+`; echo counted`)
	e.create("cached", passphrase.TypeCommand, "command-path:./count.sh", "max-cache-duration:10 m")
	r := e.resolver()
	for range 3 {
		wantSecret(t, r, "cached", "counted")
	}
	var wg sync.WaitGroup
	for range 4 { // concurrent callers share the cache (run with -race)
		wg.Go(func() {
			if s, err := r.Secret(context.Background(), "cached"); s != "counted" || err != nil {
				t.Errorf("concurrent Secret = %q, %v", s, err)
			}
		})
	}
	wg.Wait()
	data, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "x"); n != 1 {
		t.Fatalf("the command ran %d times, want 1 within max-cache-duration", n)
	}
}
