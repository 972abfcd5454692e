// Package sendmail is dsconfig's sendmail replacement: it parses a
// sendmail command line, reads and prepares the message, and classifies
// send failures for the sysexits codes and the queue. Sending is
// internal/mailer's; the queue is internal/spool's.
package sendmail

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// Args is a parsed sendmail command line.
type Args struct {
	Recipients []string // bare addresses, from the arguments
	FromHeader bool     // -t: recipients from To, Cc and Bcc
	Sender     string   // -f ADDR (or -r ADDR): the envelope sender
	FullName   string   // -F NAME: the name in an added From
	IgnoreDots bool     // -i or -oi: a lone dot does not end input
	Verbose    bool     // -v
	// Long holds the long options (--queue, --config-dir DIR, …) as
	// given, for the caller's flag set to parse.
	Long []string
	// Ignored lists the options accepted for compatibility and ignored.
	Ignored []string
}

// UsageError is a malformed command line (EX_USAGE).
type UsageError struct {
	Err  error
	Hint string
}

func (e *UsageError) Error() string     { return e.Err.Error() }
func (e *UsageError) Unwrap() error     { return e.Err }
func (e *UsageError) ErrorHint() string { return e.Hint }
func usage(hint, format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...), Hint: hint}
}

const optionsHint = "send-mail takes recipients and -t, -f ADDR, -F NAME, -i, -oi, -v; -oX, -B TYPE, -N, -R, -V, -h, -m, -n, -U and -bm are accepted and ignored"

// longTakesValue says whether the long option name (without dashes) is
// known and whether it takes a value.
type longTakesValue func(name string) (known, value bool)

// parseArgs parses args as sendmail does: single-dash options of one
// letter that may be grouped (-ti), option values joined (-fADDR, -oi)
// or in the next argument (-f ADDR), and long options, passed on in
// Args.Long. Options and recipients may be mixed; "--" ends the options.
func parseArgs(args []string, long longTakesValue) (*Args, error) {
	a := &Args{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			for _, r := range args[i+1:] {
				if err := a.addRecipients(r); err != nil {
					return nil, err
				}
			}
			return a, nil
		case strings.HasPrefix(arg, "--"):
			name, _, hasEq := strings.Cut(arg[2:], "=")
			known, value := long(name)
			if !known {
				return nil, usage(optionsHint+"; long options: run 'dsconfig send-mail --help'", "unknown option %q", arg)
			}
			a.Long = append(a.Long, arg)
			if value && !hasEq {
				if i+1 >= len(args) {
					return nil, usage("", "option %q needs a value", arg)
				}
				i++
				a.Long = append(a.Long, args[i])
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			n, err := a.short(arg, args[i+1:])
			if err != nil {
				return nil, err
			}
			i += n
		default:
			if err := a.addRecipients(arg); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

// short parses one argument of single-letter options and returns how
// many of the following arguments it used.
func (a *Args) short(arg string, rest []string) (int, error) {
	for j := 1; j < len(arg); j++ {
		c := arg[j]
		switch c {
		case 't':
			a.FromHeader = true
			continue
		case 'i':
			a.IgnoreDots = true
			continue
		case 'v':
			a.Verbose = true
			continue
		case 'm', 'n', 'U':
			a.Ignored = append(a.Ignored, "-"+string(c))
			continue
		case 'f', 'r', 'F', 'o', 'B', 'N', 'R', 'V', 'h', 'b':
		default:
			return 0, usage(optionsHint, "unknown option -%c in %q", c, arg)
		}
		// The option takes a value: the rest of the argument, or the next.
		val, used := arg[j+1:], 0
		if val == "" {
			if len(rest) == 0 {
				return 0, usage(optionsHint, "option -%c needs a value", c)
			}
			val, used = rest[0], 1
		}
		return used, a.value(c, val)
	}
	return 0, nil
}

func (a *Args) value(c byte, v string) error {
	switch c {
	case 'f', 'r':
		v = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
		if err := mailer.CheckAddress(v); err != nil {
			return usage("give the envelope sender as a bare address: -f alerts@example.com", "invalid sender address %q (-%c): %v", v, c, err)
		}
		a.Sender = v
	case 'F':
		if strings.ContainsAny(v, "\r\n") {
			return usage("", "invalid full name %q (-F): it must be one line", v)
		}
		a.FullName = v
	case 'o':
		if v == "i" {
			a.IgnoreDots = true
		} else {
			a.Ignored = append(a.Ignored, "-o"+v)
		}
	case 'b':
		if v != "m" {
			return usage("send-mail only delivers a message (-bm); list the queue with 'dsconfig list-queued-mail'", "unsupported mode -b%s", v)
		}
	default:
		a.Ignored = append(a.Ignored, "-"+string(c)+v)
	}
	return nil
}

// addRecipients adds the addresses of one argument, which may hold
// several separated by commas, each bare or as Name <addr>.
func (a *Args) addRecipients(arg string) error {
	as, err := parseAddresses(arg)
	if err != nil {
		return usage("give recipients as addresses such as ops@example.com", "invalid recipient %q: %v", arg, err)
	}
	a.Recipients = append(a.Recipients, as...)
	return nil
}

// parseAddresses parses an RFC 5322 address list and returns the bare
// addresses, each checked for the envelope.
func parseAddresses(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("it is empty")
	}
	list, err := addressParser.ParseList(s)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range list {
		if err := mailer.CheckAddress(p.Address); err != nil {
			return nil, fmt.Errorf("%q: %w", p.Address, err)
		}
		out = append(out, p.Address)
	}
	return out, nil
}
