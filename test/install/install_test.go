// Package install tests `make install` and `make dist` from the outside:
// it installs into a temporary DESTDIR and runs what was installed — the
// binary, its man pages, and its completion scripts in bash (through a
// pseudo-terminal, with the bash-completion package), zsh and fish — and
// builds one release archive and checks it.
//
// It needs the Debian packages bash-completion, zsh, fish and man-db, so
// it runs only with DSCONFIG_INSTALL_TEST=1: `make install-test`.
package install

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

const prefix = "/usr/local"

// installed is the result of one `make install` shared by the tests.
var installed struct {
	once sync.Once
	dest string // the DESTDIR
	err  error
	out  []byte
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// install runs `make install DESTDIR=... PREFIX=/usr/local` once and
// returns DESTDIR.
func install(t *testing.T) string {
	t.Helper()
	if os.Getenv("DSCONFIG_INSTALL_TEST") == "" {
		t.Skip("set DSCONFIG_INSTALL_TEST=1 (make install-test); needs bash-completion, zsh, fish and man-db")
	}
	installed.once.Do(func() {
		dest, err := os.MkdirTemp("", "dsconfig-install-test-")
		if err != nil {
			installed.err = err
			return
		}
		installed.dest = dest
		cmd := exec.Command("make", "-C", repoRoot(t), "install", "DESTDIR="+dest, "PREFIX="+prefix)
		installed.out, installed.err = cmd.CombinedOutput()
	})
	if installed.err != nil {
		t.Fatalf("make install: %v\n%s", installed.err, installed.out)
	}
	return installed.dest
}

func TestMain(m *testing.M) {
	code := m.Run()
	if installed.dest != "" {
		os.RemoveAll(installed.dest)
	}
	os.Exit(code)
}

func need(t *testing.T, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s is missing: apt-get install -y bash-completion zsh fish man-db", p)
		}
	}
}

func git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", repoRoot(t)}, args...)...).Output()
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// env is the environment of the installed tool: its bin directory first
// in PATH, its share directory first in XDG_DATA_DIRS (where
// bash-completion and fish look for completion scripts), and an empty
// configuration directory.
func env(t *testing.T, dest string) []string {
	home := t.TempDir()
	var e []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DSCONFIG_") && !strings.HasPrefix(kv, "XDG_") && !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "PATH=") {
			e = append(e, kv)
		}
	}
	return append(e, "HOME="+home, "DSCONFIG_CONFIG_DIR="+filepath.Join(home, "dsconfig"),
		"PATH="+dest+prefix+"/bin:"+os.Getenv("PATH"),
		"XDG_DATA_DIRS="+dest+prefix+"/share:/usr/local/share:/usr/share")
}

func run(t *testing.T, environ []string, name string, args ...string) string {
	t.Helper()
	path := name
	if name == "dsconfig" {
		path = installed.dest + prefix + "/bin/dsconfig" // the installed one, not the PATH of go test
	}
	cmd := exec.Command(path, args...)
	cmd.Env = environ
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// checkVersion checks --version's text against the checkout it was built
// from.
func checkVersion(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if want := "dsconfig " + git(t, "describe", "--tags", "--always", "--dirty"); lines[0] != want {
		t.Errorf("first line %q, want %q (git describe)", lines[0], want)
	}
	for _, re := range []string{
		`(?m)^commit: +` + git(t, "rev-parse", "HEAD") + `$`,
		`(?m)^built: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`,
		`(?m)^go: +go1\.\d+`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("--version does not match %s:\n%s", re, out)
		}
	}
}

func TestInstalledFiles(t *testing.T) {
	dest := install(t)
	root := dest + prefix
	for _, f := range []string{"bin/dsconfig", "share/bash-completion/completions/dsconfig",
		"share/zsh/site-functions/_dsconfig", "share/fish/vendor_completions.d/dsconfig.fish"} {
		fi, err := os.Stat(filepath.Join(root, f))
		if err != nil {
			t.Error(err)
			continue
		}
		if want := os.FileMode(0o644); f == "bin/dsconfig" && fi.Mode().Perm() != 0o755 || f != "bin/dsconfig" && fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v", f, fi.Mode())
		}
	}
	pages, _ := filepath.Glob(filepath.Join(repoRoot(t), "docs/man/*.1"))
	if len(pages) < 30 {
		t.Fatalf("only %d man pages in docs/man", len(pages))
	}
	for _, p := range pages {
		if _, err := os.Stat(filepath.Join(root, "share/man/man1", filepath.Base(p))); err != nil {
			t.Error(err)
		}
	}
}

func TestInstalledVersion(t *testing.T) {
	dest := install(t)
	e := env(t, dest)
	out := run(t, e, "dsconfig", "--version")
	checkVersion(t, out)
	if v := run(t, e, "dsconfig", "version"); v != out {
		t.Errorf("dsconfig version says\n%s\nbut --version\n%s", v, out)
	}
}

func TestInstalledManPages(t *testing.T) {
	need(t, "man")
	dest := install(t)
	e := append(env(t, dest), "MANPAGER=cat", "MANWIDTH=200", "LANG=C.UTF-8")
	man := dest + prefix + "/share/man"
	out := run(t, e, "man", "-l", man+"/man1/dsconfig.1")
	for _, want := range []string{"DSCONFIG(1)", "SYNOPSIS", "dsconfig [flags]", "Configure bearer-token SMTP authentication"} {
		if !strings.Contains(out, want) {
			t.Errorf("man -l dsconfig.1 lacks %q:\n%s", want, out)
		}
	}
	// By name, through MANPATH: the pages are where man looks.
	out = run(t, append(e, "MANPATH="+man), "man", "dsconfig-version")
	if !strings.Contains(out, "build date") {
		t.Errorf("man dsconfig-version:\n%s", out)
	}
}

func TestFishCompletion(t *testing.T) {
	need(t, "fish")
	dest := install(t)
	e := env(t, dest)
	// fish finds the script through XDG_DATA_DIRS: nothing is sourced. (HOME
	// is empty: no user configuration; --no-config would empty
	// fish_complete_path too.)
	out := run(t, e, "fish", "-c", "complete -C 'dsconfig list-pa'")
	if !strings.HasPrefix(out, "list-passphrase-providers\t") || strings.Count(out, "\n") != 1 {
		t.Errorf("fish completes 'dsconfig list-pa' as:\n%s", out)
	}
	// Values come from the store, through the installed binary's __complete.
	run(t, e, "dsconfig", "create-passphrase-provider", "--provider-name", "Fish Secret",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X")
	out = run(t, e, "fish", "-c", "complete -C 'dsconfig get-passphrase-provider-prop --provider-name '")
	if strings.TrimSpace(out) != "Fish Secret" {
		t.Errorf("fish completes --provider-name as:\n%s", out)
	}
}

// A shell on a pseudo-terminal, driven by typing into it.
type term struct {
	t   *testing.T
	cmd *exec.Cmd
	tty *os.File
	mu  sync.Mutex
	out bytes.Buffer
}

func startTerm(t *testing.T, environ []string, name string, args ...string) *term {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = environ
	cmd.Dir = t.TempDir()
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		t.Fatalf("no pseudo-terminal: %v", err)
	}
	s := &term{t: t, cmd: cmd, tty: tty}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := tty.Read(buf)
			s.mu.Lock()
			s.out.Write(buf[:n])
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait(); tty.Close() })
	return s
}

// ansi matches the terminal control sequences a shell's line editor
// writes.
var ansi = regexp.MustCompile(`\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Z0-9]|[=>])|\r|\x07`)

func (s *term) screen() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ansi.ReplaceAllString(s.out.String(), "")
}

func (s *term) mark() int {
	return len(s.screen())
}

// waitFor waits until the output since mark shows text. The deadline
// only guards against a hung test.
func (s *term) waitFor(mark int, text string) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.screen()[mark:], text) {
		if time.Now().After(deadline) {
			s.t.Fatalf("the terminal never showed %q; it shows:\n%s", text, s.screen()[mark:])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *term) typeText(text string) {
	s.t.Helper()
	if _, err := s.tty.Write([]byte(text)); err != nil {
		s.t.Fatal(err)
	}
}

// ready runs a setup line and waits until the shell has run it: the
// marker is printed by the command, not echoed as typed.
func (s *term) ready(setup string) {
	s.t.Helper()
	m := s.mark()
	s.typeText(setup + "; echo RE''ADY\r")
	s.waitFor(m, "READY\n")
}

// complete types line and a Tab, and waits for want.
func (s *term) complete(line, want string) {
	s.t.Helper()
	m := s.mark()
	s.typeText(line + "\t")
	s.waitFor(m, want)
	s.typeText("\x15") // Ctrl-U: clear the line for the next case
}

func TestBashCompletion(t *testing.T) {
	need(t, "bash", "/usr/share/bash-completion/bash_completion")
	dest := install(t)
	e := append(env(t, dest), "TERM=dumb", "PS1=$ ", "INPUTRC=/dev/null")
	run(t, e, "dsconfig", "create-passphrase-provider", "--provider-name", "Bash Secret",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X")
	sh := startTerm(t, e, "bash", "--norc", "--noprofile", "-i")
	// bash-completion finds the installed script through XDG_DATA_DIRS
	// when dsconfig is first completed: the test sources only the
	// package's loader, as /etc/bash.bashrc does.
	sh.ready("source /usr/share/bash-completion/bash_completion")
	sh.complete("dsconfig list-pa", "dsconfig list-passphrase-providers ")
	sh.complete("dsconfig get-passphrase-provider-prop --provider-name B", `--provider-name Bash\ Secret`)
	sh.complete("dsconfig list-passphrase-providers --out", "--output ")
	if out := sh.screen(); strings.Contains(out, "command not found") || strings.Contains(out, "dsconfig: error") {
		t.Errorf("bash printed an error while completing:\n%s", out)
	}
}

func TestZshCompletion(t *testing.T) {
	need(t, "zsh")
	dest := install(t)
	e := append(env(t, dest), "TERM=xterm")
	run(t, e, "dsconfig", "create-passphrase-provider", "--provider-name", "Zsh Secret",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X")
	sh := startTerm(t, e, "zsh", "-f", "-i")
	// The installed site-functions directory in fpath, as Debian's zsh
	// has /usr/local/share/zsh/site-functions; compinit finds _dsconfig.
	sh.ready("PS1='%% '; fpath=(" + dest + prefix + "/share/zsh/site-functions $fpath); autoload -U compinit; compinit -u")
	sh.complete("dsconfig list-pa", "dsconfig list-passphrase-providers")
	sh.complete("dsconfig get-passphrase-provider-prop --provider-name Z", `Zsh\ Secret`)
	if out := sh.screen(); strings.Contains(out, "command not found") || strings.Contains(out, "dsconfig: error") {
		t.Errorf("zsh printed an error while completing:\n%s", out)
	}
}

// make dist for one target (each cross-build takes about 25 s cold): the
// archive holds what a release needs, and SHA256SUMS checks.
func TestDist(t *testing.T) {
	install(t) // builds bin/dsconfig, which dist needs
	dist := t.TempDir()
	out, err := exec.Command("make", "-C", repoRoot(t), "dist", "DIST_TARGETS=linux/amd64", "DISTDIR="+dist).CombinedOutput()
	if err != nil {
		t.Fatalf("make dist: %v\n%s", err, out)
	}
	name := "dsconfig-" + git(t, "describe", "--tags", "--always", "--dirty") + "-linux-amd64"
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(sums), "  "+name+".tar.gz\n") || strings.Count(string(sums), "\n") != 1 {
		t.Errorf("SHA256SUMS:\n%s", sums)
	}
	cmd := exec.Command("sha256sum", "-c", "SHA256SUMS")
	cmd.Dir = dist
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sha256sum -c: %v\n%s", err, out)
	}
	x := t.TempDir()
	run(t, os.Environ(), "tar", "-C", x, "-xzf", filepath.Join(dist, name+".tar.gz"))
	for _, f := range []string{"dsconfig", "LICENSE", "README.md", "CHANGELOG.md", "docs/man/dsconfig.1",
		"docs/man/dsconfig-version.1", "completions/dsconfig.bash", "completions/_dsconfig", "completions/dsconfig.fish"} {
		if _, err := os.Stat(filepath.Join(x, name, f)); err != nil {
			t.Error(err)
		}
	}
	if runtime.GOOS+"/"+runtime.GOARCH == "linux/amd64" {
		checkVersion(t, run(t, os.Environ(), filepath.Join(x, name, "dsconfig"), "--version"))
	}
	// CGO_ENABLED=0: a static binary, with no program interpreter.
	bin, err := elf.Open(filepath.Join(x, name, "dsconfig"))
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the linux binary is dynamically linked; dist builds with CGO_ENABLED=0")
		}
	}
}
