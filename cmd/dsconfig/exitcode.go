package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
	"github.com/dsconfig-smtp/dsconfig/internal/sendmail"
)

// Exit codes. They are documented from exitCodes, in --help and in
// docs/exit-codes.md.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitConfig      = 3
	exitToken       = 4
	exitConnect     = 5
	exitAuth        = 6
	exitMessage     = 7
	exitChanged     = 8
	exitInterrupted = 130
)

var exitCodes = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "Success."},
	{exitError, "Unexpected failure: a file (the store, the audit log, an archive, tools.properties) could not be read or written, or another dsconfig held the store lock too long."},
	{exitUsage, "The command was malformed: unknown subcommand, option, type or property, a property argument without a colon, a missing required option, a malformed tools.properties or invalid value in it."},
	{exitConfig, "The configuration was rejected or is unusable: invalid value, missing mandatory property, dangling reference, object exists or does not exist, a store file that does not parse or validate, a secret that cannot be resolved. Nothing was changed. For check-config: an error was found (with --strict, or a warning)."},
	{exitToken, "No token could be obtained: the token endpoint refused the request or could not be reached."},
	{exitConnect, "The SMTP server could not be reached, TLS failed, or the server stopped answering during the session."},
	{exitAuth, "The SMTP server rejected the authentication."},
	{exitMessage, "The SMTP server rejected the message (MAIL, RCPT or DATA)."},
	{exitChanged, "Changes were made: apply-config --detailed-exitcode only (with --dry-run: changes would be made); with nothing to change it exits 0."},
	{exitInterrupted, "Interrupted (Ctrl-C), or quit at a prompt of create-* or set-*-prop (q, or a declined confirmation)."},
}

// The sysexits codes (BSD sysexits.h) of send-mail, send-queued-mail and
// list-queued-mail, as sendmail and msmtp use them, so that callers retry
// correctly.
const (
	exUsage       = 64
	exDataErr     = 65
	exUnavailable = 69
	exSoftware    = 70
	exIOErr       = 74
	exTempFail    = 75
	exProtocol    = 76
	exNoPerm      = 77
	exConfig      = 78
)

var sysexitsCodes = []struct {
	Code    int
	Meaning string
}{
	{exitOK, "Delivered, or, with --queue, kept in the queue; send-queued-mail: the queue is empty."},
	{exUsage, "EX_USAGE: the command line was malformed, or there is no recipient."},
	{exDataErr, "EX_DATAERR: the message was refused before sending: malformed header or address, a header line over 998 octets, larger than --max-size."},
	{exUnavailable, "EX_UNAVAILABLE: the server refused the message for good (5xx); send-queued-mail: a message was moved to queue/failed/."},
	{exSoftware, "EX_SOFTWARE: an unexpected failure."},
	{exIOErr, "EX_IOERR: a file (the store, the queue) could not be read or written."},
	{exTempFail, "EX_TEMPFAIL: a temporary failure (4xx, network, token endpoint unreachable) and nothing was kept: try again later; send-queued-mail: messages stay queued."},
	{exProtocol, "EX_PROTOCOL: delivery unknown: the body was sent but no final reply came. Do not resend."},
	{exNoPerm, "EX_NOPERM: the authentication or the token request was refused."},
	{exConfig, "EX_CONFIG: the configuration is unusable: no server, an invalid store, a secret that cannot be resolved."},
	{exitInterrupted, "Interrupted."},
}

func exitCodeTable() string { return codeTable(exitCodes) }

func sysexitsTable() string { return codeTable(sysexitsCodes) }

func codeTable(codes []struct {
	Code    int
	Meaning string
}) string {
	var b strings.Builder
	for _, c := range codes {
		fmt.Fprintf(&b, "  %3d  %s\n", c.Code, c.Meaning)
	}
	return b.String()
}

// flagError is a problem with the command line that cobra or we found
// before running the command.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

// errChanged is no failure: it gives apply-config --detailed-exitcode
// its exit code when something changed, and nothing is printed for it.
var errChanged = errors.New("the configuration was changed")

func usagef(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

// exitCode maps an error to its exit code. It is the only place that
// does: a command returns its domain's typed errors as they are, and a
// new error type adds a case here. The order matters: an interruption
// wins over the stage it interrupted, a send failure's stage over what
// caused it, and a token endpoint's refusal over the configuration
// classes.
func exitCode(err error) int {
	var me *mailer.Error
	var te *httpauth.TokenError
	var fe *flagError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled), errors.Is(err, prompt.ErrQuit):
		return exitInterrupted
	case errors.Is(err, errChanged):
		return exitChanged
	case errors.As(err, &me):
		return mailExitCode(me, err)
	case errors.As(err, &te):
		return exitToken
	case errors.As(err, &fe), errors.Is(err, config.ErrUsage):
		return exitUsage
	case errors.Is(err, config.ErrRejected), errors.Is(err, config.ErrStore):
		return exitConfig
	}
	return exitError
}

// sysexitCode maps an error of the sendmail commands to its sysexits
// code, as exitCode does for the others.
func sysexitCode(err error) int {
	var ue *sendmail.UsageError
	var de *sendmail.DataError
	var fe *sendmail.FlushError
	var pe *flagError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &fe):
		if fe.Failed > 0 {
			return exUnavailable
		}
		return exTempFail
	case errors.As(err, &ue), errors.As(err, &pe), errors.Is(err, config.ErrUsage):
		return exUsage
	case errors.As(err, &de):
		return exDataErr
	}
	switch sendmail.Classify(err) {
	case sendmail.OutcomeTemporary:
		return exTempFail
	case sendmail.OutcomeUnknown:
		return exProtocol
	case sendmail.OutcomeRefused:
		return exUnavailable
	case sendmail.OutcomeAuth:
		return exNoPerm
	case sendmail.OutcomeConfig:
		return exConfig
	case sendmail.OutcomeInterrupted:
		return exitInterrupted
	}
	var se *config.StoreError
	if errors.As(err, &se) || errors.Is(err, fs.ErrPermission) || errors.Is(err, fs.ErrNotExist) {
		return exIOErr
	}
	return exSoftware
}

// mailExitCode gives a send failure the code of the stage it failed in.
// err is the whole error, which for a failover unwraps to e, the last
// server's failure.
func mailExitCode(e *mailer.Error, err error) int {
	if e.Lost {
		return exitConnect // the server stopped answering; it refused nothing
	}
	switch e.Stage {
	case mailer.StageConfig:
		return exitConfig
	case mailer.StageToken:
		if errors.Is(err, config.ErrRejected) {
			return exitConfig // the method is unusable, e.g. its secret is missing
		}
		return exitToken
	case mailer.StageConnect, mailer.StageTLS, mailer.StageEHLO:
		return exitConnect
	case mailer.StageAuth:
		return exitAuth
	case mailer.StageMail, mailer.StageRcpt, mailer.StageData:
		return exitMessage
	}
	return exitError
}

// printError writes the error and its hint in the house style:
//
//	dsconfig: error: ...
//	dsconfig: hint: ...
func printError(w io.Writer, cmdPath string, err error) {
	fmt.Fprintf(w, "dsconfig: error: %v\n", err)
	if h := config.HintOf(err); h != "" {
		fmt.Fprintf(w, "dsconfig: hint: %s\n", h)
	}
	if exitCode(err) == exitUsage || sysexitCode(err) == exUsage {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}
