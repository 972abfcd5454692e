package config

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error classes. Every error of this package matches one of them with
// errors.Is, so that the command layer can map it to an exit code without
// knowing each type.
var (
	// ErrUsage marks a malformed command: an unknown property or type, a
	// property argument without a separator, conflicting modifications.
	ErrUsage = errors.New("usage error")
	// ErrRejected marks a well-formed request that the configuration
	// model refuses: invalid value, missing mandatory property, dangling
	// reference, an object that exists or does not.
	ErrRejected = errors.New("configuration change rejected")
	// ErrStore marks a broken store file: one that cannot be parsed or
	// does not validate. A store that cannot be read or written at all
	// (permissions, a full disk) is a *StoreError with IO set, which does
	// not match ErrStore: it is not a configuration problem.
	ErrStore = errors.New("configuration store error")
)

type classed struct{ class error }

func (c classed) Is(target error) bool { return target == c.class }

// usageError is a malformed command line or property argument.
type usageError struct {
	classed
	Msg  string
	Hint string
}

func usageErr(hint, format string, args ...any) *usageError {
	return &usageError{classed{ErrUsage}, fmt.Sprintf(format, args...), hint}
}

func (e *usageError) Error() string { return e.Msg }

// Hinted is an error that carries a hint for the user, printed on its own
// line after the error.
type Hinted interface{ ErrorHint() string }

func (e *usageError) ErrorHint() string { return e.Hint }

// NotFoundError says that a named object does not exist.
type NotFoundError struct {
	classed
	Kind    *Kind
	Name    string
	Similar string // a near name that does exist, if any
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("The %s %q does not exist", e.Kind.Friendly, e.Name)
}

func (e *NotFoundError) ErrorHint() string {
	if e.Similar != "" {
		return fmt.Sprintf("did you mean %q? 'dsconfig list-%s' lists them all", e.Similar, e.Kind.Plural)
	}
	return fmt.Sprintf("run 'dsconfig list-%s' to see the existing ones", e.Kind.Plural)
}

// existsError says that an object with that name exists already.
type existsError struct {
	classed
	Kind *Kind
	Name string
}

func (e *existsError) Error() string {
	return fmt.Sprintf("There is already another %s with the name %q", e.Kind.Friendly, e.Name)
}

// propertyError is a value that does not fit its property.
type propertyError struct {
	classed
	Property *PropertyDef
	Value    string // already masked for sensitive properties
	Err      error
}

func (e *propertyError) Error() string {
	msg := fmt.Sprintf("The value %q is not a valid value for the %q property, which must have the following syntax: %s",
		e.Value, e.Property.Name, e.Property.Syntax.Describe())
	// A plain mismatch would only repeat the syntax.
	if _, plain := e.Err.(*SyntaxMismatch); plain {
		return msg
	}
	return fmt.Sprintf("%s (%v)", msg, e.Err)
}

func (e *propertyError) Unwrap() error { return e.Err }

// Problem is one thing wrong with an object: what the change or the
// store would violate.
type Problem struct {
	classed
	Msg  string
	Hint string
}

func (p *Problem) Error() string     { return p.Msg }
func (p *Problem) ErrorHint() string { return p.Hint }

func problem(hint, format string, args ...any) *Problem {
	return &Problem{classed{ErrRejected}, fmt.Sprintf(format, args...), hint}
}

// MissingError is a mandatory property without a value.
type MissingError struct {
	*Problem
	Property string
}

// validationError collects every problem found in one change, so the user
// can fix them all at once.
type validationError struct {
	Action   string // e.g. `The HTTP Authorization Method "x" could not be created`
	Problems []error
}

func (e *validationError) Error() string {
	if len(e.Problems) == 1 {
		return e.Action + " because of the following reason: " + e.Problems[0].Error()
	}
	var b strings.Builder
	b.WriteString(e.Action + " because of the following reasons:")
	for _, p := range e.Problems {
		b.WriteString("\n    * " + p.Error())
	}
	return b.String()
}

func (e *validationError) Is(target error) bool { return target == ErrRejected }

// Unwrap exposes the problems to errors.Is and errors.As.
func (e *validationError) Unwrap() []error { return e.Problems }

// ErrorHint returns the first problem's hint. When that is a missing
// mandatory property, the hint adds every missing one, so that one more
// try is enough.
func (e *validationError) ErrorHint() string {
	for _, p := range e.Problems {
		var h Hinted
		if !errors.As(p, &h) || h.ErrorHint() == "" {
			continue
		}
		if _, ok := p.(*MissingError); ok {
			return e.missingHint()
		}
		return h.ErrorHint()
	}
	return ""
}

func (e *validationError) missingHint() string {
	var sets []string
	for _, p := range e.Problems {
		if m, ok := p.(*MissingError); ok {
			sets = append(sets, "--set "+m.Property+":VALUE")
		}
	}
	return "add " + strings.Join(sets, " ")
}

// StoreError is a store file that cannot be used. Line is 0 when the
// problem is not tied to one line. IO says that the file could not be
// read or written, rather than that its content is broken. NotLive says
// that the file is not the live store but one only read (an archive, the
// source of config-diff), which no dsconfig command would write.
type StoreError struct {
	Path    string
	Line    int
	Err     error
	IO      bool
	NotLive bool
}

func storeIOError(path string, err error) *StoreError {
	return &StoreError{Path: path, Err: err, IO: true}
}

func (e *StoreError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("configuration store %s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("configuration store %s: %v", e.Path, e.Err)
}

func (e *StoreError) Unwrap() error        { return e.Err }
func (e *StoreError) Is(target error) bool { return target == ErrStore && !e.IO }
func (e *StoreError) ErrorHint() string {
	if e.NotLive {
		return "that file is only read, not the live store, and nothing was changed; check that it is a dsconfig config.yaml"
	}
	if e.IO {
		return "the store was not changed; check that you can read and write the configuration directory and its files"
	}
	return "the store was not changed; fix the file by hand, or put back an earlier version: " +
		"'dsconfig list-config-archive' lists them and 'dsconfig restore-config-archive --archive NAME' restores one"
}

// suggest returns the candidate closest to s, or "" when none is close
// enough to be a plausible typo.
func suggest(s string, candidates []string) string {
	best, bestD := "", len(s)/2+2
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if strings.Contains(c, s) && len(s) >= 4 {
			d = min(d, 2)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func propertyNames(ps []*PropertyDef) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	sort.Strings(names)
	return names
}

// Usagef makes a usage error outside this package: a command line that
// the packages under the command layer find malformed.
func Usagef(hint, format string, args ...any) error { return usageErr(hint, format, args...) }

// Problemf makes a problem for a type's Check function.
func Problemf(hint, format string, args ...any) error { return problem(hint, format, args...) }

// Missingf makes a problem for a type's Check function about a property
// that the other properties make mandatory.
func Missingf(prop, hint, format string, args ...any) error {
	return &MissingError{problem(hint, format, args...), prop}
}
