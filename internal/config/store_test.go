package config_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func newStore(t testing.TB) *config.Store {
	return &config.Store{Dir: t.TempDir(), Registry: registry(t), Build: "test"}
}

func mustMods(t testing.TB, set ...string) []config.Mod {
	t.Helper()
	m, err := config.ParseMods(set, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func create(t testing.TB, s *config.Store, kind, typ, name string, set ...string) error {
	t.Helper()
	k := s.Registry.Kind(kind)
	_, err := s.Update(func(tx *config.Tx) error {
		_, err := tx.Create(k.Type(typ), name, mustMods(t, set...))
		return err
	})
	return err
}

func provision(t testing.TB, s *config.Store) {
	t.Helper()
	steps := []error{
		create(t, s, "passphrase-provider", "environment-variable", "SMTP Client Secret", "enabled:true", "environment-variable:SMTP_CLIENT_SECRET"),
		create(t, s, "http-authorization-method", "client-credentials-bearer-token", "SMTP Bearer Token", "enabled:true",
			"oauth-server-token-endpoint-url:https://idp.example.com/oauth2/token", "oauth-client-id:id",
			"oauth-client-secret-passphrase-provider:SMTP Client Secret", "requested-scope:https://outlook.office365.com/.default"),
		create(t, s, "external-server", "smtp", "Exchange Online", "server-host-name:smtp.office365.com", "server-port:587",
			"smtp-security:starttls", "user-name:alerts@example.com", "token-acquisition-method:SMTP Bearer Token"),
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func read(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestStoreRoundTripIsDeterministic(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	first := read(t, s.Path())
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Registry.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != first {
		t.Errorf("re-encoding changed the store:\n%s\nwant:\n%s", again, first)
	}
	for _, want := range []string{"version: 1\n", "passphrase-providers:\n  SMTP Client Secret:\n    type: environment-variable\n    enabled: \"true\"\n", "server-port: \"587\""} {
		if !strings.Contains(first, want) {
			t.Errorf("store lacks %q:\n%s", want, first)
		}
	}
	if strings.Contains(first, "response-timeout") {
		t.Error("store holds a default that was never set")
	}
}

func TestStoreFilesAreOwnerOnly(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	if err := create(t, s, "passphrase-provider", "obscured-value", "o", "enabled:true", "obscured-value:hunter2-secret"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{config.StoreFileName, config.KeyFileName, config.StoreFileName + ".lock"} {
		fi, err := os.Stat(filepath.Join(s.Dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", name, fi.Mode().Perm())
		}
	}
	if strings.Contains(read(t, s.Path()), "hunter2") {
		t.Error("the store holds the obscured value in clear text")
	}
}

func TestFailedUpdateLeavesStoreUnchanged(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	before := read(t, s.Path())
	errs := []error{
		create(t, s, "passphrase-provider", "environment-variable", "x", "enabled:true"), // mandatory missing
		create(t, s, "external-server", "smtp", "y", "server-host-name:h", "token-acquisition-method:nope"),
		func() error {
			_, err := s.Update(func(tx *config.Tx) error { return errors.New("boom") })
			return err
		}(),
	}
	for i, err := range errs {
		if err == nil {
			t.Errorf("change %d succeeded, want an error", i)
		}
	}
	if after := read(t, s.Path()); after != before {
		t.Errorf("store changed:\n%s", after)
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

func TestCorruptStoreIsReportedWithLineAndNeverOverwritten(t *testing.T) {
	cases := []struct{ file, want string }{
		{"version: 1\npassphrase-providers:\n  a:\n    type: environment-variable\n    enabled: \"true\"\n", ":3: Passphrase Provider \"a\": The \"environment-variable\" property must be specified"},
		{"version: 1\npassphrase-providers:\n  a: [\n", ":3: not valid YAML"},
		{"version: 2\n", ":1: unsupported store format version \"2\""},
		{"passphrase-providers: {}\n", ":1: the file has no format version"},
		{"version: 1\nwidgets: {}\n", ":2: unknown section \"widgets\""},
		{"version: 1\npassphrase-providers:\n  a:\n    type: nope\n", ":3: Passphrase Provider \"a\": The sub-type \"nope\""},
		{"version: 1\npassphrase-providers:\n  a:\n    type: environment-variable\n    enabled: maybe\n    environment-variable: X\n", "The value \"maybe\" is not a valid value for the \"enabled\" property"},
		{"version: 1\npassphrase-providers:\n  a:\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: X\n    colour: red\n", "The property \"colour\" is not a recognized property"},
		{"version: 1\npassphrase-providers:\n  a:\n    enabled: \"true\"\n", ":3: Passphrase Provider \"a\" has no type"},
		{"version: 1\nversion: 1\n", ":2: \"version\" appears twice"},
		{"version: 1\nexternal-servers:\n  s:\n    type: smtp\n    server-host-name: h\n    password: clear-text\n    user-name: u\n", "not in encrypted form"},
		{"- a\n- b\n", ":1: the file must be a mapping"},
	}
	for _, c := range cases {
		s := newStore(t)
		if err := os.WriteFile(s.Path(), []byte(c.file), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := s.Load()
		if err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, config.ErrStore) {
			t.Errorf("Load of %q: %v, want an ErrStore containing %q", c.file, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "line ") {
			t.Errorf("Load of %q: %v; the line is given once, as file:N", c.file, err)
		}
		if err := create(t, s, "passphrase-provider", "environment-variable", "new", "enabled:true", "environment-variable:X"); err == nil {
			t.Errorf("update of broken store %q succeeded", c.file)
		}
		if got := read(t, s.Path()); got != c.file {
			t.Errorf("broken store was rewritten:\n%s", got)
		}
	}
}

// TestStoreIOErrorIsNotErrStore checks that a store that cannot be read
// is not reported as a broken configuration: the command layer maps
// ErrStore to exit 3 and other failures to exit 1.
func TestStoreIOErrorIsNotErrStore(t *testing.T) {
	s := newStore(t)
	if err := os.Mkdir(s.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load()
	var se *config.StoreError
	if !errors.As(err, &se) || !se.IO || errors.Is(err, config.ErrStore) {
		t.Errorf("Load of a directory: %v; want a *StoreError with IO set that is not ErrStore", err)
	}
	if err := create(t, s, "passphrase-provider", "environment-variable", "new", "enabled:true", "environment-variable:X"); err == nil || errors.Is(err, config.ErrStore) {
		t.Errorf("Update of a directory store: %v; want an error that is not ErrStore", err)
	}
}

// TestConcurrentUpdatesLoseNothing runs 20 processes that each create an
// object at the same moment; all 20 must be in the store afterwards.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCreate$")
			cmd.Env = append(os.Environ(), "STORE_HELPER_DIR="+dir, fmt.Sprintf("STORE_HELPER_NAME=p%02d", i))
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("process %d: %v\n%s", i, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := (&config.Store{Dir: dir, Registry: registry(t)}).Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(st.List("passphrase-provider")); got != 20 {
		t.Errorf("store holds %d providers, want 20", got)
	}
}

// TestHelperCreate is run as a child process by the concurrency and crash
// tests.
func TestHelperCreate(t *testing.T) {
	dir := os.Getenv("STORE_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	s := &config.Store{Dir: dir, Registry: registry(t)}
	if os.Getenv("STORE_HELPER_CRASH") != "" {
		config.SetBeforeRename(s, func() { os.Exit(3) })
	}
	if err := create(t, s, "passphrase-provider", "environment-variable", os.Getenv("STORE_HELPER_NAME"), "enabled:true", "environment-variable:X"); err != nil {
		t.Fatal(err)
	}
}

// TestLogAfterRename checks that a commit's Log text reaches LogPath only
// once the store is in place, and not at all when the write fails.
func TestLogAfterRename(t *testing.T) {
	s := newStore(t)
	s.LogPath = filepath.Join(s.Dir, "audit.log")
	s.BeforeCommit = append(s.BeforeCommit, func(c *config.Commit) error { c.Log = "record " + c.Tx.Action + "\n"; return nil })
	var atRename string
	config.SetBeforeRename(s, func() { atRename = readOr(s.LogPath) + "|" + readOr(s.LogPath+".pending") })
	if err := create(t, s, "passphrase-provider", "environment-variable", "ok", "enabled:true", "environment-variable:X"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(atRename, "|") || !strings.Contains(atRename, "record") {
		t.Errorf("before the rename: log|intent = %q, want an empty log and the record in the intent", atRename)
	}
	logged := read(t, s.LogPath)
	if !strings.HasPrefix(logged, "record ") {
		t.Errorf("log after the write: %q", logged)
	}
	// A non-empty directory where the store was makes the rename fail.
	config.SetBeforeRename(s, func() {
		os.Remove(s.Path())
		os.MkdirAll(filepath.Join(s.Path(), "x"), 0o700)
	})
	if err := create(t, s, "passphrase-provider", "environment-variable", "lost", "enabled:true", "environment-variable:X"); err == nil {
		t.Fatal("the write succeeded")
	}
	if got := read(t, s.LogPath); got != logged {
		t.Errorf("log after a failed write: %q, want %q", got, logged)
	}
	if _, err := os.Stat(s.LogPath + ".pending"); err == nil {
		t.Error("failed write left its intent")
	}
}

// TestInterruptedWriteKeepsPreviousStore kills a process after it wrote
// the temporary file and before the rename: the store must be the old one,
// whole, and the next update must work.
func TestInterruptedWriteKeepsPreviousStore(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	before := read(t, s.Path())
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCreate$")
	cmd.Env = append(os.Environ(), "STORE_HELPER_DIR="+s.Dir, "STORE_HELPER_NAME=crash", "STORE_HELPER_CRASH=1")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("helper: %v, want exit status 3 from the crash hook", err)
	}
	if got := read(t, s.Path()); got != before {
		t.Fatalf("store changed by an interrupted write:\n%s", got)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if err := create(t, s, "passphrase-provider", "environment-variable", "after", "enabled:true", "environment-variable:X"); err != nil {
		t.Fatalf("update after a crash: %v", err)
	}
}

func TestLockTimeout(t *testing.T) {
	s := newStore(t)
	release := make(chan struct{})
	held := make(chan struct{})
	done := make(chan struct{})
	go func() {
		s.Update(func(*config.Tx) error { close(held); <-release; return nil })
		close(done)
	}()
	<-held
	impatient := &config.Store{Dir: s.Dir, Registry: s.Registry, LockTimeout: 50 * time.Millisecond}
	_, err := impatient.Update(func(*config.Tx) error { return nil })
	close(release)
	<-done
	var le *config.LockError
	if !errors.As(err, &le) {
		t.Errorf("Update while locked: %v, want a *LockError", err)
	}
}

// TestEncodeEmptySingleValueDoesNotPanic checks that Encode writes a
// single-valued property left with no value (which Validate refuses) as
// the empty list it is, rather than crash; loading that file reports it.
func TestEncodeEmptySingleValueDoesNotPanic(t *testing.T) {
	s := newStore(t)
	st := config.NewState()
	st.Put(&config.Object{Kind: "external-server", Name: "relay", Type: "smtp",
		Values: map[string][]string{"server-host-name": {"relay.example.com"}, "server-port": {}}})
	out, err := s.Registry.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(), out, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err == nil || !strings.Contains(err.Error(), `"server-port" property takes a single value, but has an empty list`) {
		t.Errorf("Load of %s: %v, want the empty list refused", out, err)
	}
}

// TestStoreURLCredentialsAreMasked checks that a hand-edited URL with a
// password is refused on load without repeating the password.
func TestStoreURLCredentialsAreMasked(t *testing.T) {
	s := newStore(t)
	file := "version: 1\npassphrase-providers:\n  p:\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: X\n" +
		"http-authorization-methods:\n  m:\n    type: client-credentials-bearer-token\n    enabled: \"true\"\n" +
		"    oauth-server-token-endpoint-url: https://admin:Hand3dit@idp.example.com/token\n    oauth-client-id: id\n    oauth-client-secret-passphrase-provider: p\n"
	if err := os.WriteFile(s.Path(), []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load()
	if err == nil || strings.Contains(err.Error(), "Hand3dit") || !strings.Contains(err.Error(), "https://admin:*****@idp.example.com/token") {
		t.Errorf("Load: %v; want the URL refused with its password masked", err)
	}
}

// TestLostKeyIsReplacedOnlyWhenEveryValueIsGivenAgain checks the way out
// of a lost encryption-key: a change that seals new values gets a new key
// only if no value sealed under the lost key remains; otherwise it is
// refused with the procedure, and the store and key directory are
// unchanged.
func TestLostKeyIsReplacedOnlyWhenEveryValueIsGivenAgain(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"a", "b"} {
		if err := create(t, s, "passphrase-provider", "obscured-value", name, "enabled:true", "obscured-value:old-"+name); err != nil {
			t.Fatal(err)
		}
	}
	keyPath := filepath.Join(s.Dir, config.KeyFileName)
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	before := read(t, s.Path())
	setValue := func(tx *config.Tx, name, value string) error {
		_, err := tx.Modify(s.Registry.Kind("passphrase-provider"), name, mustMods(t, "obscured-value:"+value))
		return err
	}

	_, err := s.Update(func(tx *config.Tx) error { return setValue(tx, "a", "new-a") })
	var kl *config.KeyLostError
	if !errors.As(err, &kl) || !errors.Is(err, config.ErrRejected) || !strings.Contains(err.Error(), `Passphrase Provider "b" obscured-value`) ||
		config.HintOf(err) != config.LostKeyProcedure {
		t.Fatalf("one of two values given again: %v (hint %q); want a KeyLostError naming b with the procedure", err, config.HintOf(err))
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, os.ErrNotExist) || read(t, s.Path()) != before {
		t.Fatalf("a refused change wrote a key file (%v) or the store", err)
	}

	if _, err := s.Update(func(tx *config.Tx) error {
		return errors.Join(setValue(tx, "a", "new-a"), setValue(tx, "b", "new-b"))
	}); err != nil {
		t.Fatalf("every value given again: %v", err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"a", "b"} {
		got, err := s.KeyFile().Open("obscured-value", st.Get("passphrase-provider", name).Values["obscured-value"][0])
		if err != nil || got != "new-"+name {
			t.Errorf("%s under the new key: %q, %v", name, got, err)
		}
	}
}

// TestReplaceBrokenOnlyReplacesABrokenStore checks that ReplaceBroken
// leaves a store that loads alone, and does not treat an unreadable store
// as broken.
func TestReplaceBrokenOnlyReplacesABrokenStore(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	before := read(t, s.Path())
	if _, err := s.ReplaceBroken(time.Now(), config.BrokenReplacement{Data: []byte("version: 1\n")}); !errors.Is(err, config.ErrNotBroken) {
		t.Errorf("ReplaceBroken of a good store: %v, want ErrNotBroken", err)
	}
	if read(t, s.Path()) != before {
		t.Error("a good store was replaced")
	}
	io := newStore(t)
	if err := os.Mkdir(io.Path(), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReplaceBroken(time.Now(), config.BrokenReplacement{Data: []byte("version: 1\n")}); err == nil || errors.Is(err, config.ErrStore) {
		t.Errorf("ReplaceBroken of an unreadable store: %v, want an I/O error", err)
	}
}

// TestLoosenedFilesAreTightened checks that reading the store or the key
// file puts a mode loosened by hand back to 0600.
func TestLoosenedFilesAreTightened(t *testing.T) {
	s := newStore(t)
	if err := create(t, s, "passphrase-provider", "obscured-value", "o", "enabled:true", "obscured-value:v"); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(s.Dir, config.KeyFileName)
	for _, p := range []string{s.Path(), key} {
		if err := os.Chmod(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.KeyFile().Open("obscured-value", st.Get("passphrase-provider", "o").Values["obscured-value"][0]); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{s.Path(), key} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v (%v) after reading it, want 0600", p, fi.Mode().Perm(), err)
		}
	}
}

// TestOthersFilesAreLeftAlone checks that a file of another user is not
// chmodded (it needs root to set up).
func TestOthersFilesAreLeftAlone(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give the store to another user")
	}
	s := newStore(t)
	provision(t, s)
	if err := errors.Join(os.Chmod(s.Path(), 0o644), os.Chown(s.Path(), 12345, 12345)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(s.Path()); fi.Mode().Perm() != 0o644 {
		t.Errorf("another user's store: mode %v, want it left at 0644", fi.Mode().Perm())
	}
}
