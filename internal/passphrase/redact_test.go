package passphrase

import "testing"

// The lines a failing command printed are masked in its error output by
// config.Redact's rule, whatever their length.
func TestRedactShortOutput(t *testing.T) {
	got := redact("bad value x1; see ax1b", "x1\n")
	if got != `; its error output: "bad value *****; see ax1b"` {
		t.Errorf("redact = %s", got)
	}
}
