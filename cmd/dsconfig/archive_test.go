package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

func TestArchiveAndRestore(t *testing.T) {
	dir, _ := provisioned(t, "")
	v1 := readStore(t, dir)
	if entries, _ := history.ListArchive(dir); len(entries) != 0 {
		t.Fatalf("the first change archived %d versions; there was nothing before it", len(entries))
	}
	// The clock stops, so the archive names are known: the same time,
	// then a sequence number.
	dsMustAt(t, dir, auditTime, "set-global-configuration-prop", "--reset", "smtp-server")
	dsMustAt(t, dir, auditTime, "delete-external-server", "--server-name", "Exchange Online")
	dsMustAt(t, dir, auditTime, "create-passphrase-provider", "--provider-name", "later", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:L")
	dsMustAt(t, dir, auditTime, "set-passphrase-provider-prop", "--provider-name", "vault", "--set", "obscured-value:changed")

	entries, err := history.ListArchive(dir)
	if err != nil || len(entries) != 4 {
		t.Fatalf("%d archived versions (%v), want 4", len(entries), err)
	}
	var list strings.Builder
	for i, e := range entries {
		name := "config-20261127-002530.123Z.yaml.gz"
		if i > 0 {
			name = fmt.Sprintf("config-20261127-002530.123Z-%d.yaml.gz", i+1)
		}
		fmt.Fprintf(&list, "%s\t27/Nov/2026:00:25:30.123 +0000\t%d\n", name, e.Size)
	}
	if out := dsMust(t, dir, "list-config-archive", "--script-friendly").Out; out != list.String() {
		t.Errorf("list-config-archive =\n%s\nwant\n%s", out, list.String())
	}
	nLog := len(auditRecords(t, dir))

	dsMust(t, dir, "restore-config-archive", "--archive", entries[0].Name)
	if got := readStore(t, dir); !bytes.Equal(got, v1) {
		t.Errorf("restored store\n%s\nwant\n%s", got, v1)
	}
	// The restore is a change like any other: archived and audited.
	if after, _ := history.ListArchive(dir); len(after) != 5 {
		t.Errorf("%d archived versions after the restore, want 5", len(after))
	}
	recs := auditRecords(t, dir)
	var cmds []string
	for _, r := range recs[nLog:] {
		cmds = append(cmds, r[2])
	}
	want := []string{
		`dsconfig delete-passphrase-provider --provider-name later`,
		`dsconfig set-passphrase-provider-prop --provider-name vault --set obscured-value:AES256GCM:`,
		`dsconfig create-external-server --server-name "Exchange Online" --type smtp`,
		`dsconfig set-global-configuration-prop --set "smtp-server:Exchange Online"`,
	}
	if len(cmds) != len(want) {
		t.Fatalf("restore recorded\n%s\nwant %d records", strings.Join(cmds, "\n"), len(want))
	}
	for i := range want {
		if !strings.HasPrefix(cmds[i], want[i]) {
			t.Errorf("record %d = %q, want prefix %q", i, cmds[i], want[i])
		}
	}
}

// TestRestoreOverBrokenStore restores an archive over a store that does
// not load: the broken file is kept aside (0600), the archived store is
// written, and the audit log says what happened.
func TestRestoreOverBrokenStore(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "a", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A")
	v1 := readStore(t, dir)
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "b", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:B")
	broken := append(readStore(t, dir), "  c: [\n"...)
	writeFile(t, filepath.Join(dir, "config.yaml"), string(broken))

	r := dsRun(t, dir, "list-passphrase-providers")
	if r.Code != exitConfig || !strings.Contains(r.Err, "'dsconfig list-config-archive' lists them and 'dsconfig restore-config-archive --archive NAME' restores one") {
		t.Errorf("broken store: exit %d, %q; want 3 with a hint naming the archive commands", r.Code, r.Err)
	}
	entries, err := history.ListArchive(dir)
	if err != nil || len(entries) != 1 {
		t.Fatalf("archive: %v, %v", entries, err)
	}
	r = dsMust(t, dir, "restore-config-archive", "--archive", entries[0].Name)
	if got := readStore(t, dir); !bytes.Equal(got, v1) {
		t.Errorf("restored store\n%s\nwant\n%s", got, v1)
	}
	asides, _ := filepath.Glob(filepath.Join(dir, "config.yaml.broken-*"))
	if len(asides) != 1 {
		t.Fatalf("broken copies: %v", asides)
	}
	fi, err := os.Stat(asides[0])
	if data, _ := os.ReadFile(asides[0]); err != nil || fi.Mode().Perm() != 0o600 || !bytes.Equal(data, broken) {
		t.Errorf("broken copy %s: mode %v (%v), want the broken file at 0600", asides[0], fi.Mode(), err)
	}
	if !strings.Contains(r.Err, "warning: the configuration store did not load; it was kept as "+asides[0]) {
		t.Errorf("stderr %q does not say where the broken store went", r.Err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, history.AuditLogName))
	want := "# The store " + filepath.Join(dir, "config.yaml") + " did not load; it was kept as " + asides[0] + " and replaced by the archived configuration " + entries[0].Name + "."
	if !strings.Contains(string(log), want) {
		t.Errorf("audit log\n%s\nlacks %q", log, want)
	}
	// The log stays a batch file: the record is comments only.
	dsMust(t, t.TempDir(), "--batch-file", filepath.Join(dir, history.AuditLogName))
}

func TestRestoreErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"restore-config-archive"}, exitUsage, `no --archive given`},
		{[]string{"restore-config-archive", "--archive", "../config.yaml"}, exitUsage, "is not an archive name"},
		{[]string{"restore-config-archive", "--archive", "config-20260101-000000.000Z.yaml.gz"}, exitConfig, "does not exist"},
	} {
		r := dsRun(t, dir, tt.args...)
		if r.Code != tt.code || !strings.Contains(r.Err, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, r.Code, r.Err, tt.code, tt.want)
		}
	}
}

func TestArchiveBoundOption(t *testing.T) {
	// The bound is a global option, so a tool default can set it.
	d2 := t.TempDir()
	for i := range 4 {
		dsMust(t, d2, "--max-config-archives", "2", "create-passphrase-provider", "--provider-name", string(rune('a'+i)),
			"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A")
	}
	if entries, _ := history.ListArchive(d2); len(entries) != 2 {
		t.Errorf("%d archived versions with --max-config-archives 2", len(entries))
	}

	// A negative bound is refused wherever it comes from, and the store
	// is not touched.
	before := readStore(t, d2)
	args := []string{"create-passphrase-provider", "--provider-name", "neg", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A"}
	for _, r := range []dsResult{
		dsRun(t, d2, append([]string{"--max-config-archives", "-1"}, args...)...),
		dsRunEnv(t, d2, "", map[string]string{"DSCONFIG_MAX_CONFIG_ARCHIVES": "-1"}, args...),
	} {
		if r.Code != exitUsage || !strings.Contains(r.Err, "it cannot be negative; 0 archives nothing") {
			t.Errorf("negative --max-config-archives: exit %d, stderr %q; want %d", r.Code, r.Err, exitUsage)
		}
	}
	if !bytes.Equal(readStore(t, d2), before) {
		t.Errorf("a refused --max-config-archives changed the store")
	}
}
