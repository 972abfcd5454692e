package passphrase

import (
	"errors"
	"fmt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Why a provider could not give its secret. Callers match them with
// errors.Is; test-passphrase-provider uses them to say what to fix.
var (
	ErrDisabled       = errors.New("the passphrase provider is disabled")
	ErrVariableUnset  = errors.New("the environment variable is not set")
	ErrFileMissing    = errors.New("the password file does not exist")
	ErrFileUnreadable = errors.New("the password file cannot be read")
	ErrCommandFailed  = errors.New("the command failed")
	ErrEmpty          = errors.New("the secret is empty")
	// ErrSecretInvalid is a secret over 64 KiB or one with a NUL byte.
	ErrSecretInvalid = errors.New("the secret is not usable")
	// ErrKeyMissing is the store's encryption key file missing, so an
	// obscured value cannot be decrypted.
	ErrKeyMissing = config.ErrKeyMissing
)

// Error is a provider that could not give its secret. It never holds the
// value. It counts as a rejected configuration (exit code 3), unless it
// wraps context.Canceled because the user interrupted a command.
type Error struct {
	Provider string
	Err      error
}

func (e *Error) Error() string { return fmt.Sprintf("passphrase provider %q: %v", e.Provider, e.Err) }
func (e *Error) Unwrap() error { return e.Err }

// Is makes every provider failure match config.ErrRejected, the class the
// command layer maps to "configuration unusable".
func (e *Error) Is(target error) bool { return target == config.ErrRejected }

// ErrorHint says what to do about the failure.
func (e *Error) ErrorHint() string {
	var f *failure
	if errors.As(e.Err, &f) && f.hint != "" {
		return f.hint
	}
	if errors.Is(e.Err, ErrKeyMissing) {
		return config.LostKeyProcedure
	}
	return fmt.Sprintf("run 'dsconfig get-passphrase-provider-prop --provider-name %q' to check its settings", e.Provider)
}

// failure is one reason with a message for people. Its message is built
// from names, paths and error output, never from the secret.
type failure struct {
	reason error // one of the Err* values above
	msg    string
	hint   string
	cause  error // what the system said, if anything; may be nil
}

func (f *failure) Error() string        { return f.msg }
func (f *failure) Is(target error) bool { return target == f.reason }
func (f *failure) Unwrap() error        { return f.cause }

func fail(reason error, hint, format string, args ...any) *failure {
	return &failure{reason: reason, msg: fmt.Sprintf(format, args...), hint: hint}
}
