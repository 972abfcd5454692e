package console

import (
	"slices"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

func testType() (*config.Kind, *config.Type) {
	k := &config.Kind{Name: "external-server", Friendly: "External Server", NamingArg: "server-name"}
	t := &config.Type{Kind: k.Name, Name: "smtp", Properties: []*config.PropertyDef{
		{Name: "port", Syntax: config.String{}, Default: []string{"25"}},
		{Name: "hosts", Syntax: config.String{}, Multi: true, Default: []string{"a"}},
		{Name: "password", Syntax: config.Secret{}, Sensitive: true},
	}}
	return k, t
}

func TestPendingAndArgs(t *testing.T) {
	k, typ := testType()
	var p []config.Mod
	for _, m := range []config.Mod{
		{Op: config.OpSet, Property: "port", Value: "1"},
		{Op: config.OpAdd, Property: "hosts", Value: "b"},
		{Op: config.OpAdd, Property: "hosts", Value: "c"},
		{Op: config.OpRemove, Property: "hosts", Value: "c"}, // cancels the add
		{Op: config.OpRemove, Property: "hosts", Value: "a"},
		{Op: config.OpSet, Property: "port", Value: "2"}, // replaces the first
		{Op: config.OpSet, Property: "password", Value: "s3cret-Zq"},
	} {
		p = addPending(p, m)
	}
	args, prompted := setPropArgs(k, "Mail Relay", typ, p)
	got := batchfile.Format(args)
	const want = `dsconfig set-external-server-prop --server-name "Mail Relay" --set port:2 --set password --remove hosts:a --add hosts:b`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if len(prompted) != 1 || prompted[0].Value != "s3cret-Zq" {
		t.Errorf("prompted: %v", prompted)
	}
	o := withMods(&config.Object{Kind: k.Name, Name: "Mail Relay", Type: "smtp", Values: map[string][]string{}}, p, typ)
	if h := o.Values["hosts"]; !slices.Equal(h, []string{"b"}) {
		t.Errorf("shown hosts %v, want [b]", h)
	}
	if v := o.Values["port"]; !slices.Equal(v, []string{"2"}) {
		t.Errorf("shown port %v", v)
	}
	// A reset replaces what was pending for the property.
	p = addPending(p, config.Mod{Op: config.OpReset, Property: "hosts"})
	args, _ = setPropArgs(k, "Mail Relay", typ, p)
	if got := batchfile.Format(args); got != `dsconfig set-external-server-prop --server-name "Mail Relay" --reset hosts --set port:2 --set password` {
		t.Errorf("after reset: %s", got)
	}
}
