package main

import (
	"path/filepath"
	"strings"
	"testing"
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
	props := filepath.Join(dir, ToolsPropertiesName)
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
	props := filepath.Join(dir, ToolsPropertiesName)
	for _, tt := range []struct {
		file string
		env  map[string]string
		want string
	}{
		{"script-friendly=perhaps\n", nil, `invalid value "perhaps" for --script-friendly in tools.properties`},
		{"", map[string]string{"DSCONFIG_MAX_CONFIG_ARCHIVES": "many"}, `invalid value "many" for --max-config-archives in environment variable DSCONFIG_MAX_CONFIG_ARCHIVES`},
		{"\n\njust words\n", nil, "tools.properties:3: expected NAME=VALUE"},
	} {
		writeFile(t, props, tt.file)
		r := dsRunEnv(t, dir, "", tt.env, "list-passphrase-providers")
		if r.Code != exitUsage || !strings.Contains(r.Err, tt.want) {
			t.Errorf("exit %d, stderr %q; want %d and %q", r.Code, r.Err, exitUsage, tt.want)
		}
	}
}
