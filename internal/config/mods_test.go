package config

import (
	"strings"
	"testing"
)

// A malformed property argument is repeated only up to what can be a
// property name: the rest may be a secret.
func TestParseModHidesValues(t *testing.T) {
	tests := []struct{ arg, shown string }{
		{"user-name", `"user-name"`},
		{"obscured-value=hunter2secret", `"obscured-value..."`},
		{":hunter2secret", `":..."`},
		{"password hunter2secret", `"password..."`},
		{"Hunter2Secret", `"..."`},
		{"Hunter2=Secret", `"..."`},
		{"hunter2secret", `"..."`},
		{"hunter2secret:", `":..."`},
		{"hunter2secret=x", `"..."`},
		{"user-name:", `"user-name:"`},
	}
	known := func(name string) bool { return name == "user-name" || name == "obscured-value" || name == "password" }
	for _, tt := range tests {
		_, err := parseMod(known, OpSet, tt.arg)
		if err == nil {
			t.Fatalf("parseMod(%q) succeeded", tt.arg)
		}
		if !strings.Contains(err.Error(), "The property argument "+tt.shown+" does not") {
			t.Errorf("parseMod(%q): %v, want it to show %s", tt.arg, err, tt.shown)
		}
		if strings.Contains(err.Error(), "unter2") || strings.Contains(err.Error(), "Secret") {
			t.Errorf("parseMod(%q) repeats the value: %v", tt.arg, err)
		}
	}
}
