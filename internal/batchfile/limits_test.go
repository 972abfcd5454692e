package batchfile

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// endless repeats s for ever, and counts what was read from it.
type endless struct {
	s    string
	read int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], e.s)
	}
	e.read += int64(n)
	return n, nil
}

// Each limit stops an endless input with a usage error naming it, and
// stops reading soon after: the input is never read to its end first.
func TestParseLimits(t *testing.T) {
	tests := []struct {
		name, repeat, want string
		readAtMost         int64
	}{
		{"yes", "y\n", "<stdin>:500001: the batch file holds more than 500000 commands, the limit", 2*maxCommands + 1<<16},
		{"one endless command", "y", "<stdin>:1: the command is larger than 4 MiB, the limit for one command", maxCommandSize + 1<<16},
		{"endless blank lines", "\n", "<stdin>:8388609: the batch file is larger than 8 MiB, the limit", 8<<20 + 1<<16},
		{"endless comment", "#", "<stdin>:1: the batch file is larger than 8 MiB, the limit", 8<<20 + 1<<16},
	}
	lowerMaxSize(t, 8<<20)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &endless{s: tt.repeat}
			_, err := Parse("<stdin>", in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
			if !errors.Is(err, config.ErrUsage) {
				t.Errorf("error %v is not a usage error", err)
			}
			if in.read > tt.readAtMost {
				t.Errorf("read %d bytes, want at most %d", in.read, tt.readAtMost)
			}
		})
	}
}

// lowerMaxSize sets the size limit to n for one test, so that the test
// need not read 64 MiB.
func lowerMaxSize(t *testing.T, n int64) {
	old := maxSize
	maxSize = n
	t.Cleanup(func() { maxSize = old })
}

// A file of exactly the size limit is read; one more byte is refused.
func TestParseSizeLimitIsExact(t *testing.T) {
	lowerMaxSize(t, 1<<20)
	ok := strings.Repeat("\n", 1<<20)
	if _, err := Parse("f", strings.NewReader(ok)); err != nil {
		t.Errorf("a file of exactly 1 MiB: %v", err)
	}
	if _, err := Parse("f", strings.NewReader(ok+"\n")); err == nil {
		t.Errorf("a file of 1 MiB and 1 byte was read")
	}
}

// The audit log and export write the empty argument as "" so that it
// does not vanish from the line (it used to be written as nothing).
func TestQuoteEmpty(t *testing.T) {
	if got := Quote(""); got != `""` {
		t.Errorf(`Quote("") = %q, want ""`, got)
	}
	lines, err := Parse("f", strings.NewReader(Format([]string{"set-x-prop", "--set", "", "--reset", "y"})))
	if err != nil || len(lines) != 1 || len(lines[0].Args) != 5 || lines[0].Args[2] != "" {
		t.Errorf("round trip of an empty argument = %+v, %v", lines, err)
	}
}

// A batch of 100,000 commands, as export-config writes for a store of
// 100,000 objects (about 14 MB), is within every limit.
func TestParseHundredThousandCommands(t *testing.T) {
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "dsconfig create-passphrase-provider --provider-name p%06d --type environment-variable --set enabled:true --set environment-variable:V%d\n", i, i)
	}
	lines, err := Parse("big", strings.NewReader(b.String()))
	if err != nil || len(lines) != 100_000 {
		t.Fatalf("Parse of %d bytes = %d commands, %v; want 100000", b.Len(), len(lines), err)
	}
}
