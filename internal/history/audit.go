package history

import (
	"errors"
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

// AuditHook, a config.Store BeforeCommit hook, appends the change's
// records to the audit log of the configuration directory dir, stamped
// with now and with the reason, if any. It runs before the new store is
// written, under the store lock: a change that cannot be recorded is not
// made, so the log misses nothing.
func AuditHook(dir string, now func() time.Time, reason string) func(c *config.Commit) error {
	return func(c *config.Commit) error {
		var b strings.Builder
		header := auditHeader(now(), reason)
		for _, r := range c.Tx.Records {
			fmt.Fprintf(&b, "%s\n# Undo command: %s\n%s\n\n", header, r.Undo, r.Forward)
		}
		if b.Len() == 0 {
			return nil
		}
		return AppendAuditLog(dir, b.String())
	}
}

// AuditNotSaved, a config.Store OnWriteFailure hook, follows the records
// AuditHook wrote with a comment saying
// that the change was not saved after all, when writing the store failed.
// The comment keeps the log a valid batch file, and a reader of the log
// sees why the records above it are not in the store.
func AuditNotSaved(dir string) func(c *config.Commit, err error) {
	return func(c *config.Commit, err error) {
		if len(c.Tx.Records) == 0 {
			return
		}
		// The store write already failed; if this fails too there is
		// nowhere left to report it but the error the user gets.
		AppendAuditLog(dir, NotSavedComment(err))
	}
}

// NotSavedComment is the audit log comment that says the change recorded
// above it was not saved after all, and why, on one line.
func NotSavedComment(err error) string {
	return "# The change above was not saved: " + strings.Join(strings.Fields(err.Error()), " ") + "\n\n"
}

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

// AppendAuditLog appends text to the audit log of the configuration
// directory dir, a 0600 file, creating it if needed.
func AppendAuditLog(dir, text string) error {
	path := filepath.Join(dir, AuditLogName)
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write the config audit log, so nothing was changed: %w", err)
	}
	_, werr := fh.WriteString(text)
	if err := errors.Join(werr, fh.Chmod(0o600), fh.Sync(), fh.Close()); err != nil {
		return fmt.Errorf("cannot write the config audit log %s, so nothing was changed: %w", path, err)
	}
	return nil
}
