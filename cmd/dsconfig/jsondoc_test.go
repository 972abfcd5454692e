package main

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/apply"
	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

// docs/json.md is the output contract for scripts. These tests keep it
// honest: every command that has --output is in its index (so a command
// added later fails here until it is documented), every key of every
// JSON shape is named in it, and its checked examples are what dsconfig
// prints for the store its setup block builds (-update rewrites them).

const jsonDoc = "../../docs/json.md"

// outputCommands returns the full names of the commands with --output.
func outputCommands(t *testing.T) []string {
	t.Helper()
	f, err := newFactory(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}, func(string) string { return "" }, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.LocalFlags().Lookup("output") != nil {
			names = append(names, strings.TrimPrefix(c.CommandPath(), "dsconfig "))
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRootCmd(f))
	if len(names) < 10 {
		t.Fatalf("only %d commands with --output: %v", len(names), names)
	}
	return names
}

func readJSONDoc(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestJSONDocListsEveryCommand(t *testing.T) {
	doc := readJSONDoc(t)
	for _, name := range outputCommands(t) {
		if !strings.Contains(doc, "\n| `"+name+"` |") {
			t.Errorf("docs/json.md does not document %s --output json: add a row \"| `%s` | ... |\" to its index and describe the document", name, name)
		}
	}
}

// TestJSONDocNamesEveryKey checks that each key of each JSON shape is
// named in the document, as `key`.
func TestJSONDocNamesEveryKey(t *testing.T) {
	doc := readJSONDoc(t)
	shapes := []any{render.Object{}, helptext.Property{}, report.Secret{}, report.Token{}, report.Check{}, check.Finding{},
		apply.Result{}, apply.Entry{}, report.Mail{}, report.Step{}, report.Sent{}, report.Failure{}}
	for _, s := range shapes {
		typ := reflect.TypeOf(s)
		for i := range typ.NumField() {
			tag, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			if !strings.Contains(doc, "`"+tag+"`") {
				t.Errorf("docs/json.md does not name the key %q of %s", tag, typ)
			}
		}
	}
}

var (
	setupBlock   = regexp.MustCompile("(?s)<!-- setup -->\n```sh\n(.*?)```")
	checkedBlock = regexp.MustCompile("(?s)(<!-- checked -->\n```console\n\\$ dsconfig ([^\n]*)\n)(.*?)(```)")
)

func TestJSONDocExamples(t *testing.T) {
	doc := readJSONDoc(t)
	dir := t.TempDir()
	env := map[string]string{"SMTP_CLIENT_SECRET": "example"}
	run := func(line string) (int, string) {
		t.Helper()
		lines, err := batchfile.Parse("docs/json.md", strings.NewReader(line))
		if err != nil || len(lines) != 1 {
			t.Fatalf("%q: %v", line, err)
		}
		var out, errOut bytes.Buffer
		ios := &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}
		code := Main(append([]string{"--config-dir", dir}, lines[0].Args...), ios, func(k string) string { return env[k] })
		return code, out.String()
	}
	m := setupBlock.FindStringSubmatch(doc)
	if m == nil {
		t.Fatal("docs/json.md has no setup block")
	}
	for _, l := range strings.Split(strings.TrimSpace(m[1]), "\n") {
		if code, _ := run(strings.TrimPrefix(l, "dsconfig ")); code != 0 {
			t.Fatalf("setup %q: exit %d", l, code)
		}
	}
	n := 0
	updated := checkedBlock.ReplaceAllStringFunc(doc, func(block string) string {
		sm := checkedBlock.FindStringSubmatch(block)
		n++
		_, out := run(sm[2])
		if out != sm[3] && !*update {
			t.Errorf("docs/json.md: the example of dsconfig %s is not what it prints:\n%s", sm[2], out)
		}
		return sm[1] + out + sm[4]
	})
	if n < 5 {
		t.Errorf("only %d checked examples", n)
	}
	if *update && updated != doc {
		if err := os.WriteFile(filepath.Clean(jsonDoc), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
