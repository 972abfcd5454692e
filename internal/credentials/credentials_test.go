package credentials

import (
	"context"
	"errors"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func TestResolverGivesSecretsAndTokenSources(t *testing.T) {
	r := registry.ForTest(t)
	st := r.InitialState()
	st.Put(&config.Object{Kind: config.KindPassphraseProvider, Name: "p", Type: passphrase.TypeEnvironmentVariable,
		Values: map[string][]string{"enabled": {"true"}, "environment-variable": {"SECRET"}}})
	c := Resolver{Config: &config.Snapshot{Registry: r, State: st, Dir: t.TempDir()},
		Getenv: func(k string) string { return map[string]string{"SECRET": "s3cret"}[k] }}
	if s, err := c.Secret(context.Background(), "p"); err != nil || s != "s3cret" {
		t.Errorf("Secret: %q, %v", s, err)
	}
	var nf *config.NotFoundError
	if _, err := c.TokenSource("no such method"); !errors.As(err, &nf) {
		t.Errorf("TokenSource of a missing method: %v", err)
	}
}
