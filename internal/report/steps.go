package report

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

// Steps writes the report of SMTP sessions: a line per step as it
// happens, or one JSON document at the end.
type Steps struct {
	out   io.Writer
	json  bool
	multi bool // several servers: name the server on each line
	steps []Step
}

// Step is one step in the JSON document.
type Step struct {
	Server string `json:"server"`
	Step   string `json:"step"`
	Status string `json:"status"` // ok, failed or info
	Detail string `json:"detail"`
	Ms     int64  `json:"ms"`
}

// Mail is send-test-mail's JSON document.
type Mail struct {
	Steps  []Step   `json:"steps"`
	Result *Sent    `json:"result"`
	Error  *Failure `json:"error"`
	// Failed are the servers that failed before the one in Result
	// (failover), or, with --all-servers, every server that failed.
	Failed []Failure `json:"failed-servers"`
	// Results holds, with --all-servers, every successful send.
	Results []*Sent `json:"results,omitempty"`
	Ms      int64   `json:"ms"`
}

// Sent is a send that worked.
type Sent struct {
	Server      string `json:"server"`
	Reply       string `json:"reply,omitempty"`
	MessageID   string `json:"message-id,omitempty"`
	QuitAfter   string `json:"quit-after,omitempty"`
	Connections int    `json:"connections"`
}

// Failure is a send that failed, where and why.
type Failure struct {
	Stage   string `json:"stage"`
	Server  string `json:"server,omitempty"`
	Message string `json:"message"`
	Reply   string `json:"reply,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

// NewSteps returns a report written to out, as JSON at the end if json
// is set; multi names the server on each line, when there are several.
func NewSteps(out io.Writer, json, multi bool) *Steps {
	return &Steps{out: out, json: json, multi: multi}
}

// Report records a step, and prints it unless the report is JSON; it
// is the Report hook of mailer.Options.
func (p *Steps) Report(st mailer.Step) {
	status := "failed"
	switch {
	case st.OK:
		status = "ok"
	case st.Info:
		status = "info"
	}
	js := Step{Server: st.Server, Step: string(st.Stage), Status: status, Detail: st.Detail, Ms: st.Duration.Milliseconds()}
	p.steps = append(p.steps, js)
	if p.json {
		return
	}
	mark := map[string]string{"ok": "ok", "failed": "FAIL", "info": "--"}[status]
	detail := st.Detail
	if p.multi {
		detail = fmt.Sprintf("[%s] %s", st.Server, detail)
	}
	fmt.Fprintf(p.out, "%-4s  %-7s %8s  %s\n", mark, st.Stage, shortDuration(st.Duration), detail)
}

func shortDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Finish ends the report of one send: the result line, or the JSON
// document with the steps, the result and the error.
func (p *Steps) Finish(res *mailer.Result, err error, total time.Duration) error {
	if p.json {
		return render.JSON(p.out, p.document(res, err, total))
	}
	if res == nil {
		return nil
	}
	line := fmt.Sprintf("sent through %q: %s (Message-ID %s)", res.Server, res.Reply, res.MessageID)
	if res.QuitAfter != "" {
		line = fmt.Sprintf("stopped after %s as asked, through %q; no message was sent", res.QuitAfter, res.Server)
	}
	fmt.Fprintf(p.out, "%-4s  %-7s %8s  %s\n", "ok", mailer.StageResult, shortDuration(total), line)
	return nil
}

func (p *Steps) document(res *mailer.Result, err error, total time.Duration) Mail {
	doc := Mail{Steps: p.steps, Ms: total.Milliseconds()}
	if doc.Steps == nil {
		doc.Steps = []Step{}
	}
	doc.Failed = []Failure{}
	if res != nil {
		doc.Result = sentJSON(res)
		for _, f := range res.Failed {
			doc.Failed = append(doc.Failed, *failedJSON(f))
		}
	}
	if err != nil {
		doc.Error = failedJSON(err)
	}
	return doc
}

func sentJSON(res *mailer.Result) *Sent {
	return &Sent{Server: res.Server, Reply: res.Reply, MessageID: res.MessageID,
		QuitAfter: string(res.QuitAfter), Connections: res.Connections}
}

func failedJSON(err error) *Failure {
	f := &Failure{Message: err.Error()}
	var e *mailer.Error
	if errors.As(err, &e) {
		f.Stage, f.Server, f.Hint = string(e.Stage), e.Server, config.HintOf(e)
		f.Reply = e.ReplyText()
	}
	return f
}

// FinishAll ends an --all-servers report: a result line per server that
// worked, or the JSON document with every result and every failure.
func (p *Steps) FinishAll(results []*mailer.Result, err error, total time.Duration) error {
	var pe *mailer.PartialFailureError
	if p.json {
		doc := p.document(nil, err, total)
		doc.Results = []*Sent{}
		for _, r := range results {
			doc.Results = append(doc.Results, sentJSON(r))
		}
		if errors.As(err, &pe) {
			for _, f := range pe.Errors {
				doc.Failed = append(doc.Failed, *failedJSON(f))
			}
		}
		return render.JSON(p.out, doc)
	}
	for _, r := range results {
		if perr := p.Finish(r, nil, total); perr != nil {
			return perr
		}
	}
	return nil
}
