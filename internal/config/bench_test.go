package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The benchmarks of the store's hot paths; docs/performance.md records
// their results. They make no assertions on time, and each works with
// -benchtime 1x, as CI runs them.

// storeFile returns the encoded store of n environment-variable
// passphrase providers.
func storeFile(b *testing.B, r *config.Registry, n int) []byte {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("version: 1\npassphrase-providers:\n")
	for i := range n {
		fmt.Fprintf(&sb, "  p%06d:\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: V%d\n", i, i)
	}
	data := []byte(sb.String())
	if _, err := r.Decode(data); err != nil {
		b.Fatal(err)
	}
	return data
}

func benchSizes(b *testing.B, f func(b *testing.B, n int)) {
	for _, n := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) { f(b, n) })
	}
}

// BenchmarkDecode reads a store file into objects, without validating.
func BenchmarkDecode(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		data := storeFile(b, r, n)
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := r.Decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkValidate checks a whole decoded store.
func BenchmarkValidate(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		st, _ := r.Decode(storeFile(b, r, n))
		for b.Loop() {
			if ps := r.Validate(st); len(ps) > 0 {
				b.Fatal(ps[0].Err)
			}
		}
	})
}

// BenchmarkEncode writes a whole store file.
func BenchmarkEncode(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		st, _ := r.Decode(storeFile(b, r, n))
		for b.Loop() {
			if _, err := r.Encode(st); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLoad is what a reading command pays: Store.Load of a store on
// disk.
func BenchmarkLoad(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		s := &config.Store{Dir: b.TempDir(), Registry: r}
		if err := os.WriteFile(s.Path(), storeFile(b, r, n), 0o600); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := s.Load(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpdate is what a writing command pays in the store: one
// create through Store.Update (lock, load, change, validate, encode,
// write with fsyncs), without the archive and audit hooks.
func BenchmarkUpdate(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		s := &config.Store{Dir: b.TempDir(), Registry: r}
		data := storeFile(b, r, n)
		k := r.Kind("passphrase-provider")
		mods := mustMods(b, "enabled:true", "environment-variable:NEW")
		for b.Loop() {
			b.StopTimer()
			if err := os.WriteFile(s.Path(), data, 0o600); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := s.Update(func(tx *config.Tx) error {
				_, err := tx.Create(k.Type("environment-variable"), "new", mods)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// vouchedStore returns a store of n providers that its validation record
// vouches for, and a function that puts its files back as they are now.
func vouchedStore(b *testing.B, r *config.Registry, n int) (*config.Store, func()) {
	s := &config.Store{Dir: b.TempDir(), Registry: r, Build: "bench"}
	if err := os.WriteFile(s.Path(), storeFile(b, r, n), 0o600); err != nil {
		b.Fatal(err)
	}
	k := r.Kind("passphrase-provider")
	if _, err := s.Update(func(tx *config.Tx) error {
		_, err := tx.Create(k.Type("environment-variable"), "seed", mustMods(b, "enabled:true", "environment-variable:SEED"))
		return err
	}); err != nil {
		b.Fatal(err)
	}
	var saved [][]byte
	paths := []string{s.Path(), filepath.Join(s.Dir, config.CheckedFileName)}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		saved = append(saved, data)
	}
	return s, func() {
		for i, p := range paths {
			if err := os.WriteFile(p, saved[i], 0o600); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLoadVouched is what a read of one object pays in the store
// when the validation record vouches for it: the file is read and hashed,
// and only the object asked for is decoded.
func BenchmarkLoadVouched(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		s, _ := vouchedStore(b, r, n)
		for b.Loop() {
			st, err := s.Load()
			if err != nil || st.Get("passphrase-provider", "p000000") == nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkUpdateVouched is BenchmarkUpdate on a store the validation
// record vouches for: the change is validated with what names it, and
// the objects it does not touch are written as they were.
func BenchmarkUpdateVouched(b *testing.B) {
	r := registry(b)
	benchSizes(b, func(b *testing.B, n int) {
		s, restore := vouchedStore(b, r, n)
		k := r.Kind("passphrase-provider")
		mods := mustMods(b, "enabled:true", "environment-variable:NEW")
		for b.Loop() {
			b.StopTimer()
			restore()
			b.StartTimer()
			if _, err := s.Update(func(tx *config.Tx) error {
				_, err := tx.Create(k.Type("environment-variable"), "new", mods)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
