package config_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// oddNames are names yaml has to quote, or writes as complex keys ("? "
// for more than 128 characters), or that sort around the plain ones, or
// that hold another object's name.
var oddNames = []string{"a: b", "yes", "null", "-dash", "#hash", `q"uote`, "x'y", "café", "Exchange", "Exchange Online 2", "0 first", "~last",
	strings.Repeat("long", 40), "a: " + strings.Repeat("quoted ", 25) + "and long"}

// varied is a valid store with objects of every kind, references between
// them, multi-valued and sealed values, names and values yaml quotes, and
// extra plain passphrase providers.
func varied(t testing.TB, extra int) (*config.Store, []byte) {
	t.Helper()
	s := newStore(t)
	provision(t, s)
	if _, err := s.Update(func(tx *config.Tx) error {
		for i := range extra {
			if _, err := tx.Create(s.Registry.Kind("passphrase-provider").Type("environment-variable"),
				fmt.Sprintf("p%04d", i), mustMods(t, "enabled:true", "environment-variable:V")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	steps := []error{
		create(t, s, "passphrase-provider", "obscured-value", "Sealed", "enabled:true", "obscured-value:s3cret"),
		create(t, s, "trust-manager-provider", "file-based", "Trust", "enabled:true", "trust-store-file:/etc/ssl/ca.pem"),
		create(t, s, "external-server", "smtp", "Backup Relay", "server-host-name:relay.example.com", "server-port:25",
			"smtp-connection-properties:mail.smtp.localhost=host.example.com", "smtp-connection-properties:mail.smtp.timeout=5000"),
	}
	for i, name := range oddNames {
		steps = append(steps, create(t, s, "passphrase-provider", "environment-variable", name, "enabled:true",
			"environment-variable:V"+fmt.Sprint(i), `description:a "quoted": value # not a comment`))
	}
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Update(func(tx *config.Tx) error {
		_, err := tx.Modify(s.Registry.Kind("global-configuration"), "", mustMods(t, "smtp-server:Exchange Online", "smtp-server:Backup Relay"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return s, data
}

var plainName = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9 ]*)?$`)

// names lists every object of st as kind and name.
func names(r *config.Registry, st *config.State) [][2]string {
	var out [][2]string
	for _, k := range r.Kinds() {
		for _, o := range st.List(k.Name) {
			out = append(out, [2]string{k.Name, o.Name})
		}
	}
	return out
}

// A state backed by the raw file gives each object as decoding the whole
// file does, line numbers included, and decodes only what it is asked.
func TestRawStateReadsAsDecoded(t *testing.T) {
	s, data := varied(t, 0)
	r := s.Registry
	whole, err := r.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, kn := range names(r, whole) {
		raw := config.RawState(r, data)
		if got, want := raw.Get(kn[0], kn[1]), whole.Get(kn[0], kn[1]); !reflect.DeepEqual(got, want) {
			t.Errorf("Get(%q, %q) = %+v, want %+v", kn[0], kn[1], got, want)
		}
		// Only names written plain are held to one decode: the lookup
		// decodes the quoted names it probes to compare them.
		if n := config.Decoded(raw); n != 1 && plainName.MatchString(kn[1]) && len(kn[1]) <= 100 && kn[1] != "yes" && kn[1] != "null" {
			t.Errorf("Get(%q, %q) decoded %d objects, want 1", kn[0], kn[1], n)
		}
	}
	raw := config.RawState(r, data)
	for _, k := range r.Kinds() {
		if got, want := raw.List(k.Name), whole.List(k.Name); !reflect.DeepEqual(got, want) {
			t.Errorf("List(%q) = %+v, want %+v", k.Name, got, want)
		}
		for _, missing := range []string{"nope", "Exchange Onlin", "a:", "SMTP Client Secret", "Sealed"} {
			if whole.Get(k.Name, missing) == nil && config.RawState(r, data).Get(k.Name, missing) != nil {
				t.Errorf("Get(%q, %q) found an object that is not there", k.Name, missing)
			}
		}
	}
	if config.RawState(r, data).HasSealed() != whole.HasSealed() {
		t.Error("HasSealed differs")
	}
}

// However a state backed by the raw file is read and changed, it encodes
// to the same bytes as the whole state changed alike, and what a write
// validates finds the same problems as validating everything.
func TestRawStateChangesAsDecoded(t *testing.T) {
	for _, c := range []struct{ extra, seeds int }{{0, 300}, {500, 60}} {
		t.Run(fmt.Sprint(c.extra), func(t *testing.T) { changesAsDecoded(t, c.extra, c.seeds) })
	}
}

func changesAsDecoded(t *testing.T, extra, seeds int) {
	s, data := varied(t, extra)
	r := s.Registry
	for seed := range uint64(seeds) {
		rng := rand.New(rand.NewPCG(seed, 1))
		raw := config.RawState(r, data)
		whole, err := r.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		var did []string
		for range 1 + rng.IntN(4) {
			did = append(did, randomStep(rng, r, whole, raw))
		}
		got, err := r.Encode(raw)
		if err != nil {
			t.Fatal(err)
		}
		want, err := r.Encode(whole)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("seed %d, after %q, the raw state encodes to\n%s\nwant\n%s", seed, did, got, want)
		}
		if got, want := problems(r, r.ValidateChanged(raw)), problems(r, r.Validate(whole)); !slices.Equal(got, want) {
			t.Fatalf("seed %d, after %q, a write finds\n%q\nwhole validation finds\n%q", seed, did, got, want)
		}
	}
}

// randomStep does the same random read or change to both states and says
// what it did.
func randomStep(rng *rand.Rand, r *config.Registry, whole, raw *config.State) string {
	all := names(r, whole)
	kn := all[rng.IntN(len(all))]
	o := whole.Get(kn[0], kn[1])
	put := func(c *config.Object) {
		whole.Put(c)
		raw.Put(c.Clone())
	}
	switch rng.IntN(6) {
	case 0:
		raw.Get(kn[0], kn[1])
		return "get " + kn[1]
	case 1:
		raw.List(kn[0])
		return "list " + kn[0]
	case 2:
		c := o.Clone()
		c.Values["description"] = []string{oddNames[rng.IntN(len(oddNames))]}
		put(c)
		return "describe " + kn[1]
	case 3:
		c := o.Clone()
		c.Values["enabled"] = []string{"false"}
		put(c)
		return "disable " + kn[1]
	case 4:
		if o.Name == "" {
			return "keep the singleton"
		}
		whole.Delete(kn[0], kn[1])
		raw.Delete(kn[0], kn[1])
		return "delete " + kn[1]
	default:
		c := o.Clone()
		c.Name = oddNames[rng.IntN(len(oddNames))] + " new"
		if o.Name == "" {
			return "keep the singleton"
		}
		put(c)
		return "create " + c.Name
	}
}

func problems(r *config.Registry, ps []config.ObjectProblem) []string {
	var out []string
	for _, p := range ps {
		out = append(out, r.Describe(p.Object)+": "+p.Err.Error())
	}
	slices.Sort(out)
	return out
}

// A read or a change of one object in a store of a thousand decodes that
// object and the few it touches, not the store.
func TestOneObjectCostsOneObject(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	if _, err := s.Update(func(tx *config.Tx) error {
		for i := range 1000 {
			if _, err := tx.Create(s.Registry.Kind("passphrase-provider").Type("environment-variable"),
				fmt.Sprintf("p%04d", i), mustMods(t, "enabled:true", "environment-variable:V")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	if st.Get("passphrase-provider", "p0500") == nil || config.Decoded(st) != 1 {
		t.Errorf("a read decoded %d objects, want 1", config.Decoded(st))
	}
	c, err := s.Update(func(tx *config.Tx) error {
		_, err := tx.Modify(s.Registry.Kind("passphrase-provider"), "p0500", mustMods(t, "description:changed"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := config.Decoded(c.State); n > 5 {
		t.Errorf("a change of one object decoded %d objects", n)
	}
	// The change is the store a whole encode would write.
	whole, err := s.Registry.Decode(c.After())
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Registry.Encode(whole); !bytes.Equal(again, c.After()) {
		t.Error("the written store is not what encoding it whole gives")
	}
}

// The validation record is written by a write, names the store's hash
// and the build, and is trusted only when both match.
func TestValidationRecord(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	recPath := filepath.Join(s.Dir, config.CheckedFileName)
	fi, err := os.Stat(recPath)
	if err != nil {
		t.Fatalf("no validation record after a write: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the record's mode is %v", fi.Mode().Perm())
	}
	// An invalid store, as a hand edit can leave one: the provider lost
	// its mandatory environment-variable.
	bad := strings.Replace(read(t, s.Path()), "    environment-variable: SMTP_CLIENT_SECRET\n", "", 1)
	if bad == read(t, s.Path()) {
		t.Fatal("the edit did not apply")
	}
	if err := os.WriteFile(s.Path(), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	record := func(build string, data string) string {
		return fmt.Sprintf("dsconfig validated 1\nbuild %s\nstore-sha256 %x\n", build, sha256.Sum256([]byte(data)))
	}
	for _, c := range []struct {
		name, record string
		trusted      bool
	}{
		{"the record of the previous store", "", false},
		{"no record", "-", false},
		{"garbage", "not a record\x00\n", false},
		{"a torn record", record("test", bad)[:60], false},
		{"another build", record("other", bad), false},
		{"another store", record("test", bad+"\n"), false},
		// Only to show that the hash is what is checked: no write ever
		// records an invalid store.
		{"a record naming these bytes and this build", record("test", bad), true},
	} {
		switch c.record {
		case "":
		case "-":
			os.Remove(recPath)
		default:
			if err := os.WriteFile(recPath, []byte(c.record), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		_, err := s.Load()
		var se *config.StoreError
		if got := !errors.As(err, &se); got != c.trusted {
			t.Errorf("%s: trusted %v, want %v (err %v)", c.name, got, c.trusted, err)
		}
	}
}

// A corrupt record is ignored and rebuilt by the next write, never by a
// read or by a change that changes nothing: those touch no file.
func TestRecordOnlyByAWrite(t *testing.T) {
	s := newStore(t)
	provision(t, s)
	recPath := filepath.Join(s.Dir, config.CheckedFileName)
	if err := os.WriteFile(recPath, []byte("dsconfig validated 1\nbuild test\nstore-sha256 00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := dirState(t, s.Dir)
	if _, err := s.Load(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(func(tx *config.Tx) error {
		_, err := tx.Modify(s.Registry.Kind("passphrase-provider"), "SMTP Client Secret", mustMods(t, "enabled:true"))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if after := dirState(t, s.Dir); after != before {
		t.Errorf("the directory changed:\n%s\nwas\n%s", after, before)
	}
	if err := create(t, s, "passphrase-provider", "environment-variable", "Other", "enabled:true", "environment-variable:X"); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(read(t, s.Path())))
	if rec := read(t, recPath); !strings.HasSuffix(rec, fmt.Sprintf("store-sha256 %x\n", sum)) {
		t.Errorf("the record after a write does not name the store:\n%s", rec)
	}
}

// dirState lists the names, sizes and times of dir's files.
func dirState(t *testing.T, dir string) string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, de := range des {
		fi, err := de.Info()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s %d %s\n", de.Name(), fi.Size(), fi.ModTime())
	}
	return b.String()
}
