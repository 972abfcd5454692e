package config_test

import (
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

func registry(t testing.TB) *config.Registry {
	t.Helper()
	r, err := config.NewRegistry(config.Kinds(), config.GlobalTypes(),
		passphrase.Types(), tlsconf.Types(), httpauth.Types(), mailer.Types())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRegistry checks the real registry: NewRegistry already refuses bad
// names, synopses, defaults and references, so building it is the main
// check; the rest guards the PingDirectory names users type.
func TestRegistry(t *testing.T) {
	r := registry(t)
	want := map[string][]string{
		"passphrase-provider":       {"environment-variable", "file-based", "obscured-value"},
		"http-authorization-method": {"client-credentials-bearer-token", "static-bearer-token"},
		"external-server":           {"smtp", "http-proxy"},
		"trust-manager-provider":    {"file-based", "blind-trust", "system-default"},
	}
	for kind, types := range want {
		k := r.Kind(kind)
		if k == nil {
			t.Fatalf("kind %q missing", kind)
		}
		for _, tn := range types {
			if k.Type(tn) == nil {
				t.Errorf("%s: type %q missing", kind, tn)
			}
		}
	}
	cc := r.Kind("http-authorization-method").Type("client-credentials-bearer-token")
	for _, p := range strings.Fields(`description enabled oauth-server-token-endpoint-url oauth-client-id
		oauth-client-secret-passphrase-provider requested-scope request-method credentials-submission-method
		client-id-parameter-name client-secret-parameter-name maximum-token-lifetime response-timeout
		trust-manager-provider key-manager-provider ssl-cert-nickname hostname-verification-method http-proxy-external-server`) {
		if cc.Property(p) == nil {
			t.Errorf("client-credentials-bearer-token: property %q missing", p)
		}
	}
	smtp := r.Kind("external-server").Type("smtp")
	if p := smtp.Property("server-port"); p == nil || len(p.Default) != 1 || p.Default[0] != "25" {
		t.Errorf("smtp server-port default = %v, want 25", p)
	}
	if p := smtp.Property("password"); p == nil || !p.Sensitive {
		t.Error("smtp password must be sensitive")
	}
	if p := r.Kind("global-configuration").Types()[0].Property("smtp-server"); p == nil || !p.Ordered {
		t.Error("global smtp-server must be an ordered multi-valued property")
	}
}

func TestRegistryRefusesBrokenDefinitions(t *testing.T) {
	ok := func() *config.PropertyDef {
		return &config.PropertyDef{Name: "p", Synopsis: "A property.", Syntax: config.String{}}
	}
	cases := map[string]func(p *config.PropertyDef){
		"bad name":             func(p *config.PropertyDef) { p.Name = "Bad_Name" },
		"no syntax":            func(p *config.PropertyDef) { p.Syntax = nil },
		"two sentences":        func(p *config.PropertyDef) { p.Synopsis = "One. Two." },
		"no period":            func(p *config.PropertyDef) { p.Synopsis = "One" },
		"mandatory default":    func(p *config.PropertyDef) { p.Mandatory, p.Default = true, []string{"x"} },
		"default off syntax":   func(p *config.PropertyDef) { p.Syntax, p.Default = config.Boolean{}, []string{"yes"} },
		"ordered single":       func(p *config.PropertyDef) { p.Ordered = true },
		"sensitive not secret": func(p *config.PropertyDef) { p.Sensitive = true },
		"secret not sensitive": func(p *config.PropertyDef) { p.Syntax = config.Secret{} },
		"dangling ref kind":    func(p *config.PropertyDef) { p.Syntax = config.Reference{Kind: "nope"} },
		"dangling ref type":    func(p *config.PropertyDef) { p.Syntax = config.Reference{Kind: "k", Types: []string{"nope"}} },
		"reserved name type":   func(p *config.PropertyDef) { p.Name = "type" },
		"two defaults single":  func(p *config.PropertyDef) { p.Default = []string{"a", "b"} },
	}
	for name, mutate := range cases {
		p := ok()
		mutate(p)
		k := &config.Kind{Name: "k", Plural: "ks", Friendly: "K", NamingArg: "k-name", Synopsis: "Ks."}
		_, err := config.NewRegistry([]*config.Kind{k}, []*config.Type{{Kind: "k", Name: "t", Properties: []*config.PropertyDef{p}}})
		if err == nil {
			t.Errorf("%s: NewRegistry accepted %+v", name, p)
		}
	}
	k := &config.Kind{Name: "k", Plural: "ks", Friendly: "K", NamingArg: "k-name", Synopsis: "Ks."}
	if _, err := config.NewRegistry([]*config.Kind{k}, []*config.Type{{Kind: "k", Name: "t"}, {Kind: "k", Name: "t"}}); err == nil {
		t.Error("NewRegistry accepted a type registered twice")
	}
	if _, err := config.NewRegistry([]*config.Kind{k}, []*config.Type{{Kind: "other", Name: "t"}}); err == nil {
		t.Error("NewRegistry accepted a type of an unknown kind")
	}
	if _, err := config.NewRegistry([]*config.Kind{k}); err == nil {
		t.Error("NewRegistry accepted a kind without types")
	}
}

// TestTypeProperty checks that Type.Property finds every property of every
// registered type, common ones included, and nothing else, without
// allocating: it runs for every value Validate and View look at.
func TestTypeProperty(t *testing.T) {
	r := registry(t)
	for _, k := range r.Kinds() {
		for _, typ := range k.Types() {
			for _, p := range typ.AllProperties() {
				if got := typ.Property(p.Name); got != p {
					t.Errorf("%s/%s: Property(%q) = %v", k.Name, typ.Name, p.Name, got)
				}
			}
			if got := typ.Property("no-such-property"); got != nil {
				t.Errorf("%s/%s: Property of an unknown name = %v", k.Name, typ.Name, got)
			}
			if n := testing.AllocsPerRun(10, func() { typ.Property("description") }); n != 0 {
				t.Errorf("%s/%s: Property allocates %v times", k.Name, typ.Name, n)
			}
		}
	}
	// A Type made by hand, outside a Registry, is scanned instead.
	p := &config.PropertyDef{Name: "colour"}
	if got := (&config.Type{Properties: []*config.PropertyDef{p}}).Property("colour"); got != p {
		t.Errorf("Property of a Type made outside a registry = %v", got)
	}
}
