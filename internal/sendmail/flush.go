package sendmail

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/spool"
)

// SendFunc sends one message through the servers; serverName is the
// --server-name the message was queued with, or "".
type SendFunc func(ctx context.Context, serverName string, m *mailer.Message) error

// FlushError says that the queue is not empty after a run: Pending
// messages stay queued (EX_TEMPFAIL), Failed moved to failed/
// (EX_UNAVAILABLE).
type FlushError struct {
	Sent, Pending, Failed int
}

func (e *FlushError) Error() string {
	switch {
	case e.Failed > 0 && e.Pending > 0:
		return fmt.Sprintf("%d queued messages were refused and moved to failed/, %d stay queued", e.Failed, e.Pending)
	case e.Failed > 0:
		return fmt.Sprintf("%d queued messages were refused and moved to failed/", e.Failed)
	}
	return fmt.Sprintf("%d messages stay queued", e.Pending)
}

// ErrorHint says what to do next.
func (e *FlushError) ErrorHint() string {
	if e.Failed > 0 {
		return "see them and the servers' replies with: dsconfig list-queued-mail"
	}
	return "send-queued-mail will retry them; dsconfig list-queued-mail shows why they failed"
}

// Flush tries every queued message once, after removing what crashed
// writers left (spool.Clean). A message another run holds is
// left to it. A message is deleted only once a server accepted it; one
// refused for good, or whose delivery is unknown, moves to failed/. The
// error is a *FlushError when the queue is not empty afterwards. Each
// message's outcome is written to verbose, when not nil.
func Flush(ctx context.Context, sp *spool.Spool, send SendFunc, verbose io.Writer) error {
	report := func(string) {}
	if verbose != nil {
		report = func(s string) { fmt.Fprintf(verbose, "dsconfig: %s\n", s) }
	}
	if err := sp.Clean(time.Now()); err != nil {
		return err
	}
	queued, _, err := sp.List()
	if err != nil {
		return err
	}
	res := &FlushError{}
	for _, e := range queued {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		l, err := sp.Lock(e.ID)
		if err != nil {
			return err
		}
		if l == nil {
			continue // another run has it, or has sent it
		}
		if err := flushOne(ctx, l, send, report, res); err != nil {
			return err
		}
	}
	if res.Pending > 0 || res.Failed > 0 {
		return res
	}
	return nil
}

func flushOne(ctx context.Context, l *spool.Locked, send SendFunc, report func(string), res *FlushError) error {
	raw, raw7, err := l.Message()
	if err != nil {
		l.Unlock()
		return err
	}
	env := l.Envelope
	m := &mailer.Message{From: env.Sender, To: env.Recipients, Raw: raw, Raw7Bit: raw7, MessageID: env.MessageID}
	serr := send(ctx, env.ServerName, m)
	switch out := Classify(serr); {
	case serr == nil:
		res.Sent++
		report(fmt.Sprintf("%s: sent", l.ID))
		return l.Delete()
	case out == OutcomeInterrupted:
		l.Unlock()
		return serr
	case out == OutcomeRefused:
		res.Failed++
		report(fmt.Sprintf("%s: refused, moved to failed/: %v", l.ID, serr))
		return l.Fail(serr.Error())
	case out == OutcomeUnknown:
		res.Failed++
		report(fmt.Sprintf("%s: delivery unknown, moved to failed/ so that it is not sent twice: %v", l.ID, serr))
		return l.Fail("delivery unknown: " + serr.Error())
	default:
		res.Pending++
		report(fmt.Sprintf("%s: stays queued: %v", l.ID, serr))
		return l.Retry(serr.Error())
	}
}
