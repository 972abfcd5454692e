package main

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

// auditTimeLayout is PingDirectory's dd/MMM/yyyy:HH:mm:ss.SSS Z.
const auditTimeLayout = "02/Jan/2006:15:04:05.000 -0700"

// now is the factory's clock.
func (f *factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// auditHook appends the change's records to the audit log. It runs before
// the new store is written, under the store lock: a change that cannot be
// recorded is not made, so the log misses nothing.
func (f *factory) auditHook(dir string) func(c *config.Commit) error {
	return func(c *config.Commit) error {
		var b strings.Builder
		header := auditHeader(f.now())
		if f.Global.Reason != "" {
			header += "\n# Reason: " + f.Global.Reason
		}
		for _, r := range c.Tx.Records {
			fmt.Fprintf(&b, "%s\n# Undo command: %s\n%s\n\n", header, r.Undo, r.Forward)
		}
		if b.Len() == 0 {
			return nil
		}
		return appendPrivate(filepath.Join(dir, AuditLogName), b.String())
	}
}

// auditNotSaved follows the records auditHook wrote with a comment saying
// that the change was not saved after all, when writing the store failed.
// The comment keeps the log a valid batch file, and a reader of the log
// sees why the records above it are not in the store.
func auditNotSaved(dir string) func(c *config.Commit, err error) {
	return func(c *config.Commit, err error) {
		if len(c.Tx.Records) == 0 {
			return
		}
		msg := strings.Join(strings.Fields(err.Error()), " ")
		// The store write already failed; if this fails too there is
		// nowhere left to report it but the error the user gets.
		appendPrivate(filepath.Join(dir, AuditLogName), "# The change above was not saved: "+msg+"\n\n")
	}
}

// auditHeader is the comment that opens a record: when, and who.
func auditHeader(t time.Time) string {
	return fmt.Sprintf("# [%s] user=%s pid=%d dsconfig", t.Format(auditTimeLayout), osUser(), os.Getpid())
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

// appendPrivate appends text to a 0600 file, creating it if needed.
func appendPrivate(path, text string) error {
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
