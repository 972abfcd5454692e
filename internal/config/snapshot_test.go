package config_test

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func TestSnapshotLookup(t *testing.T) {
	st := config.NewState()
	st.Put(&config.Object{Kind: config.KindPassphraseProvider, Name: "secret", Type: "environment-variable",
		Values: map[string][]string{"enabled": {"true"}, "environment-variable": {"S"}}})
	snap := &config.Snapshot{Registry: registry(t), State: st, Dir: t.TempDir()}

	v, err := snap.Lookup(config.KindPassphraseProvider, "secret")
	if err != nil || v.String("environment-variable") != "S" || !v.Bool(config.PropEnabled) {
		t.Errorf("Lookup(secret) = %v, %v; want the provider", v.Object, err)
	}
	var nf *config.NotFoundError
	if _, err := snap.Lookup(config.KindPassphraseProvider, "secrte"); !errors.As(err, &nf) || !errors.Is(err, config.ErrRejected) {
		t.Errorf("Lookup(secrte) error = %v, want a *NotFoundError", err)
	}
	g, err := snap.Lookup(config.KindGlobalConfiguration, "")
	if err != nil || len(g.Values(config.PropSMTPServer)) != 0 {
		t.Errorf("Lookup(global) = %v, %v; want the empty global configuration", g.Object, err)
	}
}

func TestSnapshotPath(t *testing.T) {
	snap := &config.Snapshot{Dir: filepath.FromSlash("/cfg")}
	if got, want := snap.Path("ca.pem"), filepath.FromSlash("/cfg/ca.pem"); got != want {
		t.Errorf("Path(ca.pem) = %q, want %q", got, want)
	}
	abs := filepath.FromSlash("/etc/ca.pem")
	if got := snap.Path(abs); got != abs {
		t.Errorf("Path(%q) = %q, want it unchanged", abs, got)
	}
}
