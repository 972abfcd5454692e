//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A named pipe in place of tools.properties or a config-diff source is
// refused at once with an error naming it; both used to hang, waiting for
// a writer.
func TestNamedPipesAreRefused(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "p", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X")
	src := filepath.Join(t.TempDir(), "source.yaml")
	for _, p := range []string{filepath.Join(dir, "tools.properties"), src} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Skipf("cannot make a named pipe: %v", err)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"list-passphrase-providers"}, filepath.Join(dir, "tools.properties") + ": is a named pipe, not a regular file"},
		{[]string{"--no-properties-file", "config-diff", "--source-store", src}, src + ": is a named pipe, not a regular file"},
	} {
		done := make(chan dsResult, 1)
		go func() { done <- dsRun(t, dir, tc.args...) }()
		select {
		case r := <-done:
			if r.Code == 0 || !strings.Contains(r.Err, tc.want) {
				t.Errorf("%v: exit %d, stderr %q; want an error containing %q", tc.args, r.Code, r.Err, tc.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%v hangs on a named pipe", tc.args)
		}
	}
}

// `yes | dsconfig --batch-file -` stops at the batch file's command limit
// within seconds, with a clear error and bounded memory; it used to grow
// without end (2.8 GB in the review). The built binary runs, so that the
// peak RSS measured is the process's own.
func TestEndlessBatchOnStdinIsBounded(t *testing.T) {
	bin := buildDsconfig(t)
	yes, err := exec.LookPath("yes")
	if err != nil {
		t.Skip("no yes(1)")
	}
	src := exec.Command(yes)
	cmd := exec.Command(bin, "--config-dir", t.TempDir(), "--batch-file", "-")
	pipe, err := src.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = pipe
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := src.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { src.Process.Kill(); src.Wait() }()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
	defer timer.Stop()
	cmd.Wait()
	took := time.Since(start)
	want := "dsconfig: error: <stdin>:500001: the batch file holds more than 500000 commands, the limit\n"
	if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.HasPrefix(stderr.String(), want) {
		t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr.String(), want)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
	t.Logf("yes | dsconfig --batch-file -: %v, peak RSS %d MiB", took.Round(time.Millisecond), rss>>10)
	if rss > 200<<10 {
		t.Errorf("peak RSS %d MiB, want under 200 MiB", rss>>10)
	}
}

// An oversize store is refused, not read into memory.
func TestOversizeSourceStoreIsRefused(t *testing.T) {
	src := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(src)
	if err != nil {
		t.Fatal(err)
	}
	f.Truncate(64<<20 + 1) // sparse
	f.Close()
	r := dsRun(t, t.TempDir(), "--no-properties-file", "config-diff", "--source-store", src)
	if want := src + ": is larger than 64 MiB, the limit"; r.Code != 2 || !strings.Contains(r.Err, want) {
		t.Errorf("exit %d, stderr %q; want exit 2 and %q", r.Code, r.Err, want)
	}
}
