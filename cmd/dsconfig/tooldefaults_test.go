package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/toolprops"
)

// TestToolDefaultsPrecedence checks flag > DSCONFIG_* > tools.properties >
// built-in, using --script-friendly, whose effect shows in list output.
func TestToolDefaultsPrecedence(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "p", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:P")
	const table, script = "Passphrase Provider : Type", "p\tenvironment-variable\ttrue\n"
	list := func(env map[string]string, args ...string) string {
		t.Helper()
		r := dsRunEnv(t, dir, "", env, append([]string{"list-passphrase-providers"}, args...)...)
		if r.Code != 0 {
			t.Fatalf("exit %d: %s", r.Code, r.Err)
		}
		if strings.HasPrefix(r.Out, table) {
			return "table"
		}
		if r.Out == script {
			return "script"
		}
		t.Fatalf("unexpected output %q", r.Out)
		return ""
	}
	props := filepath.Join(dir, toolprops.FileName)
	on := map[string]string{"DSCONFIG_SCRIPT_FRIENDLY": "true"}
	off := map[string]string{"DSCONFIG_SCRIPT_FRIENDLY": "false"}

	if got := list(nil); got != "table" {
		t.Errorf("built-in default: %s, want table", got)
	}
	writeFile(t, props, "# tools.properties\nscript-friendly=true\nhostname=ldap.example.com\nldapsearch.baseDN=dc=example\n")
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"file", nil, nil, "script"},
		{"flag over file", nil, []string{"--script-friendly=false"}, "table"},
		{"env over file", off, nil, "table"},
		{"flag over env", off, []string{"--script-friendly"}, "script"},
		{"no-properties-file", nil, []string{"--no-properties-file"}, "table"},
		{"env without file", on, []string{"--no-properties-file"}, "script"},
	} {
		if got := list(tt.env, tt.args...); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}

	// A tool-specific line beats the general one.
	writeFile(t, props, "script-friendly=true\ndsconfig.script-friendly=false\n")
	if got := list(nil); got != "table" {
		t.Errorf("dsconfig.script-friendly=false: %s, want table", got)
	}
}

func TestToolDefaultsErrors(t *testing.T) {
	dir := t.TempDir()
	props := filepath.Join(dir, toolprops.FileName)
	for _, tt := range []struct {
		file string
		env  map[string]string
		want string
	}{
		{"script-friendly=perhaps\n", nil, `invalid value "perhaps" for --script-friendly in tools.properties`},
		{"", map[string]string{"DSCONFIG_MAX_CONFIG_ARCHIVES": "many"}, `invalid value "many" for --max-config-archives in environment variable DSCONFIG_MAX_CONFIG_ARCHIVES`},
		{"\n\nbindPassword=\\u12zz\n", nil, `tools.properties:3: the line is malformed: a \u escape needs four hex digits`},
	} {
		writeFile(t, props, tt.file)
		r := dsRunEnv(t, dir, "", tt.env, "list-passphrase-providers")
		if r.Code != exitUsage || !strings.Contains(r.Err, tt.want) || strings.Contains(r.Err, "12zz") {
			t.Errorf("exit %d, stderr %q; want %d and %q, without the malformed value", r.Code, r.Err, exitUsage, tt.want)
		}
	}
}

// TestToolsPropertiesJavaSyntax reads a PingDirectory tools.properties:
// white space separates a name from its value as "=" and ":" do, and the
// LDAP connection options of other tools are ignored and never printed.
func TestToolsPropertiesJavaSyntax(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "p", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:P")
	writeFile(t, filepath.Join(dir, toolprops.FileName), "! PingDirectory tools.properties\n"+
		"hostname ds.example.com\nport: 636\nbindDN=cn=Directory Manager\nbindPassword Sup3rSecret-tp\n"+
		"  dsconfig.script-friendly   true\n")
	for _, args := range [][]string{{"list-passphrase-providers"}, {"get-passphrase-provider-prop", "--provider-name", "nope"}, {"list-passphrase-providers", "--max-config-archives", "x"}} {
		r := dsRunEnv(t, dir, "", nil, args...)
		if strings.Contains(r.Out+r.Err, "Sup3rSecret") || strings.Contains(r.Out+r.Err, "Directory Manager") {
			t.Errorf("%q printed a tools.properties value: %q %q", args, r.Out, r.Err)
		}
		if args[0] == "list-passphrase-providers" && len(args) == 1 && (r.Code != 0 || r.Out != "p\tenvironment-variable\ttrue\n") {
			t.Errorf("%q: exit %d, %q %q; want script-friendly output from the file", args, r.Code, r.Out, r.Err)
		}
	}
}

// TestToolsPropertiesNoExpansion checks that ${...} in a value is read as
// written: an undefined name neither breaks the file nor is printed.
func TestToolsPropertiesNoExpansion(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "p", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:P")
	writeFile(t, filepath.Join(dir, toolprops.FileName), "bindPassword=Sup3r${Secret-tp}\nscript-friendly=${\nscript-friendly=true\n")
	r := dsRunEnv(t, dir, "", nil, "list-passphrase-providers")
	if r.Code != 0 || r.Out != "p\tenvironment-variable\ttrue\n" || strings.Contains(r.Out+r.Err, "Secret") {
		t.Errorf("exit %d, %q %q; want script-friendly output and no value printed", r.Code, r.Out, r.Err)
	}
}

// TestToolsPropertiesUnreadable checks the documented split: a file that
// cannot be read is exit 1, a malformed one exit 2.
func TestToolsPropertiesUnreadable(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, toolprops.FileName), 0o700); err != nil {
		t.Fatal(err)
	}
	if r := dsRunEnv(t, dir, "", nil, "list-passphrase-providers"); r.Code != exitError {
		t.Errorf("tools.properties a directory: exit %d, %q; want %d", r.Code, r.Err, exitError)
	}
}
