package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A mistyped --config-dir is noticed: a read of a missing store says so
// and shows an empty result, a write that creates the store says so, in
// one line on stderr; --quiet silences both.
func TestStoreNotices(t *testing.T) {
	create := []string{"create-passphrase-provider", "--provider-name", "A", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:X"}
	t.Run("read", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "typo")
		r := dsRun(t, dir, "list-passphrase-providers", "--script-friendly")
		want := "dsconfig: no configuration store in " + dir + "; the configuration is empty\n"
		if r.Code != 0 || r.Out != "" || r.Err != want {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0, nothing and %q", r.Code, r.Out, r.Err, want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("a read made %s: %v", dir, err)
		}
		if r := dsRun(t, dir, "list-passphrase-providers", "--quiet"); r.Code != 0 || r.Err != "" {
			t.Errorf("--quiet: exit %d, stderr %q", r.Code, r.Err)
		}
	})
	t.Run("write", func(t *testing.T) {
		dir := t.TempDir()
		r := dsRun(t, dir, create...)
		if want := "dsconfig: created a new configuration store in " + dir + "\n"; r.Code != 0 || r.Err != want {
			t.Errorf("first write: exit %d, stderr %q; want %q", r.Code, r.Err, want)
		}
		if r := dsRun(t, dir, "set-passphrase-provider-prop", "--provider-name", "A", "--set", "environment-variable:Y"); r.Code != 0 || r.Err != "" {
			t.Errorf("second write: exit %d, stderr %q", r.Code, r.Err)
		}
		if r := dsRun(t, dir, "list-passphrase-providers"); r.Err != "" {
			t.Errorf("read of an existing store: stderr %q", r.Err)
		}
	})
	t.Run("quiet write", func(t *testing.T) {
		if r := dsRun(t, t.TempDir(), append(create, "-Q")...); r.Code != 0 || r.Err != "" {
			t.Errorf("exit %d, stderr %q", r.Code, r.Err)
		}
	})
	t.Run("refused write", func(t *testing.T) {
		dir := t.TempDir()
		if r := dsRun(t, dir, "create-passphrase-provider", "--provider-name", "A", "--type", "environment-variable"); r.Code == 0 || r.Err == "" {
			t.Fatalf("exit %d", r.Code)
		} else if strings.Contains(r.Err, "created a new configuration store") {
			t.Errorf("a refused change says it created the store: %q", r.Err)
		}
	})
	t.Run("batch", func(t *testing.T) {
		dir := t.TempDir()
		batch := filepath.Join(t.TempDir(), "b.dsconfig")
		line := "dsconfig create-passphrase-provider --provider-name A --type environment-variable --set enabled:true --set environment-variable:X\n" +
			"dsconfig list-passphrase-providers\n" +
			"dsconfig create-passphrase-provider --provider-name B --type environment-variable --set enabled:true --set environment-variable:Y\n"
		if err := os.WriteFile(batch, []byte(line), 0o600); err != nil {
			t.Fatal(err)
		}
		r := dsRun(t, dir, "--batch-file", batch)
		if want := "dsconfig: created a new configuration store in " + dir + "\n"; r.Code != 0 || r.Err != want {
			t.Errorf("exit %d, stderr %q; want %q", r.Code, r.Err, want)
		}
	})
	t.Run("apply-config", func(t *testing.T) {
		dir := t.TempDir()
		r := dsRun(t, dir, "apply-config", desiredFile("quickstart"))
		if want := "dsconfig: created a new configuration store in " + dir + "\n"; r.Code != 0 || r.Err != want {
			t.Errorf("exit %d, stderr %q; want %q", r.Code, r.Err, want)
		}
	})
}
