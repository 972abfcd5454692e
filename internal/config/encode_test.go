package config_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

var awkward = []string{"", " ", "a b", "true", "25", "0x1F", "1e3", "~", "null", "- x", "a: b", "a #b", "#x",
	"'q'", `"d"`, "line\nbreak", "two\n\nblank lines\n", "trailing\n", " lead", "trail ", "\ttab", "é ünïcödé",
	"{x}", "[y]", "&a", "*b", "!t", "|", ">", "%p", "@q", "`r`", "a,b", strings.Repeat("long words ", 30),
	"crlf\r\nline", "SMTP Client Secret", "y", "Y", "n", "on", "Off", "NULL", "Null", "True", "FALSE", "yes", "NO",
	"a/b", "/path/x", "x.y", "a-b_c", "a@b", "a+b", "a b c", "a  b", "nan", "inf", "Infinity", ".inf", "NaN", "V1", "x-", "x.", "e", "E1", "o", "Z", "null x", "true false", "x:y", "a\\b", "\x01ctl", "---", "...", "?", ":", "-", "=", "<<", "yes", "No", "2026-11-30"}

func TestEncodeAsOneDocument(t *testing.T) {
	r := registry(t)
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func() string { return awkward[rng.IntN(len(awkward))] }
	for round := range 200 {
		s := config.NewState()
		for i := range rng.IntN(6) {
			for _, k := range r.Kinds() {
				if k.Singleton() {
					if rng.IntN(2) == 0 {
						s.Put(&config.Object{Kind: k.Name, Values: map[string][]string{"description": {pick()}}})
					}
					continue
				}
				t0 := k.Types()[rng.IntN(len(k.Types()))]
				o := &config.Object{Kind: k.Name, Name: fmt.Sprint(pick(), i), Type: t0.Name, Values: map[string][]string{}}
				for _, p := range t0.AllProperties() {
					switch rng.IntN(4) {
					case 0:
						o.Values[p.Name] = []string{pick()}
					case 1:
						o.Values[p.Name] = []string{pick(), pick()}
					case 2:
						o.Values[p.Name] = []string{}
					}
				}
				s.Put(o)
			}
		}
		got, err := r.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		want, err := config.EncodeWhole(r, s)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round %d: Encode differs from the one-document encoding:\n%s\n---- want:\n%s", round, got, want)
		}
	}
}

// TestDecodeFastAgreesWithYAML checks that the fast decoder, where it
// answers, reads what yaml reads, line numbers included, and that it
// leaves to yaml what it cannot read: random stores as Encode writes them,
// and the same files edited by hand.
func TestDecodeFastAgreesWithYAML(t *testing.T) {
	r := registry(t)
	rng := rand.New(rand.NewPCG(3, 4))
	edits := []func(string) string{
		func(s string) string { return s },
		func(s string) string { return strings.Replace(s, "    ", "      ", 1) },
		func(s string) string { return strings.Replace(s, "\n  ", "\n   ", 1) },
		func(s string) string { return strings.Replace(s, "version: 1", "version: 2", 1) },
		func(s string) string { return s + "passphrase-providers:\n" },
		func(s string) string { return s + "    continued plain\n" },
		func(s string) string { return strings.Replace(s, "\n", "\r\n", -1) },
		func(s string) string { return strings.Replace(s, ": ", ":  ", 1) },
		func(s string) string { return s + "# trailing comment\n" },
		func(s string) string { return strings.TrimSuffix(s, "\n") },
		func(s string) string { i := strings.LastIndex(s, "\n    "); return s[:max(i, 0)] + "\n" },
	}
	fast := 0
	for round := range 300 {
		s := config.NewState()
		for i := range rng.IntN(4) {
			for _, k := range r.Kinds() {
				if k.Singleton() {
					if rng.IntN(2) == 0 {
						s.Put(&config.Object{Kind: k.Name, Values: map[string][]string{"description": {"x y"}}})
					}
					continue
				}
				t0 := k.Types()[rng.IntN(len(k.Types()))]
				o := &config.Object{Kind: k.Name, Name: fmt.Sprintf("n%d %s", i, awkward[rng.IntN(8)]), Type: t0.Name, Values: map[string][]string{}}
				for _, p := range t0.AllProperties() {
					if rng.IntN(3) == 0 {
						o.Values[p.Name] = []string{awkward[rng.IntN(len(awkward))]}
					} else if rng.IntN(3) == 0 {
						o.Values[p.Name] = []string{"true"}
					}
				}
				s.Put(o)
			}
		}
		enc, err := r.Encode(s)
		if err != nil {
			t.Fatal(err)
		}
		edited := edits[round%len(edits)](string(enc))
		got, ok := config.DecodeFast(r, []byte(edited))
		if !ok {
			continue
		}
		fast++
		want, err := config.DecodeYAML(r, []byte(edited))
		if err != nil {
			t.Fatalf("round %d: the fast decoder read what yaml refuses (%v):\n%s", round, err, edited)
		}
		if !sameObjects(r, got, want) || !sameLines(r, got, want) {
			t.Fatalf("round %d: the fast decoder read otherwise than yaml:\n%s", round, edited)
		}
	}
	if fast < 30 {
		t.Fatalf("the fast decoder read only %d of 300 stores", fast)
	}
}

func sameLines(r *config.Registry, a, b *config.State) bool {
	for _, k := range r.Kinds() {
		oa, ob := a.List(k.Name), b.List(k.Name)
		for i := range oa {
			if config.ObjectLine(oa[i]) != config.ObjectLine(ob[i]) {
				return false
			}
		}
	}
	return true
}

// FuzzDecodeFast: wherever the fast decoder answers, yaml reads the same.
func FuzzDecodeFast(f *testing.F) {
	r := registry(f)
	f.Add("version: 1\npassphrase-providers:\n  a:\n    type: environment-variable\n    enabled: \"true\"\n")
	f.Add("# c\nversion: 1\nglobal-configuration:\n  description: x\n")
	f.Fuzz(func(t *testing.T, data string) {
		got, ok := config.DecodeFast(r, []byte(data))
		if !ok {
			return
		}
		want, err := config.DecodeYAML(r, []byte(data))
		if err != nil || !sameObjects(r, got, want) || !sameLines(r, got, want) {
			t.Fatalf("fast decoder and yaml differ (yaml: %v) on %q", err, data)
		}
	})
}
