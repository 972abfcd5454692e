package pingargs

import (
	"slices"
	"strings"
	"testing"
)

func TestStrip(t *testing.T) {
	in := []string{"--hostname", "h", "list-x", "--bindPassword=pw", "--set", "description:--port", "--trustAll", "--port", "1", "--", "--useSSL"}
	rest, removed, err := Strip(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"list-x", "--set", "description:--port", "--", "--useSSL"}; !slices.Equal(rest, want) {
		t.Errorf("rest = %q, want %q", rest, want)
	}
	if want := []string{"--hostname", "--bindPassword", "--trustAll", "--port"}; !slices.Equal(removed, want) {
		t.Errorf("removed = %q, want %q", removed, want)
	}
	if w := Warning(removed); strings.Contains(w, "pw") || !strings.Contains(w, "--bindPassword") {
		t.Errorf("warning %q", w)
	}
}

func TestStripMissingValue(t *testing.T) {
	_, _, err := Strip([]string{"list-x", "--bindPassword"})
	if err == nil || !strings.Contains(err.Error(), "--bindPassword needs a value") {
		t.Fatalf("err = %v", err)
	}
	// A flag option given a value is not one of them: left to cobra.
	rest, removed, _ := Strip([]string{"--useSSL=true"})
	if len(removed) != 0 || len(rest) != 1 {
		t.Errorf("rest %q removed %q", rest, removed)
	}
}
