package config_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// FuzzSyntaxParse checks every syntax the registry uses: a value that
// parses has a canonical form that parses to itself, so that what the
// store, the audit log and the output show reads back unchanged.
func FuzzSyntaxParse(f *testing.F) {
	r := registry(f)
	var props []*config.PropertyDef
	for _, k := range r.Kinds() {
		for _, t := range k.Types() {
			props = append(props, t.AllProperties()...)
		}
	}
	for _, s := range []string{"", "true", "FALSE", "0", "65535", "-1", "30s", "1 h", "2m30s", "smtp.example.com",
		"https://idp.example/token", "http://127.0.0.1:8080/t", "key=value", "ssl", "é", " x "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		for _, p := range props {
			c, err := p.Syntax.Parse(v)
			if err != nil {
				continue
			}
			again, err := p.Syntax.Parse(c)
			if err != nil || again != c {
				t.Errorf("%s: Parse(%q) = %q, and Parse(%q) = %q, %v", p.Name, v, c, c, again, err)
			}
		}
	})
}

// FuzzParseMods checks prop:value splitting: PROP:VALUE splits at the
// first colon only, and gives back the value whole.
func FuzzParseMods(f *testing.F) {
	for _, s := range []string{"", "x", "a:b", "https://idp.example/token", "::", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		mods, err := config.ParseMods([]string{"description:" + v}, nil, nil, nil)
		if err != nil {
			return
		}
		if len(mods) != 1 || mods[0].Property != "description" || mods[0].Value != v || mods[0].Op != config.OpSet {
			t.Errorf("ParseMods(description:%q) = %+v", v, mods)
		}
	})
}

// FuzzStoreDecode checks the store codec: whatever loads (decodes and
// passes validation, as Store.Load requires before anything is written)
// re-encodes to
// bytes that decode to the same state and re-encode to the same bytes,
// so that writing a store never changes what it means.
func FuzzStoreDecode(f *testing.F) {
	r := registry(f)
	f.Add([]byte("version: 1\n"))
	f.Add([]byte("version: 1\npassphrase-providers:\n  p:\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: X\n"))
	f.Add([]byte("version: 1\nsmtp-external-servers:\n  \"a b\":\n    type: smtp\n    server-host-name: smtp.example.com\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := r.Decode(data)
		if err != nil || len(r.Validate(st)) > 0 {
			return
		}
		once, err := r.Encode(st)
		if err != nil {
			// A name the YAML encoder refuses (invalid UTF-8) is issue
			// 11's "invalid UTF-8 name"; it is not this property.
			return
		}
		st2, err := r.Decode(once)
		if err != nil {
			t.Fatalf("the encoded store does not decode: %v\n%s", err, once)
		}
		twice, err := r.Encode(st2)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("encode(decode(encode(x))) differs from encode(x): %v\n%s\n---\n%s", err, once, twice)
		}
		if !sameObjects(r, st, st2) {
			t.Errorf("the re-decoded store differs:\n%s", once)
		}
	})
}

func sameObjects(r *config.Registry, a, b *config.State) bool {
	for _, k := range r.Kinds() {
		oa, ob := a.List(k.Name), b.List(k.Name)
		if len(oa) != len(ob) {
			return false
		}
		for i := range oa {
			if oa[i].Name != ob[i].Name || oa[i].Type != ob[i].Type || !reflect.DeepEqual(oa[i].Values, ob[i].Values) {
				return false
			}
		}
	}
	return true
}
