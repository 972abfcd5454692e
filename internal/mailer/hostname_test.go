package mailer

import (
	"strings"
	"testing"
)

func TestHostnameIsAnEHLOArgument(t *testing.T) {
	h := Hostname()
	if h == "" || strings.ContainsAny(h, " \r\n") {
		t.Errorf("Hostname() = %q", h)
	}
}
