package history

import (
	"strings"
	"testing"
	"time"
)

func TestAuditTimestamp(t *testing.T) {
	ts := time.Date(2026, 11, 26, 17, 25, 30, 123e6, time.FixedZone("", -6*3600))
	got := auditHeader(ts, "")
	if !strings.HasPrefix(got, "# [26/Nov/2026:17:25:30.123 -0600] user=") {
		t.Errorf("header = %q", got)
	}
}
