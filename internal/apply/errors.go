package apply

import (
	"fmt"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// lineError is a problem with one command of the desired file, with
// where it is. It has the class and the hint of the error it wraps.
type lineError struct {
	Line batchfile.Line
	Err  error
}

func (e *lineError) Error() string { return e.Line.Where() + ": " + e.Err.Error() }
func (e *lineError) Unwrap() error { return e.Err }

// usageError is a command of the desired file that apply-config cannot
// read; it matches config.ErrUsage.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string        { return e.msg }
func (e *usageError) ErrorHint() string    { return e.hint }
func (e *usageError) Is(target error) bool { return target == config.ErrUsage }

func usagef(hint, format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...), hint}
}

// secretHint is where a secret goes instead of the desired file.
const secretHint = "set it once on the host with --set-from-file PROP:PATH, or refer to an environment-variable, file-based or command passphrase provider"

// secretError is a sensitive property in the desired file. It never
// holds the value.
type secretError struct {
	Property string
}

func (e *secretError) Error() string {
	return fmt.Sprintf("the desired file gives the sensitive property %q (its value is not shown); a desired file names passphrase providers and holds no secret values", e.Property)
}
func (e *secretError) ErrorHint() string    { return strings.Replace(secretHint, "PROP", e.Property, 1) }
func (e *secretError) Is(target error) bool { return target == config.ErrRejected }
