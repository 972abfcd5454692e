package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// stepPrinter writes send-test-mail's report: a line per step as it
// happens, or one JSON document at the end.
type stepPrinter struct {
	io    *IOStreams
	json  bool
	multi bool // several servers: name the server on each line
	steps []jsonStep
}

type jsonStep struct {
	Server string `json:"server"`
	Step   string `json:"step"`
	Status string `json:"status"` // ok, failed or info
	Detail string `json:"detail"`
	Ms     int64  `json:"ms"`
}

type jsonMailResult struct {
	Steps  []jsonStep      `json:"steps"`
	Result *jsonSent       `json:"result"`
	Error  *jsonMailFailed `json:"error"`
	// Failed are the servers that failed before the one in Result
	// (failover), or, with --all-servers, every server that failed.
	Failed []jsonMailFailed `json:"failed-servers"`
	// Results holds, with --all-servers, every successful send.
	Results []*jsonSent `json:"results,omitempty"`
	Ms      int64       `json:"ms"`
}

type jsonSent struct {
	Server      string `json:"server"`
	Reply       string `json:"reply,omitempty"`
	MessageID   string `json:"message-id,omitempty"`
	QuitAfter   string `json:"quit-after,omitempty"`
	Connections int    `json:"connections"`
}

type jsonMailFailed struct {
	Stage   string `json:"stage"`
	Server  string `json:"server,omitempty"`
	Message string `json:"message"`
	Reply   string `json:"reply,omitempty"`
	Hint    string `json:"hint,omitempty"`
}

func newStepPrinter(ios *IOStreams, json, multi bool) *stepPrinter {
	return &stepPrinter{io: ios, json: json, multi: multi}
}

func (p *stepPrinter) step(st mailer.Step) {
	status := "failed"
	switch {
	case st.OK:
		status = "ok"
	case st.Info:
		status = "info"
	}
	js := jsonStep{Server: st.Server, Step: string(st.Stage), Status: status, Detail: st.Detail, Ms: st.Duration.Milliseconds()}
	p.steps = append(p.steps, js)
	if p.json {
		return
	}
	mark := map[string]string{"ok": "ok", "failed": "FAIL", "info": "--"}[status]
	detail := st.Detail
	if p.multi {
		detail = fmt.Sprintf("[%s] %s", st.Server, detail)
	}
	fmt.Fprintf(p.io.Out, "%-4s  %-7s %8s  %s\n", mark, st.Stage, shortDuration(st.Duration), detail)
}

func shortDuration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// verboseWriter is where --verbose writes, in send-test-mail and
// get-access-token: with the report for people, on standard error beside
// JSON, so that standard output stays one JSON document.
func verboseWriter(ios *IOStreams, json bool) io.Writer {
	if json {
		return ios.ErrOut
	}
	return ios.Out
}

func (p *stepPrinter) finish(res *mailer.Result, err error, total time.Duration) error {
	if p.json {
		return writeJSON(p.io.Out, p.document(res, err, total))
	}
	if res == nil {
		return nil
	}
	line := fmt.Sprintf("sent through %q: %s (Message-ID %s)", res.Server, res.Reply, res.MessageID)
	if res.QuitAfter != "" {
		line = fmt.Sprintf("stopped after %s as asked, through %q; no message was sent", res.QuitAfter, res.Server)
	}
	fmt.Fprintf(p.io.Out, "%-4s  %-7s %8s  %s\n", "ok", mailer.StageResult, shortDuration(total), line)
	return nil
}

func (p *stepPrinter) document(res *mailer.Result, err error, total time.Duration) jsonMailResult {
	doc := jsonMailResult{Steps: p.steps, Ms: total.Milliseconds()}
	if doc.Steps == nil {
		doc.Steps = []jsonStep{}
	}
	doc.Failed = []jsonMailFailed{}
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

func sentJSON(res *mailer.Result) *jsonSent {
	return &jsonSent{Server: res.Server, Reply: res.Reply, MessageID: res.MessageID,
		QuitAfter: string(res.QuitAfter), Connections: res.Connections}
}

func failedJSON(err error) *jsonMailFailed {
	f := &jsonMailFailed{Message: err.Error()}
	var e *mailer.Error
	if errors.As(err, &e) {
		f.Stage, f.Server, f.Hint = string(e.Stage), e.Server, config.HintOf(e)
		f.Reply = e.ReplyText()
	}
	return f
}

// finishAll ends an --all-servers report: a result line per server that
// worked, or the JSON document with every result and every failure.
func (p *stepPrinter) finishAll(results []*mailer.Result, err error, total time.Duration) error {
	var pe *mailer.PartialFailureError
	if p.json {
		doc := p.document(nil, err, total)
		doc.Results = []*jsonSent{}
		for _, r := range results {
			doc.Results = append(doc.Results, sentJSON(r))
		}
		if errors.As(err, &pe) {
			for _, f := range pe.Errors {
				doc.Failed = append(doc.Failed, *failedJSON(f))
			}
		}
		return writeJSON(p.io.Out, doc)
	}
	for _, r := range results {
		if perr := p.finish(r, nil, total); perr != nil {
			return perr
		}
	}
	return nil
}
