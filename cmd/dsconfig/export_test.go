package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExportImport(t *testing.T) {
	dir, _ := provisioned(t, "")
	// An HTTP method that needs an external server (a later kind), and an
	// explicitly empty list.
	dsMust(t, dir, "create-external-server", "--server-name", "proxy", "--type", "http-proxy", "--set", "server-host-name:proxy.example.com", "--set", "server-port:3128")
	dsMust(t, dir, "create-http-authorization-method", "--method-name", "via proxy", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:https://idp.example.com/token", "--set", "oauth-client-id:c",
		"--set", "oauth-client-secret-passphrase-provider:vault", "--set", "http-proxy-external-server:proxy", "--set", "requested-scope:a")
	dsMust(t, dir, "set-http-authorization-method-prop", "--method-name", "via proxy", "--remove", "requested-scope:a")
	want := readStore(t, dir)

	out := filepath.Join(t.TempDir(), "export.dsconfig")
	dsMust(t, dir, "export-config", "--output-file", out)
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "open\n# only with the encryption-key file") {
		t.Errorf("export lacks the note on sealed values:\n%s", text)
	}
	lines := strings.Split(strings.TrimSpace(string(text)), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "dsconfig set-global-configuration-prop") {
		t.Errorf("last line %q, want the global configuration", last)
	}
	if strings.Index(string(text), "--server-name proxy") > strings.Index(string(text), `--method-name "via proxy"`) {
		t.Errorf("the proxy is created after the method that refers to it:\n%s", text)
	}

	empty := t.TempDir()
	copyKey(t, dir, empty)
	dsMust(t, empty, "--batch-file", out)
	if got := readStore(t, empty); !bytes.Equal(got, want) {
		t.Errorf("import of the export gave\n%s\nwant\n%s", got, want)
	}
}

func TestConfigDiff(t *testing.T) {
	dir, _ := provisioned(t, "")
	srcDir := t.TempDir()
	copyKey(t, dir, srcDir)
	writeFile(t, filepath.Join(srcDir, "config.yaml"), string(readStore(t, dir)))

	// The target drops the SMTP server, changes a secret and a list, adds
	// a provider and retypes another.
	for _, args := range [][]string{
		{"set-global-configuration-prop", "--reset", "smtp-server"},
		{"delete-external-server", "--server-name", "Exchange Online"},
		{"set-passphrase-provider-prop", "--provider-name", "vault", "--set", "obscured-value:new", "--set", "enabled:false"},
		{"set-http-authorization-method-prop", "--method-name", "SMTP Bearer Token", "--set", "requested-scope:z", "--set", "oauth-client-secret-passphrase-provider:added"},
		{"delete-passphrase-provider", "--provider-name", "SMTP Client Secret"},
		{"create-passphrase-provider", "--provider-name", "SMTP Client Secret", "--type", "file-based", "--set", "enabled:true", "--set", "password-file:secret.txt"},
	} {
		if args[0] == "set-http-authorization-method-prop" {
			dsMust(t, dir, "create-passphrase-provider", "--provider-name", "added", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A")
		}
		dsMust(t, dir, args...)
	}
	target := readStore(t, dir)

	out := dsMust(t, dir, "config-diff", "--source-store", filepath.Join(srcDir, "config.yaml")).Out
	diff := filepath.Join(t.TempDir(), "diff.dsconfig")
	writeFile(t, diff, out)
	dsMust(t, srcDir, "--batch-file", diff)
	if got := readStore(t, srcDir); !bytes.Equal(got, target) {
		t.Errorf("applying the diff\n%s\ngave\n%s\nwant\n%s", out, got, target)
	}

	// Two explicit stores, and no differences.
	same := dsMust(t, dir, "config-diff", "--source-store", srcDir, "--target-store", filepath.Join(srcDir, "config.yaml")).Out
	if !strings.Contains(same, "# No differences.") {
		t.Errorf("diff of a store with itself:\n%s", same)
	}
	if r := dsRun(t, dir, "config-diff"); r.Code != exitUsage {
		t.Errorf("config-diff without --source-store: exit %d", r.Code)
	}
}

// --output-file over an existing world-readable file leaves it 0600.
func TestExportOutputFileIsPrivate(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-external-server", "--server-name", "proxy", "--type", "http-proxy", "--set", "server-host-name:proxy.example.com", "--set", "server-port:3128")
	out := filepath.Join(t.TempDir(), "export.dsconfig")
	if err := os.WriteFile(out, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(out, 0o644); err != nil {
		t.Fatal(err)
	}
	dsMust(t, dir, "export-config", "--output-file", out)
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("output file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if text, _ := os.ReadFile(out); !strings.Contains(string(text), "proxy") {
		t.Errorf("output file:\n%s", text)
	}
}
