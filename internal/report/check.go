package report

import (
	"fmt"
	"io"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

// Check is check-config's JSON document.
type Check struct {
	Findings []check.Finding `json:"findings"`
	Steps    []Step          `json:"steps,omitempty"`
	Errors   int             `json:"errors"`
	Warnings int             `json:"warnings"`
	Notices  int             `json:"notices"`
	Passed   bool            `json:"passed"`
}

// WriteCheck writes check-config's findings: the JSON document with the
// steps of the online checks, or a line per finding and, for people
// (summary set), a closing line that counts them. passed is the verdict.
func WriteCheck(w io.Writer, fs []check.Finding, steps *Steps, passed, summary bool) error {
	if steps.json {
		r := &Check{Findings: fs, Steps: steps.steps, Passed: passed}
		if r.Findings == nil {
			r.Findings = []check.Finding{}
		}
		r.Errors, r.Warnings, r.Notices = check.Counts(fs)
		return render.JSON(w, r)
	}
	for _, f := range fs {
		fmt.Fprintln(w, f.String())
	}
	if summary {
		fmt.Fprintf(w, "check-config: %s\n", check.SummaryLine(fs))
	}
	return nil
}
