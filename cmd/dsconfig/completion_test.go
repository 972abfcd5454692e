package main

import (
	"strings"
	"testing"
)

// complete runs cobra's hidden __complete command and returns the
// completions, without the trailing directive line.
func completeArgs(t *testing.T, dir string, args ...string) ([]string, string) {
	t.Helper()
	r := dsMust(t, dir, append([]string{"__complete"}, args...)...)
	lines := strings.Split(strings.TrimSuffix(r.Out, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	dir, _ := provisioned(t, "create-external-server --server-name proxy --type http-proxy --set server-host-name:p.example.com --set server-port:3128\n")

	tests := []struct {
		name string
		args []string
		want string // completions joined by |
		dir  string
	}{
		{"subcommands", []string{"set-passphrase-provider"}, "set-passphrase-provider-prop", ":4"},
		{"provider names", []string{"get-passphrase-provider-prop", "--provider-name", ""}, "SMTP Client Secret|vault", ":4"},
		{"method names", []string{"delete-http-authorization-method", "--method-name", "S"}, "SMTP Bearer Token", ":4"},
		{"server names", []string{"set-external-server-prop", "--server-name", ""}, "Exchange Online|proxy", ":4"},
		{"properties of the named object's type", []string{"set-external-server-prop", "--server-name", "proxy", "--set", ""},
			"description:|server-host-name:|server-port:", ":6"},
		{"properties of --type on create", []string{"create-passphrase-provider", "--type", "obscured-value", "--set", ""},
			"description:|enabled:|obscured-value:", ":6"},
		{"property prefix", []string{"set-external-server-prop", "--server-name", "Exchange Online", "--add", "smtp-s"},
			"smtp-security:", ":6"},
		{"reset takes names only", []string{"set-passphrase-provider-prop", "--provider-name", "vault", "--reset", "d"}, "description", ":4"},
		{"enum values", []string{"set-external-server-prop", "--server-name", "Exchange Online", "--set", "smtp-security:"},
			"smtp-security:none|smtp-security:starttls|smtp-security:ssl", ":4"},
		{"boolean values", []string{"set-passphrase-provider-prop", "--provider-name", "vault", "--set", "enabled:f"}, "enabled:false", ":4"},
		{"references filtered by type", []string{"set-global-configuration-prop", "--set", "smtp-server:"}, "smtp-server:Exchange Online", ":4"},
		{"references of another kind", []string{"set-http-authorization-method-prop", "--method-name", "SMTP Bearer Token", "--set", "oauth-client-secret-passphrase-provider:v"},
			"oauth-client-secret-passphrase-provider:vault", ":4"},
		{"types", []string{"create-external-server", "--type", ""}, "http-proxy|smtp", ":4"},
		{"send-test-mail servers are smtp ones", []string{"send-test-mail", "--server-name", ""}, "Exchange Online", ":4"},
		{"get-access-token methods", []string{"get-access-token", "--method-name", ""}, "SMTP Bearer Token", ":4"},
		{"test-passphrase-provider providers", []string{"test-passphrase-provider", "--provider-name", "v"}, "vault", ":4"},
		{"get-prop --property", []string{"get-passphrase-provider-prop", "--provider-name", "vault", "--property", ""},
			"description|enabled|obscured-value", ":4"},
		{"list --property", []string{"list-passphrase-providers", "--property", "env"}, "environment-variable", ":4"},
		{"mechanisms", []string{"send-test-mail", "--mechanism", ""}, "xoauth2|oauthbearer", ":4"},
		{"quit-after stages", []string{"send-test-mail", "--quit-after", ""}, "connect|tls|ehlo|auth|mail|rcpt", ":4"},
		{"initial-response modes", []string{"send-test-mail", "--initial-response", ""}, "auto|inline|two-step", ":4"},
		{"output formats", []string{"get-access-token", "--output", ""}, "table|json", ":4"},
		{"output formats of object commands", []string{"list-external-servers", "-o", "j"}, "json", ":4"},
		{"set-from-file offers sensitive properties", []string{"set-passphrase-provider-prop", "--provider-name", "vault", "--set-from-file", ""},
			"obscured-value:", ":6"},
		{"set-from-file on create", []string{"create-external-server", "--type", "smtp", "--set-from-file", ""}, "password:", ":6"},
		{"--remove offers the named object's values", []string{"set-http-authorization-method-prop", "--method-name", "SMTP Bearer Token", "--remove", "requested-scope:"},
			"requested-scope:https://outlook.office365.com/.default|requested-scope:offline_access", ":4"},
		{"--remove of an unset property offers nothing", []string{"set-external-server-prop", "--server-name", "proxy", "--remove", "description:"}, "", ":4"},
		{"--remove of the global list", []string{"set-global-configuration-prop", "--remove", "smtp-server:"}, "smtp-server:Exchange Online", ":4"},
		{"list-properties --type", []string{"list-properties", "--type", "c"}, "client-credentials-bearer-token|command", ":4"},
		{"list-properties --type of --object-type", []string{"list-properties", "--object-type", "external-server", "--type", ""}, "http-proxy|smtp", ":4"},
		{"file properties complete paths", []string{"create-trust-manager-provider", "--type", "file-based", "--set", "trust-store-file:"}, "", ":0"},
		{"set-from-file completes files after the colon", []string{"set-passphrase-provider-prop", "--provider-name", "vault", "--set-from-file", "obscured-value:"},
			"", ":0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, directive := completeArgs(t, dir, tt.args...)
			var names []string
			for _, g := range got {
				names = append(names, strings.SplitN(g, "\t", 2)[0]) // drop descriptions
			}
			if strings.Join(names, "|") != tt.want || directive != tt.dir {
				t.Errorf("completions %q %s, want %q %s", names, directive, tt.want, tt.dir)
			}
		})
	}
}

func TestCompletionScripts(t *testing.T) {
	dir := t.TempDir()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := dsMust(t, dir, "completion", shell)
		if !strings.Contains(r.Out, "__complete") {
			t.Errorf("completion %s does not call back into dsconfig", shell)
		}
	}
	if r := dsMust(t, dir, "--help"); !strings.Contains(r.Out, "completion") {
		t.Errorf("completion is not listed in --help")
	}
}

// A shell cobra has no script for is a usage error, not help and exit 0.
func TestCompletionUnknownShell(t *testing.T) {
	r := dsRun(t, t.TempDir(), "completion", "tcsh")
	want := `dsconfig: error: unknown shell "tcsh" for completion; the shells are bash, fish, powershell, zsh`
	if r.Code != exitUsage || !strings.HasPrefix(r.Err, want+"\n") || r.Out != "" {
		t.Errorf("exit %d\nstdout: %s\nstderr: %s\nwant exit %d, %q", r.Code, r.Out, r.Err, exitUsage, want)
	}
}
