package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// TestOutputFileRefusesConfigDir checks that --output-file never writes
// over a file of the configuration directory, however the path gets there.
func TestOutputFileRefusesConfigDir(t *testing.T) {
	dir, _ := provisioned(t, "")
	out := t.TempDir()
	os.Symlink(dir, filepath.Join(out, "cfg"))
	os.Symlink(filepath.Join(dir, "encryption-key"), filepath.Join(out, "key"))
	os.Symlink(filepath.Join(dir, "new-file"), filepath.Join(out, "dangling"))
	os.Link(filepath.Join(dir, "config-audit.log"), filepath.Join(out, "hardlink"))
	before := map[string][]byte{}
	for _, n := range []string{"config.yaml", "encryption-key", "config-audit.log"} {
		before[n], _ = os.ReadFile(filepath.Join(dir, n))
	}
	for _, path := range []string{
		filepath.Join(dir, "config.yaml"),
		filepath.Join(dir, "encryption-key"),
		filepath.Join(dir, "config-audit.log"),
		filepath.Join(dir, "archived-configs", "new.gz"),
		filepath.Join(dir, "new-file"),
		filepath.Join(out, "cfg", "config.yaml"),
		filepath.Join(out, "cfg", "not-yet", "x"),
		filepath.Join(out, "key"),
		filepath.Join(out, "dangling"),
		filepath.Join(out, "hardlink"),
		dir + "/../" + filepath.Base(dir) + "/config.yaml",
	} {
		for _, cmd := range [][]string{{"export-config"}, {"config-diff", "--source-store", filepath.Join(dir, "config.yaml")}} {
			r := dsRun(t, dir, append(cmd, "--output-file", path)...)
			if r.Code != 2 || !strings.Contains(r.Err, "is in the configuration directory") {
				t.Errorf("%s --output-file %s: exit %d, stderr %q", cmd[0], path, r.Code, r.Err)
			}
		}
	}
	for n, b := range before {
		if got, _ := os.ReadFile(filepath.Join(dir, n)); !bytes.Equal(got, b) {
			t.Errorf("%s changed", n)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new-file")); err == nil {
		t.Error("new-file created in the configuration directory")
	}
	// Outside, it works.
	dsMust(t, dir, "export-config", "--output-file", filepath.Join(out, "export.dsconfig"))
}

// TestSymlinkedStoreRefused checks that a change to a store reached
// through a symbolic link is refused, leaving the link and its target as
// they were, while reads go through the link.
func TestSymlinkedStoreRefused(t *testing.T) {
	src, _ := provisioned(t, "")
	dir := t.TempDir()
	os.Rename(filepath.Join(src, "encryption-key"), filepath.Join(dir, "encryption-key"))
	os.Symlink(filepath.Join(src, "config.yaml"), filepath.Join(dir, "config.yaml"))
	target := readStore(t, src)
	dsMust(t, dir, "list-passphrase-providers")
	r := dsRun(t, dir, "create-passphrase-provider", "--provider-name", "n", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:N")
	if r.Code != 1 || !strings.Contains(r.Err, "is a symbolic link") {
		t.Errorf("change through a link: exit %d, stderr %q", r.Code, r.Err)
	}
	if fi, err := os.Lstat(filepath.Join(dir, "config.yaml")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the link was replaced")
	}
	if !bytes.Equal(readStore(t, src), target) {
		t.Error("the link's target changed")
	}
}

// TestStoreNamesCheckedOnLoad checks that a hand-edited store holding a
// name no command accepts is a broken store (exit 3, with its line), and
// that an invalid UTF-8 name on the command line is bad input (exit 2).
func TestStoreNamesCheckedOnLoad(t *testing.T) {
	for _, name := range []string{`"a\nb"`, `"a\0b"`, `"a\tb"`} {
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "config.yaml"), "version: 1\npassphrase-providers:\n  "+name+":\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: X\n")
		r := dsRun(t, dir, "list-passphrase-providers")
		if r.Code != 3 || !strings.Contains(r.Err, "config.yaml:3:") || !strings.Contains(r.Err, "must not contain") {
			t.Errorf("name %s: exit %d, stderr %q", name, r.Code, r.Err)
		}
	}
	dir := t.TempDir()
	r := dsRun(t, dir, "create-passphrase-provider", "--provider-name", "bad\xffname", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:N")
	if r.Code != 2 || !strings.Contains(r.Err, "is not valid UTF-8") {
		t.Errorf("invalid UTF-8 name: exit %d, stderr %q", r.Code, r.Err)
	}
	if readStore(t, dir) != nil {
		t.Error("store written")
	}
}

// TestHandEditAfterRecord checks that a store the validation record
// vouched for, once edited by hand, is checked whole again: a read
// reports the problem with its line, a write is refused and changes no
// file, and once the edit is undone the next write records the store
// again.
func TestHandEditAfterRecord(t *testing.T) {
	dir, _ := provisioned(t, "")
	record := filepath.Join(dir, config.CheckedFileName)
	if _, err := os.Stat(record); err != nil {
		t.Fatalf("no validation record after provisioning: %v", err)
	}
	good := readStore(t, dir)
	bad := bytes.Replace(good, []byte("    server-port: \"587\"\n"), []byte("    server-port: \"99999\"\n"), 1)
	if bytes.Equal(bad, good) {
		t.Fatalf("the edit did not apply to\n%s", good)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), string(bad))
	before := dirHashes(t, dir)
	r := dsRun(t, dir, "get-external-server-prop", "--server-name", "Exchange Online")
	if r.Code != 3 || !strings.Contains(r.Err, "config.yaml:") || !strings.Contains(r.Err, "99999") {
		t.Errorf("read of the edited store: exit %d, stderr %q", r.Code, r.Err)
	}
	r = dsRun(t, dir, "create-passphrase-provider", "--provider-name", "New", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:NEW")
	if r.Code != 3 {
		t.Errorf("write to the edited store: exit %d, stderr %q", r.Code, r.Err)
	}
	if after := dirHashes(t, dir); !mapsEqual(before, after) {
		t.Errorf("the directory changed:\n%v\nwas\n%v", after, before)
	}
	writeFile(t, filepath.Join(dir, "config.yaml"), string(good))
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "New", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:NEW")
	rec, err := os.ReadFile(record)
	if err != nil || !bytes.HasSuffix(rec, fmt.Appendf(nil, "store-sha256 %x\n", sha256.Sum256(readStore(t, dir)))) {
		t.Errorf("the record after the write does not name the store (%v):\n%s", err, rec)
	}
}
