package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Candidate is one server of the global smtp-server list. It is resolved
// (secrets, token source, TLS settings) only when its turn comes, so that
// a broken second server does not stop the first from working.
type Candidate struct {
	Name    string
	Resolve func(ctx context.Context) (*Server, error)
}

// FailoverError says that every server failed. It unwraps to the last
// failure, which decides the exit code and the hint.
type FailoverError struct {
	Errors []error // one per server, in order
}

func (e *FailoverError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		parts[i] = err.Error()
	}
	return fmt.Sprintf("smtp: all %d servers failed: %s", len(e.Errors), strings.Join(parts, "; "))
}

func (e *FailoverError) Unwrap() error { return e.Errors[len(e.Errors)-1] }

// ErrorHint returns the last server's hint.
func (e *FailoverError) ErrorHint() string { return config.HintOf(e.Unwrap()) }

// SendFailover tries the servers in order until one sends the message,
// the failover PingDirectory documents for the global smtp-server list.
// With a single candidate its error is returned as is.
func SendFailover(ctx context.Context, cands []Candidate, m *Message, o *Options) (*Result, error) {
	if len(cands) == 0 {
		return nil, noServers()
	}
	var errs []error
	for i, c := range cands {
		res, err := sendOne(ctx, c, i, len(cands), m, o)
		if err == nil {
			res.Failed = errs
			return res, nil
		}
		if ctx.Err() != nil || len(cands) == 1 || !mayFailOver(err, o) {
			return nil, err
		}
		errs = append(errs, err)
		if i < len(cands)-1 {
			o.report(Step{Server: c.Name, Stage: StageResult, Info: true, Detail: fmt.Sprintf("failed; trying the next server, %q", cands[i+1].Name)})
		}
	}
	return nil, &FailoverError{Errors: errs}
}

func sendOne(ctx context.Context, c Candidate, i, n int, m *Message, o *Options) (*Result, error) {
	start := time.Now()
	s, err := c.Resolve(ctx)
	if err != nil {
		e := failCtx(ctx, StageConfig, c.Name, err)
		o.report(Step{Server: c.Name, Stage: StageConfig, Detail: e.Error(), Duration: time.Since(start)})
		return nil, e
	}
	s.Name = c.Name
	o.report(Step{Server: s.Name, Stage: StageConfig, OK: true, Duration: time.Since(start),
		Detail: fmt.Sprintf("server %d of %d, %q: %s, smtp-security %s, %s", i+1, n, c.Name, s.addr(), s.Security, s.credentialText())})
	return Send(ctx, s, m, o)
}

func (s *Server) credentialText() string {
	switch {
	case s.Tokens != nil:
		return "bearer token as " + s.User
	case s.Password != "":
		return "password as " + s.User
	}
	return "no authentication"
}

// mayFailOver says whether the next server may be tried after err. By
// default (send-test-mail) every failure moves on. With Options.Failover
// set (send-mail), never once a server has begun to receive the body,
// which could deliver the message twice; otherwise Failover decides.
func mayFailOver(err error, o *Options) bool {
	if o.Failover == nil {
		return true
	}
	var e *Error
	if errors.As(err, &e) && e.BodyStarted {
		return false
	}
	return o.Failover(err)
}

// SendAll sends m through every server, in order, whatever happens to
// the others: a check that each of them works, where SendFailover
// needs only one. It returns the successful sends, and a
// *PartialFailureError when any server failed.
func SendAll(ctx context.Context, cands []Candidate, m *Message, o *Options) ([]*Result, error) {
	if len(cands) == 0 {
		return nil, noServers()
	}
	var (
		results []*Result
		errs    []error
	)
	for i, c := range cands {
		res, err := sendOne(ctx, c, i, len(cands), m, o)
		if ctx.Err() != nil {
			return results, err
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		results = append(results, res)
	}
	if len(errs) > 0 {
		return results, &PartialFailureError{Errors: errs, Total: len(cands)}
	}
	return results, nil
}

// noServers is the error for an empty server list.
func noServers() error {
	return &Error{Stage: StageConfig, Err: errors.New("no SMTP server is configured"),
		Hint: "name one with --server-name, or list them with: dsconfig set-global-configuration-prop --add smtp-server:NAME"}
}

// PartialFailureError says that some of the servers SendAll tried
// failed. It unwraps to the last failure, which decides the exit code
// and the hint.
type PartialFailureError struct {
	Errors []error // one per failed server, in order
	Total  int     // the servers tried
}

func (e *PartialFailureError) Error() string {
	parts := make([]string, len(e.Errors))
	for i, err := range e.Errors {
		parts[i] = err.Error()
	}
	return fmt.Sprintf("smtp: %d of %d servers failed: %s", len(e.Errors), e.Total, strings.Join(parts, "; "))
}

func (e *PartialFailureError) Unwrap() error { return e.Errors[len(e.Errors)-1] }

// ErrorHint returns the last failure's hint.
func (e *PartialFailureError) ErrorHint() string { return config.HintOf(e.Unwrap()) }

// serverOf names the server a send error is about, or "".
func serverOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Server
	}
	return ""
}

// failedNames names the servers of errs, quoted, in order.
func failedNames(errs []error) string {
	names := make([]string, len(errs))
	for i, err := range errs {
		names[i] = fmt.Sprintf("%q", serverOf(err))
	}
	return strings.Join(names, ", ")
}

// FailoverWarning is the warning for a send that succeeded only after
// other servers failed, or "" when none failed: a monitoring job must
// notice that the first server is down.
func FailoverWarning(res *Result) string {
	if res == nil || len(res.Failed) == 0 {
		return ""
	}
	servers := "server"
	if len(res.Failed) > 1 {
		servers = "servers"
	}
	return fmt.Sprintf("the message went through %q, but the %s before it failed: %s", res.Server, servers, failedNames(res.Failed))
}
