package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
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
	{exitConnect, "The SMTP server could not be reached, or TLS failed."},
	{exitAuth, "The SMTP server rejected the authentication."},
	{exitMessage, "The SMTP server rejected the message (MAIL, RCPT or DATA)."},
	{exitInterrupted, "Interrupted."},
}

func exitCodeTable() string {
	var b strings.Builder
	for _, c := range exitCodes {
		fmt.Fprintf(&b, "  %3d  %s\n", c.Code, c.Meaning)
	}
	return b.String()
}

// flagError is a problem with the command line that cobra or we found
// before running the command.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

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
	case errors.Is(err, context.Canceled):
		return exitInterrupted
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
	if exitCode(err) == exitUsage {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}
