package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
)

// The command reference in docs/commands (markdown) and docs/man (man
// pages), the property reference in docs/reference, and
// docs/exit-codes.md, are generated from the command tree and
// the exit-code table. TestCommandDocsUpToDate fails when they are stale;
// "make docs" (go test -run Docs -update) rewrites them.

// The -update flag is shared with the other docs tests of the package;
// it is defined here only if they did not define it already.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite the generated files in docs/")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// manDate is the date printed in the man pages' footer. It is fixed so
// that the pages do not change by the day they were generated.
var manDate = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

// generateDocs writes the generated docs under dir (docs/).
func generateDocs(dir string) error {
	f, err := newFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }, time.Now)
	if err != nil {
		return err
	}
	root := newRootCmd(f)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, sub := range []string{"commands", "man"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(root, filepath.Join(dir, "commands")); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "DSCONFIG", Section: "1", Date: &manDate, Source: "dsconfig", Manual: "dsconfig manual"}
	if err := doc.GenManTree(root, header, filepath.Join(dir, "man")); err != nil {
		return err
	}
	if err := writeReference(dir, f.Registry); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "checks.md"), []byte(check.Markdown()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "exit-codes.md"), []byte(exitCodesMarkdown()), 0o644)
}

func exitCodesMarkdown() string {
	var b strings.Builder
	b.WriteString("# Exit codes\n\n<!-- Generated from exitCodes in cmd/dsconfig/exitcode.go by `make docs`; do not edit. -->\n\n")
	b.WriteString("In a batch run (`--batch-file`), the exit code is that of the first command that failed.\n\n")
	b.WriteString("| Code | Meaning |\n|---:|---|\n")
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "| %d | %s |\n", c.Code, c.Meaning)
	}
	b.WriteString("\n## send-mail, send-queued-mail and list-queued-mail\n\n")
	b.WriteString("These follow sysexits, as sendmail and msmtp do, so that the scripts and cron jobs that call them retry correctly.\n\n")
	b.WriteString("| Code | Meaning |\n|---:|---|\n")
	for _, c := range sysexitsCodes {
		fmt.Fprintf(&b, "| %d | %s |\n", c.Code, c.Meaning)
	}
	return b.String()
}

// generatedPaths are the files and directories generateDocs owns.
var generatedPaths = []string{"commands", "man", "reference", "exit-codes.md", "checks.md"}

// compareDocs lists the differences between the generated tree got and
// the committed tree want.
func compareDocs(want, got string) []string {
	var diffs []string
	seen := map[string]bool{}
	for _, p := range generatedPaths {
		filepath.Walk(filepath.Join(got, p), func(path string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(got, path)
			seen[rel] = true
			g, _ := os.ReadFile(path)
			w, err := os.ReadFile(filepath.Join(want, rel))
			switch {
			case err != nil:
				diffs = append(diffs, "missing: docs/"+rel)
			case !bytes.Equal(g, w):
				diffs = append(diffs, "stale: docs/"+rel)
			}
			return nil
		})
		filepath.Walk(filepath.Join(want, p), func(path string, fi os.FileInfo, err error) error {
			if rel, _ := filepath.Rel(want, path); err == nil && !fi.IsDir() && !seen[rel] {
				diffs = append(diffs, "no longer generated: docs/"+rel)
			}
			return nil
		})
	}
	return diffs
}

func TestCommandDocsUpToDate(t *testing.T) {
	docs := filepath.Join("..", "..", "docs")
	if updating() {
		for _, p := range generatedPaths {
			os.RemoveAll(filepath.Join(docs, p))
		}
		if err := generateDocs(docs); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	if err := generateDocs(tmp); err != nil {
		t.Fatal(err)
	}
	if diffs := compareDocs(docs, tmp); len(diffs) > 0 {
		t.Errorf("generated docs are out of date; run 'make docs':\n%s", strings.Join(diffs, "\n"))
	}
}

// TestCompareDocsFindsStaleFiles makes sure the check above can fail.
func TestCompareDocsFindsStaleFiles(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if err := generateDocs(a); err != nil {
		t.Fatal(err)
	}
	if err := generateDocs(b); err != nil {
		t.Fatal(err)
	}
	if diffs := compareDocs(a, b); len(diffs) != 0 {
		t.Fatalf("two generations differ: %v", diffs)
	}
	writeFile(t, filepath.Join(a, "commands", "dsconfig_export-config.md"), "old text\n")
	os.Remove(filepath.Join(a, "man", "dsconfig-config-diff.1"))
	writeFile(t, filepath.Join(a, "man", "dsconfig-removed.1"), "gone\n")
	got := strings.Join(compareDocs(a, b), "\n")
	for _, want := range []string{"stale: docs/commands/dsconfig_export-config.md", "missing: docs/man/dsconfig-config-diff.1", "no longer generated: docs/man/dsconfig-removed.1"} {
		if !strings.Contains(got, want) {
			t.Errorf("compareDocs did not report %q; it said:\n%s", want, got)
		}
	}
}
