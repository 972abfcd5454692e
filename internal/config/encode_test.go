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
