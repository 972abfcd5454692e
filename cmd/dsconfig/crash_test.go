package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// TestCrashConsistency kills the built dsconfig during writes, at each
// syscall of the write path in turn (strace fault injection) and at
// random times, and checks after every kill what a crash must never
// break: the next read-only command parses the store; the audit log it
// finds holds nothing the store lacks; it leaves no temporary store file,
// no temporary key file and no pending intent; the archive holds at most
// its maximum; and the log, replayed on an empty directory with the same
// key, gives the store byte for byte.
//
// It takes minutes, so it runs only with DSCONFIG_CRASH_TEST=1:
//
//	DSCONFIG_CRASH_TEST=1 go test ./cmd/dsconfig -run TestCrashConsistency -v
//
// DSCONFIG_CRASH_WRITES (default 500) is the least number of killed
// writes.
func TestCrashConsistency(t *testing.T) {
	if os.Getenv("DSCONFIG_CRASH_TEST") == "" {
		t.Skip("set DSCONFIG_CRASH_TEST=1 to run the crash suite")
	}
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not found")
	}
	want := 500
	fmt.Sscan(os.Getenv("DSCONFIG_CRASH_WRITES"), &want)
	bin := filepath.Join(t.TempDir(), "dsconfig")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	c := &crashRun{t: t, bin: bin, strace: strace, dir: t.TempDir()}
	c.must(c.dir, "create-passphrase-provider", "--provider-name", "vault", "--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value:v0")

	// Every syscall of the write path, the nth call of each in turn,
	// until three runs in a row end without a kill. strace counts calls
	// per thread, and the Go runtime moves between threads, so the same n
	// lands at different calls from run to run: the distinct sites hit
	// are reported.
	for _, sc := range []string{"openat", "write", "fsync", "renameat", "linkat", "ftruncate", "unlinkat", "flock"} {
		for n, misses := 1, 0; misses < 3; n++ {
			if c.injected(sc, n) {
				misses = 0
			} else {
				misses++
			}
		}
	}
	// The rest at random times.
	for c.kills < want {
		c.randomKill()
	}
	t.Logf("%d killed writes (%d by strace at %d distinct syscalls, %d at random times), %d of them inside the locked write; %d writes ran to the end; at %d of the %d checks the validation record vouched for the store, which then loaded whole without it",
		c.kills, c.injectedKills, len(c.sites), c.kills-c.injectedKills, c.inside, c.completed, c.records, c.kills+c.completed)
}

type crashRun struct {
	t           *testing.T
	bin, strace string
	dir         string
	step        int

	kills, injectedKills, inside, completed, records int
	sites                                            map[string]bool
}

// writeArgs is the next write: in turn a creation, a change of a sealed
// value, a modification and a deletion; every fifth one creates the first
// sealed value of a fresh directory, which creates its key.
func (c *crashRun) writeArgs() (dir string, args []string) {
	c.step++
	n := c.step
	if n%5 == 0 {
		dir = c.t.TempDir()
		return dir, []string{"create-passphrase-provider", "--provider-name", "v", "--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value:k"}
	}
	args = [][]string{
		{"create-passphrase-provider", "--provider-name", fmt.Sprintf("p%d", n), "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:E"},
		{"set-passphrase-provider-prop", "--provider-name", "vault", "--set", fmt.Sprintf("obscured-value:v%d", n)},
		{"set-passphrase-provider-prop", "--provider-name", "vault", "--set", fmt.Sprintf("description:step %d", n)},
		{"delete-passphrase-provider", "--provider-name", fmt.Sprintf("p%d", n-3)},
	}[n%5-1]
	return c.dir, append([]string{"--max-config-archives", "3", "--no-prompt"}, args...)
}

// injected runs one write, killed at the nth call of sc; it reports
// whether the kill happened.
func (c *crashRun) injected(sc string, n int) bool {
	dir, args := c.writeArgs()
	trace := filepath.Join(c.t.TempDir(), "trace")
	cmd := exec.Command(c.strace, append([]string{"-f", "-qq", "-o", trace, "-e", "trace=openat,write,fsync,renameat,linkat,ftruncate,unlinkat,flock",
		"-e", fmt.Sprintf("inject=%s:signal=KILL:when=%d", sc, n), c.bin}, args...)...)
	cmd.Env = append(os.Environ(), "DSCONFIG_CONFIG_DIR="+dir)
	err := cmd.Run()
	tr, _ := os.ReadFile(trace)
	killed := bytes.Contains(tr, []byte("+++ killed by SIGKILL"))
	if !killed {
		if err != nil && !refused(err) {
			c.t.Fatalf("write under strace failed: %v (%s)", err, args)
		}
		c.completed++
		c.check(dir)
		return false
	}
	c.kills++
	c.injectedKills++
	if bytes.Contains(tr, []byte(".lock\"")) {
		c.inside++
	}
	if c.sites == nil {
		c.sites = map[string]bool{}
	}
	c.sites[killedSite(tr)] = true
	c.check(dir)
	return true
}

// randomKill runs one write and kills it after a random delay.
func (c *crashRun) randomKill() {
	dir, args := c.writeArgs()
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "DSCONFIG_CONFIG_DIR="+dir)
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
	cmd.Process.Signal(syscall.SIGKILL)
	err := cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		c.kills++
		// A kill after the lock file was opened is inside the write.
		if _, err := os.Stat(filepath.Join(dir, "config.yaml.lock")); err == nil {
			c.inside++
		}
	} else if err != nil && !refused(err) {
		c.t.Fatalf("write failed: %v (%s)", err, args)
	} else {
		c.completed++
	}
	c.check(dir)
}

func (c *crashRun) run(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = append(os.Environ(), "DSCONFIG_CONFIG_DIR="+dir)
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		err = fmt.Errorf("dsconfig %s: %v: %s", strings.Join(args, " "), err, errOut.String())
	}
	return out, err
}

func (c *crashRun) must(dir string, args ...string) []byte {
	out, err := c.run(dir, args...)
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// check runs a read-only command after a kill and checks the directory.
func (c *crashRun) check(dir string) {
	t := c.t
	logBefore, _ := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	c.must(dir, "list-passphrase-providers")
	c.must(dir, "get-global-configuration-prop")
	logAfter, _ := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	// The read settles a pending intent by appending only: so the log it
	// found was a prefix of a log that replays to the store.
	if !bytes.HasPrefix(logAfter, logBefore) {
		t.Fatalf("step %d: the log held records the store lacks:\nfound:\n%s\nsettled:\n%s", c.step, logBefore, logAfter)
	}
	des, _ := os.ReadDir(dir)
	for _, de := range des {
		if n := de.Name(); strings.HasPrefix(n, ".config.yaml.tmp-") || strings.HasPrefix(n, ".encryption-key-") || strings.HasSuffix(n, ".pending") {
			t.Fatalf("step %d: %s left after a read", c.step, n)
		}
	}
	if as, _ := os.ReadDir(filepath.Join(dir, "archived-configs")); len(as) > 3 {
		t.Fatalf("step %d: %d archived versions, max 3", c.step, len(as))
	}
	c.checkRecord(dir)
	c.checkReplay(dir)
}

// checkRecord checks that a validation record that vouches for the store
// vouches for a valid one: the store, read without the record, decodes
// and validates whole.
func (c *crashRun) checkRecord(dir string) {
	store, _ := os.ReadFile(filepath.Join(dir, "config.yaml"))
	rec, err := os.ReadFile(filepath.Join(dir, config.CheckedFileName))
	if err != nil || !bytes.HasSuffix(rec, fmt.Appendf(nil, "store-sha256 %x\n", sha256.Sum256(store))) {
		return
	}
	c.records++
	bare := c.t.TempDir()
	if err := os.WriteFile(filepath.Join(bare, "config.yaml"), store, 0o600); err != nil {
		c.t.Fatal(err)
	}
	if _, err := c.run(bare, "list-passphrase-providers"); err != nil {
		c.t.Fatalf("step %d: the validation record vouches for a store that does not load whole: %v", c.step, err)
	}
}

// checkReplay replays the audit log on an empty directory with the same
// key and compares the result with the store.
func (c *crashRun) checkReplay(dir string) {
	store, _ := os.ReadFile(filepath.Join(dir, "config.yaml"))
	replay := c.t.TempDir()
	if key, err := os.ReadFile(filepath.Join(dir, "encryption-key")); err == nil {
		os.WriteFile(filepath.Join(replay, "encryption-key"), key, 0o600)
	}
	if _, err := os.Stat(filepath.Join(dir, "config-audit.log")); err == nil {
		c.must(replay, "--no-prompt", "--batch-file", filepath.Join(dir, "config-audit.log"))
	}
	got, _ := os.ReadFile(filepath.Join(replay, "config.yaml"))
	if !bytes.Equal(got, store) && !(len(store) == 0 && bytes.Equal(got, []byte("version: 1\n"))) {
		c.t.Fatalf("step %d: replaying the log gives\n%s\nthe store is\n%s", c.step, got, store)
	}
}

// refused reports whether a write exited 3: it refers to an object whose
// creation an earlier kill cut short.
func refused(err error) bool {
	ee, ok := err.(*exec.ExitError)
	return ok && ee.ExitCode() == 3
}

// digitsRE matches the random or time-stamped parts of file names.
var digitsRE = regexp.MustCompile(`[0-9]+`)

// killedSite names the call a kill landed on from strace's trace: the
// syscall and the file name it was given, if any.
func killedSite(trace []byte) string {
	lines := strings.Split(string(trace), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		l := lines[i]
		if _, rest, ok := strings.Cut(l, " "); ok && strings.Contains(rest, "(") && !strings.Contains(rest, "+++") && !strings.Contains(rest, "resumed>") {
			call, args, _ := strings.Cut(strings.TrimSpace(rest), "(")
			if q := strings.Index(args, "\""); q >= 0 && (call == "openat" || call == "renameat" || call == "linkat" || call == "unlinkat") {
				name := args[q+1:]
				name = name[:max(strings.Index(name, "\""), 0)]
				return call + " " + digitsRE.ReplaceAllString(filepath.Base(name), "N")
			}
			return call
		}
	}
	return "?"
}
