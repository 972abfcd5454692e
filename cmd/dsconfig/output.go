package main

import (
	"slices"
	"strings"
)

// outputFormats are the --output values.
func outputFormats() []string { return []string{"table", "json"} }

// outputFormat checks the --output value.
func outputFormat(v string) error {
	if v != "" && !slices.Contains(outputFormats(), v) {
		return usagef("invalid --output %q: it must be %s", v, strings.Join(outputFormats(), " or "))
	}
	return nil
}
