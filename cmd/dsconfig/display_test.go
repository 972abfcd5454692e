package main

import (
	"strings"
	"testing"
)

// A name with an escape sequence, which a hand-edited store can hold,
// is shown escaped in list and get-prop tables, and in JSON as JSON
// escapes it.
func TestTablesEscapeControlCharacters(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir+"/config.yaml", "version: 1\npassphrase-providers:\n  \"evil\\e[31m\":\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: \"X\\e[0m\"\n")
	for _, args := range [][]string{
		{"list-passphrase-providers", "--property", "environment-variable"},
		{"--script-friendly", "list-passphrase-providers", "--property", "environment-variable"},
		{"get-passphrase-provider-prop", "--provider-name", "evil\x1b[31m"},
	} {
		r := dsRun(t, dir, args...)
		if r.Code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.Code, r.Err)
		}
		if strings.Contains(r.Out, "\x1b") || !strings.Contains(r.Out, `\x1b[`) {
			t.Errorf("%v: output holds a raw escape, or no escaped one:\n%s", args, r.Out)
		}
	}
	r := dsRun(t, dir, "list-passphrase-providers", "--output", "json")
	if !strings.Contains(r.Out, `"evil\u001b[31m"`) {
		t.Errorf("JSON output: %s", r.Out)
	}
}
