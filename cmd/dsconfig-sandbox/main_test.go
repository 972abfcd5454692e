package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// TestSandboxEnvSourcesBack writes sandbox.env for a sandbox whose
// directory and client ID hold characters a shell would interpret, sources
// it with sh as scripts/demo.sh does, and checks the values come back as
// they were.
func TestSandboxEnvSourcesBack(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := filepath.Join(t.TempDir(), `it's a "dir" $HOME`)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "SANDBOX_CLIENT_SECRET" {
			return "s3cret"
		}
		return ""
	}
	opts, err := parseFlags([]string{"-dir", dir, "-client-id", "o'brien `id` \\"}, io.Discard, getenv)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := sandbox.Start(*opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	if err := writeFiles(sb, dir); err != nil {
		t.Fatal(err)
	}
	script := `. "$1" && printf '%s\n' "$SANDBOX_CA_FILE" "$SANDBOX_MESSAGES" "$SANDBOX_CLIENT_ID" "$SANDBOX_TOKEN_URL"`
	out, err := exec.Command(sh, "-c", script, "sh", filepath.Join(dir, "sandbox.env")).CombinedOutput()
	if err != nil {
		t.Fatalf("sourcing sandbox.env: %v\n%s", err, out)
	}
	want := strings.Join([]string{sb.CAFile, sb.MessageDir, sb.ClientID(), sb.TokenURL()}, "\n") + "\n"
	if string(out) != want {
		t.Errorf("sourced values:\n%s\nwant:\n%s", out, want)
	}
}
