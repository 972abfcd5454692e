package history

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// AuditLogName is the config audit log's file name in the configuration
// directory. Its format is PingDirectory's logs/config-audit.log; see
// docs/audit-log.md.
const AuditLogName = "config-audit.log"

// AuditTimeLayout is PingDirectory's dd/MMM/yyyy:HH:mm:ss.SSS Z.
const AuditTimeLayout = "02/Jan/2006:15:04:05.000 -0700"

// AuditHook, a config.Store BeforeCommit hook, gives the change's
// records, stamped with now and with the reason, if any, to the store,
// which appends them to the audit log (the store's LogPath) once the new
// store file is in place, through an intent that a crash cannot turn into
// a phantom record or a lost one (config/intent.go).
func AuditHook(now func() time.Time, reason string) func(c *config.Commit) error {
	return func(c *config.Commit) error {
		var b strings.Builder
		header := auditHeader(now(), reason)
		for _, r := range c.Tx.Records {
			fmt.Fprintf(&b, "%s\n# Undo command: %s\n%s\n\n", header, r.Undo, r.Forward)
		}
		c.Log = b.String()
		return nil
	}
}

// AuditLogPath is the audit log's path in the configuration directory
// dir.
func AuditLogPath(dir string) string { return filepath.Join(dir, AuditLogName) }

// BrokenRestoreRecord is the audit record of a broken store at path
// replaced from the archived version name, the broken file being kept as
// aside: comments only, as there is no command that undoes it.
func BrokenRestoreRecord(t time.Time, reason, path, aside, name string) string {
	return fmt.Sprintf("%s\n# The store %s did not load; it was kept as %s and replaced by the archived configuration %s.\n"+
		"# No undo command: to go back, copy %s over the store.\n\n", auditHeader(t, reason), path, aside, name, aside)
}

// auditHeader is the comment that opens a record: when, who and, if
// given, why.
func auditHeader(t time.Time, reason string) string {
	h := fmt.Sprintf("# [%s] user=%s pid=%d dsconfig", t.Format(AuditTimeLayout), osUser(), os.Getpid())
	if reason != "" {
		h += "\n# Reason: " + reason
	}
	return h
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return fmt.Sprint(os.Getuid())
}
