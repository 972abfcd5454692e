package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
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
	{exitConfig, "The configuration was rejected or is unusable: invalid value, missing mandatory property, dangling reference, object exists or does not exist, a store file that does not parse or validate, a secret that cannot be resolved. Nothing was changed."},
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

// coded is an error that knows its exit code. Domain errors from the
// token and mail packages are wrapped in it by the commands that run them.
type coded struct {
	code int
	err  error
}

func (c *coded) Error() string { return c.err.Error() }
func (c *coded) Unwrap() error { return c.err }

func withCode(code int, err error) error {
	if err == nil {
		return nil
	}
	return &coded{code, err}
}

// flagError is a problem with the command line that cobra or we found
// before running the command.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &flagError{fmt.Errorf(format, args...)}
}

// exitCode maps an error to its exit code. It is the only place that does.
func exitCode(err error) int {
	var c *coded
	var fe *flagError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &c):
		return c.code
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &fe), errors.Is(err, config.ErrUsage):
		return exitUsage
	case errors.Is(err, config.ErrRejected), errors.Is(err, config.ErrStore):
		return exitConfig
	}
	return exitError
}

// printError writes the error and its hint in the house style:
//
//	dsconfig: error: ...
//	dsconfig: hint: ...
func printError(w io.Writer, cmdPath string, err error) {
	fmt.Fprintf(w, "dsconfig: error: %v\n", err)
	var h config.Hinted
	if errors.As(err, &h) && h.ErrorHint() != "" {
		fmt.Fprintf(w, "dsconfig: hint: %s\n", h.ErrorHint())
	}
	if exitCode(err) == exitUsage {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}
