package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// applyStores are the desired files of the convergence tests.
var applyStores = []string{"empty", "quickstart", "every", "e2e"}

func desiredFile(name string) string { return filepath.Join("testdata", "apply", name+".dsconfig") }

// seedObscured sets, once on the host, the secret of the obscured-value
// provider that every.dsconfig names without its value, as a fleet does
// with --set-from-file.
func seedObscured(t *testing.T, dir string) {
	t.Helper()
	if strings.Contains(string(readStore(t, dir)), "Obscured") {
		return
	}
	secret := filepath.Join(t.TempDir(), "secret")
	writeFile(t, secret, "seeded-S3cret\n")
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "Obscured", "--type", "obscured-value",
		"--set", "enabled:true", "--set-from-file", "obscured-value:"+secret)
}

// storeOf returns a new configuration directory converged to the named
// desired file.
func storeOf(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if name == "every" {
		seedObscured(t, dir)
	}
	dsMust(t, dir, "apply-config", desiredFile(name))
	return dir
}

// dirHashes hashes every file under dir but the lock files.
func dirHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".lock") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[rel] = fmt.Sprintf("%x", sha256.Sum256(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestApplyIdempotent(t *testing.T) {
	for _, to := range applyStores {
		t.Run(to, func(t *testing.T) {
			// Start from another store, so that the first apply writes an
			// archive entry and audit records.
			dir := storeOf(t, "quickstart")
			if to == "every" {
				seedObscured(t, dir)
			}
			args := []string{"apply-config", "--prune", "--detailed-exitcode", "--reason", "deploy", desiredFile(to)}
			first := dsRun(t, dir, args...)
			if want := map[bool]int{true: 0, false: 8}[to == "quickstart" || to == "empty"]; first.Code != want {
				t.Fatalf("first apply: exit %d, want %d\nstderr: %s", first.Code, want, first.Err)
			}
			before := dirHashes(t, dir)
			second := dsRun(t, dir, args...)
			if second.Code != 0 || second.Out != "no changes: the configuration is as desired\n" || second.Err != "" {
				t.Fatalf("second apply: exit %d, stdout %q, stderr %q; want 0 and no changes", second.Code, second.Out, second.Err)
			}
			if after := dirHashes(t, dir); !mapsEqual(before, after) {
				t.Errorf("the second apply changed the config directory:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestApplyConverges applies each desired file with --prune to each
// store, and checks the result: the objects of the kinds the file
// mentions are the file's, the others are the store's. An empty file
// mentions no kind, so it changes nothing.
func TestApplyConverges(t *testing.T) {
	for _, from := range applyStores {
		for _, to := range applyStores {
			t.Run(from+"-to-"+to, func(t *testing.T) {
				dir := storeOf(t, from)
				if to == "every" {
					seedObscured(t, dir)
				}
				start := exportLines(t, dir)
				dsMust(t, dir, "apply-config", "--prune", desiredFile(to))
				want := expectedLines(start, exportLines(t, storeOf(t, to)), mentionedKinds(t, to))
				if got := exportLines(t, dir); !slices.Equal(got, want) {
					t.Errorf("after apply-config --prune %s:\n%s\nwant:\n%s", to, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if r := dsRun(t, dir, "apply-config", "--prune", "--detailed-exitcode", desiredFile(to)); r.Code != 0 {
					t.Errorf("applying %s again: exit %d, want 0\n%s%s", to, r.Code, r.Out, r.Err)
				}
			})
		}
	}
}

var sealedArg = regexp.MustCompile(` --set obscured-value:\S+`)

// exportLines returns the store's export-config commands, sorted, with
// sealed values (which differ between stores) left out.
func exportLines(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(dsMust(t, dir, "export-config").Out, "\n") {
		if strings.HasPrefix(l, "dsconfig ") {
			out = append(out, sealedArg.ReplaceAllString(l, ""))
		}
	}
	slices.Sort(out)
	return out
}

// lineKind is the kind an export line creates or sets.
func lineKind(l string) string {
	cmd := strings.Fields(l)[1]
	cmd = strings.TrimPrefix(strings.TrimPrefix(cmd, "create-"), "set-")
	return strings.TrimSuffix(cmd, "-prop")
}

func mentionedKinds(t *testing.T, name string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(desiredFile(name))
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "dsconfig ") {
			kinds[lineKind(l)] = true
		}
	}
	return kinds
}

func expectedLines(from, to []string, mentioned map[string]bool) []string {
	out := slices.Clone(to)
	for _, l := range from {
		if !mentioned[lineKind(l)] {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out
}

func TestApplyDetailedExitCode(t *testing.T) {
	dir := t.TempDir()
	file := desiredFile("quickstart")
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"--dry-run", "--detailed-exitcode"}, exitChanged},
		{[]string{"--dry-run"}, exitOK},
		{[]string{"--detailed-exitcode"}, exitChanged},
		{[]string{"--detailed-exitcode"}, exitOK},
		{[]string{"--dry-run", "--detailed-exitcode"}, exitOK},
		{nil, exitOK},
	} {
		// -Q: the store notices are not what this test is about.
		r := dsRun(t, dir, append(append([]string{"apply-config", "-Q"}, c.args...), file)...)
		if r.Code != c.code || r.Err != "" {
			t.Errorf("apply-config %v: exit %d, stderr %q; want %d and no error", c.args, r.Code, r.Err, c.code)
		}
	}
}

func TestApplyDryRunChangesNothing(t *testing.T) {
	dir := storeOf(t, "quickstart")
	before := dirHashes(t, dir)
	r := dsMust(t, dir, "apply-config", "--dry-run", "--prune", desiredFile("e2e"))
	for _, want := range []string{`would delete external-server "Exchange Online"`, `would create trust-manager-provider "E2E CA": enabled, trust-store-file`,
		`would modify passphrase-provider "SMTP Client Secret": environment-variable`, "(dry run: nothing was changed)"} {
		if !strings.Contains(r.Out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, r.Out)
		}
	}
	if after := dirHashes(t, dir); !mapsEqual(before, after) {
		t.Errorf("--dry-run changed the config directory")
	}
}

func TestApplyJSON(t *testing.T) {
	dir := t.TempDir()
	r := dsRun(t, dir, "apply-config", "--output", "json", desiredFile("quickstart"))
	var got struct {
		Changed bool `json:"changed"`
		Objects []struct {
			Action, Kind, Name string
			Properties         []string
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(r.Out), &got); err != nil || r.Code != 0 {
		t.Fatalf("exit %d, %v:\n%s", r.Code, err, r.Out)
	}
	if !got.Changed || len(got.Objects) != 4 {
		t.Fatalf("changed %v with %d objects, want true with 4", got.Changed, len(got.Objects))
	}
	o := got.Objects[2]
	if o.Action != "create" || o.Kind != "external-server" || o.Name != "Exchange Online" || !slices.Contains(o.Properties, "server-port") {
		t.Errorf("objects[2] = %+v, want the creation of external-server \"Exchange Online\" with server-port", o)
	}
	r = dsRun(t, dir, "apply-config", "-o", "json", desiredFile("quickstart"))
	if want := "{\n  \"changed\": false,\n  \"dry-run\": false,\n  \"objects\": []\n}\n"; r.Out != want {
		t.Errorf("second apply: %q, want %q", r.Out, want)
	}
}

// TestApplyKeepsSecrets: sealed values in the store are left alone, and
// the audit log of the apply does not mention them.
func TestApplyKeepsSecrets(t *testing.T) {
	dir := storeOf(t, "every")
	every, err := os.ReadFile(desiredFile("every"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "desired.dsconfig")
	plain := "dsconfig create-external-server --server-name Plain --type smtp --set server-host-name:plain.example.com --set user-name:u --set server-port:25\n"
	writeFile(t, file, string(every)+plain)
	// A server that logs in with a password cannot be created from a
	// desired file; it is created once on the host, then kept.
	secret := filepath.Join(t.TempDir(), "pw")
	writeFile(t, secret, "relay-Passw0rd")
	dsMust(t, dir, "create-external-server", "--server-name", "Plain", "--type", "smtp", "--set", "server-host-name:plain.example.com",
		"--set", "user-name:u", "--set", "server-port:25", "--set-from-file", "password:"+secret)
	sealed := readStore(t, dir)
	if r := dsMust(t, dir, "apply-config", "--prune", file); r.Out != "no changes: the configuration is as desired\n" {
		t.Errorf("apply over a store with sealed values: %q, want no changes", r.Out)
	}
	if got := readStore(t, dir); string(got) != string(sealed) {
		t.Errorf("the store changed")
	}
	writeFile(t, file, string(every)+strings.Replace(plain, "server-port:25", "server-port:2525", 1))
	r := dsMust(t, dir, "apply-config", file)
	if want := "modified external-server \"Plain\": server-port\n1 object changed\n"; r.Out != want {
		t.Errorf("got %q, want %q", r.Out, want)
	}
	if !strings.Contains(string(readStore(t, dir)), "password: AES256GCM:") {
		t.Errorf("the sealed password was not kept")
	}
	log, _ := os.ReadFile(filepath.Join(dir, "config-audit.log"))
	if strings.Contains(string(log), "relay-Passw0rd") {
		t.Errorf("the audit log holds the password in clear")
	}
}

func TestApplyPruneKeepsReferenced(t *testing.T) {
	dir := storeOf(t, "every")
	// The file mentions passphrase providers but not the methods that
	// refer to Env and Obscured.
	file := filepath.Join(t.TempDir(), "pp.dsconfig")
	writeFile(t, file, "dsconfig create-passphrase-provider --provider-name Cmd --type command --set enabled:true --set command-path:/usr/bin/vault --set command-argument:kv --set command-argument:get\n")
	before := dirHashes(t, dir)
	r := dsRun(t, dir, "apply-config", "--prune", file)
	want := "dsconfig: error: --prune would delete Passphrase Provider \"Env\", which is still referenced by: HTTP Authorization Method \"CC\" (property \"oauth-client-secret-passphrase-provider\"); nothing was changed\n" +
		"dsconfig: hint: add it to the desired file, or remove the reference too\n"
	if r.Code != exitConfig || r.Err != want {
		t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", r.Code, r.Err, exitConfig, want)
	}
	if after := dirHashes(t, dir); !mapsEqual(before, after) {
		t.Errorf("a refused apply changed the config directory")
	}
	// Without --prune, absent objects are kept.
	if r := dsRun(t, dir, "apply-config", "--detailed-exitcode", file); r.Code != 0 {
		t.Errorf("without --prune: exit %d, want 0 (nothing to change)\n%s", r.Code, r.Err)
	}
}

func TestApplyBadInput(t *testing.T) {
	const secret = "hunter2-Secret"
	for _, c := range []struct {
		name, file, stderr string
		code               int
	}{
		{"malformed", "dsconfig create-passphrase-provider --provider-name \"x --type command\n",
			"dsconfig: error: FILE:1: unterminated double-quoted string: it needs a closing \" on the same line\n", exitUsage},
		{"not-a-config-command", "dsconfig create-passphrase-provider --provider-name x --type environment-variable --set enabled:true --set environment-variable:X\ndsconfig delete-passphrase-provider --provider-name x\n",
			"dsconfig: error: FILE:2: apply-config cannot use \"delete-passphrase-provider\" in a desired file\n", exitUsage},
		{"secret-in-clear", "\n# a relay\ndsconfig create-external-server --server-name R --type smtp --set server-host-name:h --set password:" + secret + "\n",
			"dsconfig: error: FILE:3: the desired file gives the sensitive property \"password\" (its value is not shown); a desired file names passphrase providers and holds no secret values\n" +
				"dsconfig: hint: set it once on the host with --set-from-file password:PATH, or refer to an environment-variable, file-based or command passphrase provider\n", exitConfig},
		{"secret-sealed", "dsconfig create-passphrase-provider --provider-name v --type obscured-value --set enabled:true --set obscured-value:AES256GCM:abcd:" + secret + "\n",
			"dsconfig: error: FILE:1: the desired file gives the sensitive property \"obscured-value\"", exitConfig},
		{"obscured-created", "dsconfig create-passphrase-provider --provider-name v --type obscured-value --set enabled:true\n",
			"dsconfig: error: FILE:1: Passphrase Provider \"v\" cannot be created by apply-config: its \"obscured-value\" is a secret, which a desired file does not hold; an existing one is kept\n", exitConfig},
		{"dangling-reference", "dsconfig create-external-server --server-name R --type smtp --set server-host-name:h --set token-acquisition-method:nope --set user-name:u\n",
			"dsconfig: error: FILE:1: The desired configuration is not valid because of the following reason: External Server \"R\": The value \"nope\" for the \"token-acquisition-method\" property does not exist: there is no HTTP Authorization Method with that name\n", exitConfig},
		{"unknown-option", "dsconfig create-passphrase-provider --provider-name x --type environment-variable --bogus y\n",
			"dsconfig: error: FILE:1: apply-config cannot use the option --bogus in a desired file\ndsconfig: hint: create-passphrase-provider takes --provider-name, --type, --set\n", exitUsage},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := storeOf(t, "quickstart")
			file := filepath.Join(t.TempDir(), "desired.dsconfig")
			writeFile(t, file, c.file)
			before := dirHashes(t, dir)
			r := dsRun(t, dir, "apply-config", file)
			if want := strings.ReplaceAll(c.stderr, "FILE", file); r.Code != c.code || !strings.HasPrefix(r.Err, want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit %d and:\n%s", r.Code, r.Err, c.code, want)
			}
			if strings.Contains(r.Out+r.Err, secret) {
				t.Errorf("the secret value appears in the output")
			}
			if after := dirHashes(t, dir); !mapsEqual(before, after) {
				t.Errorf("refused input changed the config directory")
			}
		})
	}
}

// TestApplyConcurrent runs two applies of different files at once, many
// times; each time the store ends as one of the two, never a mix.
func TestApplyConcurrent(t *testing.T) {
	// Two desired files that mention the same kinds, so that either
	// one, applied last with --prune, leaves exactly its own objects.
	e2e, err := os.ReadFile(desiredFile("e2e"))
	if err != nil {
		t.Fatal(err)
	}
	other := strings.NewReplacer("server-host-name:127.0.0.1", "server-host-name:mail.example.com", "E2E CA", "Other CA", "Down", "Backup", "Mail", "Primary").Replace(string(e2e))
	files := map[string]string{"e2e": desiredFile("e2e"), "other": filepath.Join(t.TempDir(), "other.dsconfig")}
	writeFile(t, files["other"], other)
	want := map[string]string{}
	for name, file := range files {
		dir := t.TempDir()
		dsMust(t, dir, "apply-config", file)
		want[strings.Join(exportLines(t, dir), "\n")] = name
	}
	for i := range 10 {
		dir := storeOf(t, "quickstart")
		var wg sync.WaitGroup
		for name, file := range files {
			wg.Go(func() {
				if r := dsRun(t, dir, "apply-config", "--prune", file); r.Code != 0 {
					t.Errorf("apply %s: exit %d\n%s", name, r.Code, r.Err)
				}
			})
		}
		wg.Wait()
		got := strings.Join(exportLines(t, dir), "\n")
		if _, ok := want[got]; !ok {
			t.Fatalf("run %d: the store is neither desired state:\n%s", i, got)
		}
	}
}
