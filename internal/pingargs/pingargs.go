// Package pingargs removes, from a dsconfig command line, the connection
// options of PingDirectory's dsconfig, which have no meaning for a local
// store: commands pasted from PingDirectory's documentation and scripts
// carry them. They are taken out before the command line is parsed, so
// their values (a --bindPassword among them) never reach a flag, an error
// message or the audit log.
package pingargs

import (
	"fmt"
	"strings"
)

// withValue are the connection options that take a value, as --opt VALUE
// or --opt=VALUE; flags are those that take none.
var (
	withValue = []string{"hostname", "port", "bindDN", "bindPassword", "bindPasswordFile", "applyChangeTo"}
	flags     = []string{"useSSL", "useStartTLS", "trustAll", "offline"}
)

// Strip returns args without the connection options and their values, and
// the names of the options it removed (each once, as --NAME, in the order
// first seen). Arguments after "--" are left alone. An option that needs a
// value and has none is an error that names the option only.
func Strip(args []string) (rest, removed []string, err error) {
	seen := map[string]bool{}
	note := func(name string) {
		if !seen[name] {
			seen[name] = true
			removed = append(removed, "--"+name)
		}
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		switch {
		case !strings.HasPrefix(a, "--"):
			rest = append(rest, a)
		case contains(withValue, name):
			note(name)
			if !hasValue {
				if i+1 >= len(args) {
					return nil, nil, fmt.Errorf("the PingDirectory option --%s needs a value (it is ignored: dsconfig works on a local store)", name)
				}
				i++ // the value, never looked at
			}
		case contains(flags, name) && !hasValue:
			note(name)
		default:
			rest = append(rest, a)
		}
	}
	return rest, removed, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Warning is the one warning line for the removed options; it names the
// options, never their values.
func Warning(removed []string) string {
	return "ignoring the PingDirectory connection options " + strings.Join(removed, ", ") +
		": dsconfig works on a local configuration store, with no server to connect to"
}
