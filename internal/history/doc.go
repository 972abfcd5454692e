// Package history keeps what dsconfig remembers of past changes, in the
// configuration directory: the config audit log (PingDirectory's
// logs/config-audit.log format; see docs/audit-log.md), the undo records
// it holds, rendered as dsconfig commands, and the config archive of
// earlier store files. Its hooks run inside config.Store's commit, so a
// change that cannot be recorded or archived is not made.
package history
