package history

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

// A store written to a directory is read back from it, restored over
// the initial state, and its difference written as a batch file.
func TestStoreFiles(t *testing.T) {
	r := registry.ForTest(t)
	st := r.InitialState()
	st.Put(&config.Object{Kind: config.KindPassphraseProvider, Name: "p", Type: passphrase.TypeEnvironmentVariable,
		Values: map[string][]string{"enabled": {"true"}, "environment-variable": {"SECRET"}}})
	data, err := r.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, config.StoreFileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	read, err := ReadStoreFile(r, dir)
	if err != nil || read.Get(config.KindPassphraseProvider, "p") == nil {
		t.Fatalf("ReadStoreFile: %v", err)
	}
	var b bytes.Buffer
	WriteBatch(&b, "# head", r, r.Plan(r.InitialState(), read))
	if out := b.String(); !strings.HasPrefix(out, "# head\n# Sensitive values") || !strings.Contains(out, "create-passphrase-provider --provider-name p") {
		t.Errorf("batch:\n%s", out)
	}
	b.Reset()
	WriteBatch(&b, "# head", r, nil)
	if !strings.HasSuffix(b.String(), "# No differences.\n") {
		t.Errorf("no changes:\n%s", b.String())
	}
	into := r.InitialState()
	if err := Restore(r, into, read); err != nil || into.Get(config.KindPassphraseProvider, "p") == nil {
		t.Errorf("Restore: %v", err)
	}
}

func TestStoreFileErrors(t *testing.T) {
	r := registry.ForTest(t)
	if _, err := ReadStoreFile(r, filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, config.ErrUsage) {
		t.Errorf("a missing store file: %v", err)
	}
	var se *config.StoreError
	if _, err := DecodeStore(r, "archived.yaml.gz", []byte("version: [\n")); !errors.As(err, &se) || se.Path != "archived.yaml.gz" || !se.NotLive {
		t.Errorf("a store that does not parse: %v", err)
	}
}
