package sandbox

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any of them leaves a goroutine
// behind: a connection, a listener or a session that was not closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
