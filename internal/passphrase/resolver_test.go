package passphrase_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
)

// env is a configuration directory with a store holding only passphrase
// providers, and a resolver over it.
type env struct {
	t     *testing.T
	dir   string
	reg   *config.Registry
	store *config.Store
	vars  map[string]string
	now   time.Time
	warns []string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	var kinds []*config.Kind
	for _, k := range config.Kinds() {
		if k.Name == config.KindPassphraseProvider {
			kinds = append(kinds, k)
		}
	}
	reg, err := config.NewRegistry(kinds, passphrase.Types())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	return &env{t: t, dir: dir, reg: reg, store: &config.Store{Dir: dir, Registry: reg},
		vars: map[string]string{}, now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// create adds a provider; props are PROP:VALUE as on the command line.
func (e *env) create(name, typ string, props ...string) {
	e.t.Helper()
	if !strings.Contains(strings.Join(props, "\n"), "enabled:") {
		props = append(props, "enabled:true")
	}
	mods, err := config.ParseMods(props, nil, nil, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	t := e.reg.Kind(config.KindPassphraseProvider).Type(typ)
	if _, err := e.store.Update(func(tx *config.Tx) error { _, err := tx.Create(t, name, mods); return err }); err != nil {
		e.t.Fatalf("create %s: %v", name, err)
	}
}

func (e *env) resolver() *passphrase.Resolver {
	e.t.Helper()
	st, err := e.store.Load()
	if err != nil {
		e.t.Fatal(err)
	}
	return &passphrase.Resolver{Config: &config.Snapshot{Registry: e.reg, State: st, Dir: e.dir},
		Getenv: func(k string) string { return e.vars[k] },
		Now:    func() time.Time { return e.now },
		Warn:   func(m string) { e.warns = append(e.warns, m) }}
}

func (e *env) write(name, content string, mode os.FileMode) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // WriteFile's mode is filtered by the umask
		e.t.Fatal(err)
	}
	return p
}

// wantSecret resolves name and checks the value.
func wantSecret(t *testing.T, r *passphrase.Resolver, name, want string) {
	t.Helper()
	got, err := r.Secret(context.Background(), name)
	if err != nil {
		t.Fatalf("Secret(%q): %v", name, err)
	}
	if got != want {
		t.Fatalf("Secret(%q) = %q, want %q", name, got, want)
	}
}

// wantFailure resolves name, expects an error of the given reason, and
// checks that the message contains each of parts.
func wantFailure(t *testing.T, r *passphrase.Resolver, name string, reason error, parts ...string) error {
	t.Helper()
	s, err := r.Secret(context.Background(), name)
	if err == nil {
		t.Fatalf("Secret(%q) = %q, want an error", name, s)
	}
	if !errors.Is(err, reason) {
		t.Errorf("Secret(%q) error %q is not %v", name, err, reason)
	}
	if !errors.Is(err, config.ErrRejected) {
		t.Errorf("Secret(%q) error %q does not count as a rejected configuration", name, err)
	}
	var pe *passphrase.Error
	if !errors.As(err, &pe) || pe.Provider != name {
		t.Errorf("Secret(%q) error %T does not name the provider", name, err)
	}
	if h, ok := err.(config.Hinted); !ok || h.ErrorHint() == "" {
		t.Errorf("Secret(%q) error has no hint", name)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("Secret(%q) error %q does not mention %q", name, err, p)
		}
	}
	return err
}

func TestEnvironmentVariable(t *testing.T) {
	e := newEnv(t)
	e.create("env", passphrase.TypeEnvironmentVariable, "environment-variable:SMTP_SECRET")
	e.vars["SMTP_SECRET"] = "s3cret-from-env"
	wantSecret(t, e.resolver(), "env", "s3cret-from-env")
	delete(e.vars, "SMTP_SECRET")
	wantFailure(t, e.resolver(), "env", passphrase.ErrVariableUnset, "SMTP_SECRET", "not set")
}

func TestDisabledAndMissingProvider(t *testing.T) {
	e := newEnv(t)
	e.create("off", passphrase.TypeEnvironmentVariable, "environment-variable:X", "enabled:false")
	e.vars["X"] = "value"
	wantFailure(t, e.resolver(), "off", passphrase.ErrDisabled, "disabled")
	_, err := e.resolver().Secret(context.Background(), "nope")
	var nf *config.NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("missing provider: got %v, want a NotFoundError", err)
	}
}

func TestFileBased(t *testing.T) {
	e := newEnv(t)
	e.write("secret.txt", "file-secret\r\n", 0o600)
	abs := e.write("abs.txt", "abs-secret\n\n", 0o600)
	e.create("rel", passphrase.TypeFileBased, "password-file:secret.txt")
	e.create("abs", passphrase.TypeFileBased, "password-file:"+abs)
	r := e.resolver()
	wantSecret(t, r, "rel", "file-secret") // relative to the config dir, CRLF trimmed
	wantSecret(t, r, "abs", "abs-secret")
	if len(e.warns) != 0 {
		t.Errorf("warnings for 0600 files: %q", e.warns)
	}
}

func TestFileBasedFailures(t *testing.T) {
	e := newEnv(t)
	e.write("empty.txt", "\n", 0o600)
	if err := os.Mkdir(filepath.Join(e.dir, "adir"), 0o700); err != nil {
		t.Fatal(err)
	}
	e.create("missing", passphrase.TypeFileBased, "password-file:nothing-here.txt")
	e.create("empty", passphrase.TypeFileBased, "password-file:empty.txt")
	e.create("dir", passphrase.TypeFileBased, "password-file:adir")
	r := e.resolver()
	wantFailure(t, r, "missing", passphrase.ErrFileMissing, filepath.Join(e.dir, "nothing-here.txt"), "does not exist")
	wantFailure(t, r, "empty", passphrase.ErrEmpty, "empty")
	wantFailure(t, r, "dir", passphrase.ErrFileUnreadable, "directory")
}

func TestFileBasedUnreadable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file")
	}
	e := newEnv(t)
	e.write("locked.txt", "x\n", 0o000)
	e.create("locked", passphrase.TypeFileBased, "password-file:locked.txt")
	wantFailure(t, e.resolver(), "locked", passphrase.ErrFileUnreadable, "permission denied")
}

// Unreadable files that stay unreadable for root (CI runs as root, where
// TestFileBasedUnreadable skips): a directory, and a path below a
// regular file (ENOTDIR). The error names the file and the reason.
func TestFileBasedUnreadableEvenForRoot(t *testing.T) {
	e := newEnv(t)
	dir := filepath.Join(e.dir, "secrets.d")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	plain := e.write("plain.txt", "x\n", 0o600)
	e.create("dir", passphrase.TypeFileBased, "password-file:secrets.d")
	e.create("notdir", passphrase.TypeFileBased, "password-file:plain.txt/secret")
	r := e.resolver()
	wantFailure(t, r, "dir", passphrase.ErrFileUnreadable, "the password file "+dir+" is a directory")
	wantFailure(t, r, "notdir", passphrase.ErrFileUnreadable, "the password file "+plain+"/secret cannot be read: not a directory")
}

func TestFileBasedWarnsWhenOthersCanRead(t *testing.T) {
	e := newEnv(t)
	p := e.write("open.txt", "open-secret\n", 0o644)
	e.create("open", passphrase.TypeFileBased, "password-file:open.txt")
	r := e.resolver()
	wantSecret(t, r, "open", "open-secret")
	wantSecret(t, r, "open", "open-secret")
	if len(e.warns) != 1 || !strings.Contains(e.warns[0], p) || !strings.Contains(e.warns[0], "0644") {
		t.Fatalf("warnings = %q, want one naming %s and its mode", e.warns, p)
	}
	if strings.Contains(e.warns[0], "open-secret") {
		t.Fatal("the warning contains the secret")
	}
}

func TestFileBasedCache(t *testing.T) {
	e := newEnv(t)
	e.write("a.txt", "first\n", 0o600)
	e.write("b.txt", "first\n", 0o600)
	e.create("cached", passphrase.TypeFileBased, "password-file:a.txt", "max-cache-duration:1 m")
	e.create("uncached", passphrase.TypeFileBased, "password-file:b.txt")
	r := e.resolver()
	wantSecret(t, r, "cached", "first")
	wantSecret(t, r, "uncached", "first")
	e.write("a.txt", "second\n", 0o600)
	e.write("b.txt", "second\n", 0o600)
	wantSecret(t, r, "cached", "first") // within max-cache-duration
	wantSecret(t, r, "uncached", "second")
	e.now = e.now.Add(time.Minute)
	wantSecret(t, r, "cached", "second") // expired: read again
}

func TestObscuredValue(t *testing.T) {
	e := newEnv(t)
	e.create("obscured", passphrase.TypeObscuredValue, "obscured-value:obscured-s3cret")
	wantSecret(t, e.resolver(), "obscured", "obscured-s3cret")
	fi, err := os.Stat(filepath.Join(e.dir, config.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(e.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "obscured-s3cret") {
		t.Fatal("the store holds the obscured value in clear text")
	}
}

func TestObscuredValueTampered(t *testing.T) {
	e := newEnv(t)
	e.create("obscured", passphrase.TypeObscuredValue, "obscured-value:obscured-s3cret")
	data, err := os.ReadFile(e.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	// Flip one base64 character of the ciphertext, keeping the form valid.
	s := string(data)
	i := strings.Index(s, "AES256GCM:") + len("AES256GCM:12345678:") + 20
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	s = s[:i] + string(c) + s[i+1:]
	if err := os.WriteFile(e.store.Path(), []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := e.resolver().Secret(context.Background(), "obscured")
	if err == nil || !strings.Contains(err.Error(), "integrity") {
		t.Fatalf("tampered value: got %q, %v; want an integrity error", s2, err)
	}
}

func TestObscuredValueKeyMissing(t *testing.T) {
	e := newEnv(t)
	e.create("obscured", passphrase.TypeObscuredValue, "obscured-value:obscured-s3cret")
	r := e.resolver()
	if err := os.Remove(filepath.Join(e.dir, config.KeyFileName)); err != nil {
		t.Fatal(err)
	}
	err := wantFailure(t, r, "obscured", passphrase.ErrKeyMissing, "encryption key file is missing", config.KeyFileName)
	if strings.Contains(err.Error(), "obscured-s3cret") {
		t.Fatal("the error contains the secret")
	}
}

func TestObscuredValueOtherKey(t *testing.T) {
	e := newEnv(t)
	e.create("obscured", passphrase.TypeObscuredValue, "obscured-value:obscured-s3cret")
	r := e.resolver()
	// Another store's key: the store was moved without its own key.
	other := &config.KeyFile{Path: filepath.Join(t.TempDir(), config.KeyFileName), Create: true}
	if _, err := other.Seal("x", "y"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(other.Path)
	if err != nil {
		t.Fatal(err)
	}
	e.write(config.KeyFileName, string(data), 0o600)
	s, err := r.Secret(context.Background(), "obscured")
	if err == nil || !strings.Contains(err.Error(), "moved without its key file") {
		t.Fatalf("got %q, %v; want an error about the moved store", s, err)
	}
}
