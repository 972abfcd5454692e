package passphrase_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// Every provider type refuses a secret over 64 KiB and one with a NUL
// byte, with the same error; none of them cuts the secret short. The
// command provider used to keep the first 65,536 bytes of a longer line.
func TestSecretOverLimitOrWithNULIsRefused(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("s", 64<<10+1)
	e.script("long.sh", `head -c 65537 /dev/zero | tr '\0' s; echo`)
	e.script("nul.sh", `printf 'abc\000def\n'`)
	e.write("nul.txt", "abc\x00def\n", 0o600)
	e.vars["LONG"] = long
	e.vars["NUL"] = "abc\x00def"
	e.create("cmd-long", passphrase.TypeCommand, "command-path:./long.sh")
	e.create("cmd-nul", passphrase.TypeCommand, "command-path:./nul.sh")
	e.create("file-nul", passphrase.TypeFileBased, "password-file:nul.txt")
	e.create("env-long", passphrase.TypeEnvironmentVariable, "environment-variable:LONG")
	e.create("env-nul", passphrase.TypeEnvironmentVariable, "environment-variable:NUL")
	r := e.resolver()
	for _, name := range []string{"cmd-long", "env-long"} {
		err := wantFailure(t, r, name, passphrase.ErrSecretInvalid, "the secret is larger than 64 KiB, the limit")
		if err != nil && strings.Contains(err.Error(), "sss") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
	for _, name := range []string{"cmd-nul", "file-nul", "env-nul"} {
		err := wantFailure(t, r, name, passphrase.ErrSecretInvalid, "the secret contains a NUL byte (at byte 4), which no secret may hold")
		if err != nil && strings.Contains(err.Error(), "abc") {
			t.Errorf("%s: the error shows the secret: %v", name, err)
		}
	}
}

// A secret of exactly 64 KiB is still accepted.
func TestSecretAtLimitIsAccepted(t *testing.T) {
	e := newEnv(t)
	e.vars["MAX"] = strings.Repeat("s", 64<<10)
	e.create("env-max", passphrase.TypeEnvironmentVariable, "environment-variable:MAX")
	s, err := e.resolver().Secret(context.Background(), "env-max")
	if err != nil || len(s) != 64<<10 {
		t.Errorf("Secret = %d bytes, %v; want 65536 bytes", len(s), err)
	}
}

// A named pipe in place of the password file is refused at once; it used
// to hang for ever, waiting for a writer.
func TestPasswordFileNamedPipeIsRefused(t *testing.T) {
	e := newEnv(t)
	fifo := filepath.Join(e.dir, "pw.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("cannot make a named pipe: %v", err)
	}
	e.create("fifo", passphrase.TypeFileBased, "password-file:pw.fifo")
	done := make(chan error, 1)
	go func() { _, err := e.resolver().Secret(context.Background(), "fifo"); done <- err }()
	select {
	case err := <-done:
		want := "the password file " + fifo + " is a named pipe, not a regular file"
		if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, passphrase.ErrFileUnreadable) {
			t.Errorf("error = %v, want %q", err, want)
		}
	case <-time.After(10 * time.Second):
		os.WriteFile(fifo, nil, 0) // let the reader go
		t.Fatal("reading a named pipe as the password file hangs")
	}
}
