package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
)

// The examples in docs/store-format.md and docs/audit-log.md are kept
// honest: the store example loads through config.Store and is what
// dsconfig itself would write, and the audit example is a valid batch file
// whose headers and undo commands have the form the audit log writes.

// docBlock returns the first fenced block after the heading in the
// markdown file, without its fences.
func docBlock(t *testing.T, file, heading string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", file))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/%s has no heading %q", file, heading)
	}
	_, after, ok = strings.Cut(after, "```")
	if ok {
		_, after, ok = strings.Cut(after, "\n") // the fence's info string
	}
	block, _, closed := strings.Cut(after, "\n```")
	if !ok || !closed {
		t.Fatalf("docs/%s: no fenced block after %q", file, heading)
	}
	return block + "\n"
}

func TestDocStoreFormatExampleLoads(t *testing.T) {
	example := docBlock(t, "store-format.md", "## config.yaml")
	reg, err := registry.New()
	if err != nil {
		t.Fatal(err)
	}
	store := &config.Store{Dir: t.TempDir(), Registry: reg}
	if err := os.WriteFile(store.Path(), []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Load()
	if err != nil {
		t.Fatalf("the example store in docs/store-format.md does not load: %v\n%s", err, example)
	}
	if n := len(st.List(config.KindExternalServer)); n != 1 {
		t.Errorf("the example loads with %d external servers, want 1", n)
	}
	// The store is written deterministically: the example is exactly
	// what dsconfig writes for it, comments and order included.
	again, err := reg.Encode(st)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, []byte(example)) {
		t.Errorf("dsconfig writes the example store differently from docs/store-format.md:\n--- written\n%s--- documented\n%s", again, example)
	}
}

// auditHeaderRE is the form of an audit header: the documented example's
// time, user and pid are made up.
var auditHeaderRE = regexp.MustCompile(`^# \[\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d\.\d{3} [+-]\d{4}\] user=\S+ pid=\d+ dsconfig$`)

func TestDocAuditLogExampleParses(t *testing.T) {
	example := docBlock(t, "audit-log.md", "## Format")
	lines, err := batchfile.Parse("docs/audit-log.md", strings.NewReader(example))
	if err != nil {
		t.Fatalf("the example records in docs/audit-log.md are not a valid batch file: %v", err)
	}
	var headers, undos []string
	for _, l := range strings.Split(example, "\n") {
		if rest, ok := strings.CutPrefix(l, "# Undo command: "); ok {
			undos = append(undos, rest)
		} else if strings.HasPrefix(l, "# [") {
			headers = append(headers, l)
		}
	}
	if len(lines) != 2 || len(headers) != len(lines) || len(undos) != len(lines) {
		t.Fatalf("%d commands, %d headers, %d undo commands; want 2 records of each", len(lines), len(headers), len(undos))
	}
	commands := commandNames(t)
	for i, h := range headers {
		if !auditHeaderRE.MatchString(h) {
			t.Errorf("header %q does not match the audit header form %s", h, auditHeaderRE)
		}
		if !commands[lines[i].Args[0]] {
			t.Errorf("record %d runs %q, which is not a dsconfig command", i+1, lines[i].Args[0])
		}
		undo, err := batchfile.Parse("undo", strings.NewReader(undos[i]))
		if err != nil || len(undo) != 1 || !commands[undo[0].Args[0]] {
			t.Errorf("undo command %q does not parse as one dsconfig command: %v", undos[i], err)
		}
	}
}

// commandNames is the set of subcommand names of the command tree.
func commandNames(t *testing.T) map[string]bool {
	f := testFactory(t)
	names := map[string]bool{}
	for _, c := range newRootCmd(f).Commands() {
		names[c.Name()] = true
	}
	return names
}

// Replaying the documented records writes the same records (headers
// aside): the example shows the exact form, quoting and undo commands
// that dsconfig writes.
func TestDocAuditLogExampleReplays(t *testing.T) {
	example := docBlock(t, "audit-log.md", "## Format")
	dir := t.TempDir()
	ppMust(t, dir, "", "create-passphrase-provider", "--provider-name", "SMTP Client Secret", "--type", "environment-variable",
		"--set", "enabled:true", "--set", "environment-variable:SMTP_CLIENT_SECRET")
	ppMust(t, dir, "", "create-http-authorization-method", "--method-name", "SMTP Bearer Token", "--type", "client-credentials-bearer-token",
		"--set", "enabled:true", "--set", "oauth-server-token-endpoint-url:https://idp.example.com/oauth2/token",
		"--set", "oauth-client-id:your-client-id", "--set", "oauth-client-secret-passphrase-provider:SMTP Client Secret")
	logPath := filepath.Join(dir, history.AuditLogName)
	before, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	ppMust(t, dir, example, "--batch-file", "-")
	after, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := withoutHeaders(t, string(after[len(before):])), withoutHeaders(t, example); got != want {
		t.Errorf("replaying the example writes other records than docs/audit-log.md shows:\n--- written\n%s--- documented\n%s", got, want)
	}
}

// withoutHeaders replaces each audit header line, which holds the time,
// user and pid, by a marker, after checking its form.
func withoutHeaders(t *testing.T, records string) string {
	t.Helper()
	lines := strings.Split(records, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "# [") {
			if !auditHeaderRE.MatchString(l) {
				t.Errorf("header %q does not match the audit header form", l)
			}
			lines[i] = "# [header]"
		}
	}
	return strings.TrimSpace(strings.Join(lines, "\n")) + "\n"
}
