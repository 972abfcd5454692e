package sendmail

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/spool"
)

// Servers sends through the configured SMTP servers, with the same
// credentials, token cache and failover as send-test-mail.
type Servers struct {
	Config  *config.Snapshot
	Secrets mailer.SecretResolver
	Tokens  mailer.TokenSources
	Warn    func(string)
	// LocalName is the EHLO name.
	LocalName string
	// Reporter, when set, returns the receiver of each step (-v) of a send
	// through n servers.
	Reporter func(n int) func(mailer.Step)
}

// Queue is the spool in the configuration directory.
func (s *Servers) Queue() *spool.Spool {
	return &spool.Spool{Dir: filepath.Join(s.Config.Dir, "queue")}
}

func (s *Servers) candidates(serverName string) ([]mailer.Candidate, error) {
	return mailer.Candidates(mailer.CandidateOptions{Config: s.Config, Secrets: s.Secrets, Tokens: s.Tokens, Warn: s.Warn}, serverName)
}

func (s *Servers) send(ctx context.Context, cands []mailer.Candidate, m *mailer.Message) error {
	o := &mailer.Options{Failover: mayFailOver, LocalName: s.LocalName}
	if s.Reporter != nil {
		o.Report = s.Reporter(len(cands))
	}
	_, err := mailer.SendFailover(ctx, cands, m, o)
	return err
}

// Send is the SendFunc of Flush.
func (s *Servers) Send(ctx context.Context, serverName string, m *mailer.Message) error {
	cands, err := s.candidates(serverName)
	if err != nil {
		return err
	}
	return s.send(ctx, cands, m)
}

// Request is one send-mail run.
type Request struct {
	Args       *Args
	ServerName string // --server-name; "" is the global smtp-server list
	MaxSize    int64
	Host       string // for an added Message-ID; "": os.Hostname
	Now        time.Time
	// Queue keeps a message that failed for a temporary reason (--queue).
	Queue bool
}

// Deliver reads one message from r, prepares it and sends it. A
// temporary failure with req.Queue puts the message in the queue and
// returns its ID without error. A delivery whose outcome is unknown is
// neither queued nor sent elsewhere.
func (s *Servers) Deliver(ctx context.Context, r io.Reader, req Request) (queuedID string, err error) {
	cands, err := s.candidates(req.ServerName)
	if err != nil {
		return "", err
	}
	if req.Host == "" {
		req.Host, _ = os.Hostname()
	}
	p, err := prepare(r, input{Args: req.Args, MaxSize: req.MaxSize,
		DefaultFrom: defaultSender(s.Config, req.ServerName), Host: req.Host, Now: req.Now})
	if err != nil {
		return "", err
	}
	cands = warnSendAs(cands, p.HeaderFrom, s.Warn)
	err = s.send(ctx, cands, p.Message())
	switch Classify(err) {
	case OutcomeTemporary:
		if !req.Queue {
			return "", err
		}
		id, qerr := s.Queue().Add(&spool.Envelope{Sender: p.Sender, Recipients: p.Recipients, MessageID: p.MessageID,
			ServerName: req.ServerName, Queued: req.Now, LastError: err.Error()}, p.Raw, p.Raw7Bit)
		if qerr != nil {
			return "", fmt.Errorf("%w; and it could not be queued: %w", err, qerr)
		}
		return id, nil
	case OutcomeUnknown:
		return "", fmt.Errorf("delivery unknown: the message was sent but no final reply came, so it was neither queued nor sent through another server: %w", err)
	}
	return "", err
}

// ParseCommandLine parses a send-mail command line (parseArgs), then its
// long options with the flag sets, which hold the command's own and the
// global options. Args.Long holds "--help" when it was asked for.
func ParseCommandLine(args []string, sets ...*pflag.FlagSet) (*Args, error) {
	lookup := func(name string) *pflag.Flag {
		for _, fs := range sets {
			if fl := fs.Lookup(name); fl != nil {
				return fl
			}
		}
		return nil
	}
	a, err := parseArgs(args, func(name string) (bool, bool) {
		fl := lookup(name)
		if fl == nil {
			return name == "help", false
		}
		return true, fl.NoOptDefVal == ""
	})
	if err != nil || a.Help() {
		return a, err
	}
	fs := pflag.NewFlagSet("send-mail", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, s := range sets {
		fs.AddFlagSet(s)
	}
	if err := fs.Parse(a.Long); err != nil {
		return nil, &UsageError{Err: err}
	}
	return a, nil
}

// Help says whether --help was given.
func (a *Args) Help() bool {
	for _, l := range a.Long {
		if l == "--help" {
			return true
		}
	}
	return false
}

// WriteList writes the queued messages, oldest first, then the failed
// ones: a table, or with scriptFriendly tab-separated lines without a
// heading.
func WriteList(w io.Writer, sp *spool.Spool, scriptFriendly bool) error {
	queued, failed, err := sp.List()
	if err != nil {
		return err
	}
	var tw *tabwriter.Writer
	if !scriptFriendly {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		w = tw
		fmt.Fprintln(w, strings.Join([]string{"ID", "State", "Queued", "Attempts", "Size", "Recipients", "Last error"}, "\t"))
	}
	for _, e := range append(queued, failed...) {
		state, why := "queued", e.Envelope.LastError
		if e.Failed {
			state, why = "failed", e.Reply
		}
		fmt.Fprintln(w, strings.Join([]string{e.ID, state, e.Envelope.Queued.UTC().Format(time.RFC3339),
			fmt.Sprint(e.Envelope.Attempts), fmt.Sprint(e.Size), strings.Join(e.Envelope.Recipients, ","), oneLine(why)}, "\t"))
	}
	if tw != nil {
		return tw.Flush()
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
