package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

// auditRecords splits an audit log into records of three lines: header,
// undo comment and command.
func auditRecords(t *testing.T, dir string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, history.AuditLogName))
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]string
	for _, block := range strings.Split(strings.TrimSuffix(string(data), "\n\n"), "\n\n") {
		lines := strings.Split(block, "\n")
		if len(lines) != 3 {
			t.Fatalf("record of %d lines:\n%s", len(lines), block)
		}
		recs = append(recs, lines)
	}
	return recs
}

// auditTime is the clock of the changes whose audit headers are checked.
var auditTime = time.Date(2026, 11, 26, 17, 25, 30, 123e6, time.FixedZone("", -7*3600))

// isAuditHeader reports whether line is the header of a change made at
// auditTime by this process. The user name is whatever the system says;
// the rest is exact.
func isAuditHeader(line string) bool {
	start, end := "# [26/Nov/2026:17:25:30.123 -0700] user=", fmt.Sprintf(" pid=%d dsconfig", os.Getpid())
	user := strings.TrimSuffix(strings.TrimPrefix(line, start), end)
	return strings.HasPrefix(line, start) && strings.HasSuffix(line, end) && user != "" && !strings.ContainsAny(user, " \t")
}

func TestAuditReplayAndUndo(t *testing.T) {
	dir, _ := provisioned(t, "")
	start := readStore(t, dir)
	nStart := len(auditRecords(t, dir))
	if nStart != 5 {
		t.Fatalf("the 5-command batch wrote %d records", nStart)
	}

	const m, srv = "SMTP Bearer Token", "Exchange Online"
	for _, args := range [][]string{
		{"set-http-authorization-method-prop", "--method-name", m, "--remove", "requested-scope:offline_access", "--add", "requested-scope:openid"},
		{"set-passphrase-provider-prop", "--provider-name", "vault", "--set", "obscured-value:an0ther-Secret", "--set", `description:it's "quoted" $HOME`},
		{"set-external-server-prop", "--server-name", srv, "--set", "server-port:465", "--set", "smtp-security:ssl"},
		{"set-http-authorization-method-prop", "--method-name", m, "--remove", "requested-scope:https://outlook.office365.com/.default", "--remove", "requested-scope:openid"},
		{"create-passphrase-provider", "--provider-name", "tmp", "--type", "environment-variable", "--set", "enabled:false", "--set", "environment-variable:T"},
		{"delete-passphrase-provider", "--provider-name", "tmp"},
		{"set-passphrase-provider-prop", "--provider-name", "vault", "--reset", "description"},
		{"set-global-configuration-prop", "--reset", "smtp-server"},
		{"delete-external-server", "--server-name", srv},
		{"delete-passphrase-provider", "--provider-name", "vault"},
	} {
		dsMustAt(t, dir, auditTime, args...)
	}
	final := readStore(t, dir)
	recs := auditRecords(t, dir)
	if len(recs) != nStart+10 {
		t.Errorf("%d records after 10 more changes, want %d", len(recs), nStart+10)
	}

	t.Run("format", func(t *testing.T) {
		for _, r := range recs[nStart:] {
			if !isAuditHeader(r[0]) {
				t.Errorf("header %q is not that of a change at %v by this process", r[0], auditTime)
			}
			if !strings.HasPrefix(r[1], "# Undo command: dsconfig ") || !strings.HasPrefix(r[2], "dsconfig ") {
				t.Errorf("record lines %q", r[1:])
			}
		}
		if want := `dsconfig set-http-authorization-method-prop --method-name "SMTP Bearer Token" --set requested-scope:https://outlook.office365.com/.default --set requested-scope:openid`; recs[nStart][2] != want {
			t.Errorf("record = %q, want %q", recs[nStart][2], want)
		}
		if want := `# Undo command: dsconfig set-http-authorization-method-prop --method-name "SMTP Bearer Token" --set requested-scope:https://outlook.office365.com/.default --set requested-scope:offline_access`; recs[nStart][1] != want {
			t.Errorf("undo = %q, want %q", recs[nStart][1], want)
		}
		// Removing the last values of a property without a default leaves
		// it unset, and the log says so in the shortest way.
		if want := `dsconfig set-http-authorization-method-prop --method-name "SMTP Bearer Token" --reset requested-scope`; recs[nStart+3][2] != want {
			t.Errorf("record = %q, want %q", recs[nStart+3][2], want)
		}
		log, _ := os.ReadFile(filepath.Join(dir, history.AuditLogName))
		for _, secret := range []string{"s3cr3t-Value", "an0ther-Secret"} {
			if bytes.Contains(log, []byte(secret)) {
				t.Errorf("the audit log holds %q in clear text", secret)
			}
		}
		if !bytes.Contains(log, []byte("--set obscured-value:AES256GCM:")) {
			t.Errorf("the audit log lacks the sealed value")
		}
		if fi, _ := os.Stat(filepath.Join(dir, history.AuditLogName)); fi.Mode().Perm() != 0o600 {
			t.Errorf("audit log mode %v, want 0600", fi.Mode().Perm())
		}
	})

	t.Run("replay", func(t *testing.T) {
		other := t.TempDir()
		copyKey(t, dir, other)
		dsMust(t, other, "--batch-file", filepath.Join(dir, history.AuditLogName))
		if got := readStore(t, other); !bytes.Equal(got, final) {
			t.Errorf("replaying the audit log gave\n%s\nwant\n%s", got, final)
		}
	})

	t.Run("undo", func(t *testing.T) {
		var undo []string
		for i := len(recs) - 1; i >= nStart; i-- {
			undo = append(undo, strings.TrimPrefix(recs[i][1], "# Undo command: "))
		}
		undoFile := filepath.Join(t.TempDir(), "undo.dsconfig")
		writeFile(t, undoFile, strings.Join(undo, "\n")+"\n")
		dsMust(t, dir, "--batch-file", undoFile)
		if got := readStore(t, dir); !bytes.Equal(got, start) {
			t.Errorf("undoing in reverse order gave\n%s\nwant\n%s", got, start)
		}
	})
}

// TestSealedValueInput checks that --set takes a sealed value only if it
// opens under the store's key.
func TestSealedValueInput(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	dsMust(t, a, "create-passphrase-provider", "--provider-name", "v", "--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value:x")
	dsMust(t, b, "create-passphrase-provider", "--provider-name", "v", "--type", "obscured-value", "--set", "enabled:true", "--set", "obscured-value:y")
	sealed := regexp.MustCompile(`AES256GCM:\S+`).FindString(string(readStore(t, a)))
	before := readStore(t, b)
	r := dsRun(t, b, "set-passphrase-provider-prop", "--provider-name", "v", "--set", "obscured-value:"+sealed)
	if r.Code != exitConfig || !strings.Contains(r.Err, "does not open with this store's key") {
		t.Errorf("foreign sealed value: exit %d, stderr %q", r.Code, r.Err)
	}
	if !bytes.Equal(readStore(t, b), before) {
		t.Errorf("the store changed")
	}
	dsMust(t, a, "set-passphrase-provider-prop", "--provider-name", "v", "--set", "obscured-value:"+sealed)
}

// TestAuditOmitsUnsavedChange forces the store write to fail after the
// audit hook ran: the log must hold no trace of the change, and no intent
// may be left for a later command to find.
func TestAuditOmitsUnsavedChange(t *testing.T) {
	dir := t.TempDir()
	dsMust(t, dir, "create-passphrase-provider", "--provider-name", "saved", "--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A")
	f := testFactory(t)
	reg := f.Registry
	s, err := f.Store(&globalOptions{ConfigDir: dir, MaxArchives: 0})
	if err != nil {
		t.Fatal(err)
	}
	// Runs after the audit hook: a non-empty directory in the store's
	// place makes the final rename fail.
	s.BeforeCommit = append(s.BeforeCommit, func(*config.Commit) error {
		os.Rename(s.Path(), s.Path()+".saved")
		return os.MkdirAll(filepath.Join(s.Path(), "x"), 0o700)
	})
	_, err = s.Update(func(tx *config.Tx) error {
		tx.State.Record()
		return applyChange(reg, tx, func(tx *config.Tx) error {
			mods, err := config.ParseMods([]string{"enabled:true", "environment-variable:L"}, nil, nil, nil)
			if err != nil {
				return err
			}
			_, err = tx.Create(reg.Kind("passphrase-provider").Type("environment-variable"), "lost", mods)
			return err
		}, false)
	})
	if err == nil {
		t.Fatal("the store write succeeded")
	}
	data, rerr := os.ReadFile(filepath.Join(dir, history.AuditLogName))
	if rerr != nil {
		t.Fatal(rerr)
	}
	log := string(data)
	if !strings.HasSuffix(log, "--set environment-variable:A\n\n") || strings.Contains(log, "lost") {
		t.Errorf("audit log holds more than the saved change:\n%s", log)
	}
	if _, err := os.Stat(filepath.Join(dir, history.AuditLogName+".pending")); err == nil {
		t.Error("an intent was left behind")
	}
	if lines, err := batchfile.Parse("log", strings.NewReader(log)); err != nil || len(lines) != 1 {
		t.Errorf("parsing the log as a batch file: %d lines, %v", len(lines), err)
	}
}

// TestAuditReason checks that --reason is recorded with each record of the
// change, as a comment, so the log stays a batch file, and that it must be
// one line.
func TestAuditReason(t *testing.T) {
	dir := t.TempDir()
	dsMustAt(t, dir, auditTime, "--reason", "ticket 42: SMTP moves to OAuth", "create-passphrase-provider", "--provider-name", "p",
		"--type", "environment-variable", "--set", "enabled:true", "--set", "environment-variable:A")
	data, err := os.ReadFile(filepath.Join(dir, history.AuditLogName))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	if len(lines) < 4 || !isAuditHeader(lines[0]) || lines[1] != "# Reason: ticket 42: SMTP moves to OAuth" ||
		!strings.HasPrefix(lines[2], "# Undo command: dsconfig delete-passphrase-provider") {
		t.Errorf("audit log:\n%s", data)
	}
	before := readStore(t, dir)
	r := dsRun(t, dir, "set-passphrase-provider-prop", "--provider-name", "p", "--set", "enabled:false", "--reason", "two\nlines")
	if r.Code != exitUsage || !strings.Contains(r.Err, "--reason must be one line") || !bytes.Equal(readStore(t, dir), before) {
		t.Errorf("multi-line reason: exit %d, stderr %q", r.Code, r.Err)
	}
}
