package interactive

import (
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

func kind(t *testing.T) *config.Kind {
	t.Helper()
	r := registry.ForTest(t)
	return r.Kind(config.KindPassphraseProvider)
}

func TestLacksAndMissing(t *testing.T) {
	k := kind(t)
	r := &Request{Kind: k, Create: true, Name: "P", NameGiven: true, Type: "obscured-value", Set: []string{"enabled:true"}}
	if !r.Lacks() {
		t.Fatal("obscured-value is mandatory and missing")
	}
	if m := r.Missing(k.Type("obscured-value")); len(m) != 1 || m[0].Name != "obscured-value" {
		t.Errorf("missing = %v", m)
	}
	for _, given := range [][]string{{"obscured-value<file"}, {"obscured-value"}} {
		r.Set = append([]string{"enabled:true"}, given...)
		if r.Lacks() {
			t.Errorf("%v gives the value", given)
		}
	}
	r.Set, r.SetFromFile = []string{"enabled:true"}, []string{"obscured-value:-"}
	if r.Lacks() {
		t.Error("--set-from-file gives the value")
	}
	if (&Request{Kind: k, Create: true, Name: "P", NameGiven: true, Type: "no-such-type"}).Lacks() {
		t.Error("an unknown type is the command's error, not a prompt")
	}
	if !(&Request{Kind: k}).Lacks() {
		t.Error("set-prop without a name lacks it")
	}
}

// Secrets are never in the command: a clear or prompted value becomes
// --set PROP, a file reference stays one.
func TestCommandHidesSecrets(t *testing.T) {
	k := kind(t)
	r := &Request{Kind: k, Create: true, Name: "Two words", Type: "obscured-value", Set: []string{"enabled:true", "obscured-value:argv-Secret-1"}}
	got := command(r, []config.Mod{{Op: config.OpSet, Property: "description", Value: "d"}})
	const want = `dsconfig create-passphrase-provider --provider-name "Two words" --type obscured-value --set enabled:true --set obscured-value --set description:d`
	if got != want {
		t.Errorf("Command =\n%s\nwant\n%s", got, want)
	}
	r.Set = []string{"enabled:true"}
	got = command(r, []config.Mod{{Op: config.OpSet, Property: "obscured-value", Value: "prompted-Secret-2"}})
	if strings.Contains(got, "Secret") || !strings.HasSuffix(got, "--set obscured-value") {
		t.Errorf("Command = %s", got)
	}
	r.Set, r.SetFromFile = nil, []string{"obscured-value:/run/s"}
	if got = command(r, nil); !strings.HasSuffix(got, "--set-from-file obscured-value:/run/s") {
		t.Errorf("Command = %s", got)
	}
}

// A property that the type's own checks require, given the values set, is
// missing too: the client secret's provider with basic-authorization,
// the key manager provider with private-key-jwt.
func TestMissingByTypeCheck(t *testing.T) {
	r := registry.ForTest(t)
	k := r.Kind(config.KindHTTPAuthorizationMethod)
	typ := k.Type("client-credentials-bearer-token")
	req := &Request{Kind: k, Create: true, Name: "M", NameGiven: true, Type: typ.Name,
		Set: []string{"enabled:true", "oauth-client-id:c", "oauth-server-token-endpoint-url:https://idp.example.com/token"}}
	names := func() []string {
		var out []string
		for _, p := range req.Missing(typ) {
			out = append(out, p.Name)
		}
		return out
	}
	if got := names(); len(got) != 1 || got[0] != "oauth-client-secret-passphrase-provider" {
		t.Errorf("basic-authorization: missing %v", got)
	}
	if !req.Lacks() {
		t.Error("a create without the secret's provider lacks it")
	}
	req.Set = append(req.Set, "credentials-submission-method:private-key-jwt")
	if got := names(); len(got) != 1 || got[0] != "key-manager-provider" {
		t.Errorf("private-key-jwt: missing %v", got)
	}
	req.Set = append(req.Set, "key-manager-provider:K")
	if got := names(); len(got) != 0 {
		t.Errorf("all given: missing %v", got)
	}
}
