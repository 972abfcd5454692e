package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// provisionDeadFirst lists a server that refuses connections before the
// sandbox.
func (e *mailEnv) provisionDeadFirst() {
	e.provision()
	e.must("create-external-server", "--server-name", "Dead", "--type", "smtp", "--set", "server-host-name:127.0.0.1",
		"--set", "server-port:1", "--set", "smtp-security:starttls", "--set", "smtp-timeout:2 s")
	e.must("set-global-configuration-prop", "--set", "smtp-server:Dead", "--set", "smtp-server:Sandbox")
}

// A send that works only on the second server still exits 0, but warns
// and names the failed server, in the JSON too.
func TestSendTestMailFailoverWarns(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provisionDeadFirst()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "auth", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, `dsconfig: warning: the message went through "Sandbox", but the server before it failed: "Dead"`) {
		t.Errorf("stderr lacks the warning:\n%s", errOut)
	}
	var doc struct {
		Result *struct{ Server string }
		Failed []struct{ Server, Stage, Message string } `json:"failed-servers"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Result == nil || doc.Result.Server != "Sandbox" || len(doc.Failed) != 1 || doc.Failed[0].Server != "Dead" || doc.Failed[0].Stage != "connect" {
		t.Errorf("document %+v\n%s", doc, out)
	}
	// --quiet silences the warning, not the JSON.
	_, _, errOut = e.run("--quiet", "send-test-mail", "--to", "ops@example.com", "--quit-after", "auth")
	if strings.Contains(errOut, "warning") {
		t.Errorf("--quiet: %s", errOut)
	}
}

// --all-servers tests every server and fails if any fails.
func TestSendTestMailAllServers(t *testing.T) {
	e := newMailEnv(t, sandbox.Options{})
	e.provisionDeadFirst()
	code, out, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "auth", "--all-servers", "--output", "json")
	if code == 0 {
		t.Fatalf("exit 0 with a dead server\n%s%s", out, errOut)
	}
	var doc struct {
		Results []struct{ Server string }
		Failed  []struct{ Server string } `json:"failed-servers"`
		Error   *struct{ Message string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Results) != 1 || doc.Results[0].Server != "Sandbox" || len(doc.Failed) != 1 || doc.Failed[0].Server != "Dead" ||
		doc.Error == nil || !strings.Contains(doc.Error.Message, "1 of 2 servers failed") {
		t.Errorf("document %+v\n%s", doc, out)
	}
	if len(e.sb.AuthAttempts()) != 1 {
		t.Errorf("auth attempts %d", len(e.sb.AuthAttempts()))
	}
	// Every server working: exit 0.
	e.must("set-global-configuration-prop", "--set", "smtp-server:Sandbox")
	code, out, errOut = e.run("send-test-mail", "--to", "ops@example.com", "--quit-after", "auth", "--all-servers")
	if code != 0 || !strings.Contains(out, `stopped after auth as asked, through "Sandbox"`) {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := e.run("send-test-mail", "--to", "ops@example.com", "--all-servers", "--server-name", "Sandbox"); code != 2 ||
		!strings.Contains(errOut, "cannot be combined") {
		t.Errorf("--all-servers --server-name: exit %d, %s", code, errOut)
	}
}
