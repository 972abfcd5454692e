package history

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// BenchmarkArchive writes one archived version of a store of 10,000
// objects (docs/performance.md).
func BenchmarkArchive(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, "  p%06d:\n    type: environment-variable\n    enabled: \"true\"\n    environment-variable: V%d\n", i, i)
	}
	data := []byte(sb.String())
	dir := b.TempDir()
	t := time.Now()
	for b.Loop() {
		t = t.Add(time.Second)
		if err := writeArchive(dir, t, data); err != nil {
			b.Fatal(err)
		}
	}
}
