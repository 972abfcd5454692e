package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/sendmail"
	"github.com/dsconfig-smtp/dsconfig/internal/spool"
)

// systemConfigDir is where send-mail looks when the user has no
// configuration directory: a system-wide one for cron and other users.
var systemConfigDir = "/etc/dsconfig"

// sysexitsAnnotation marks the commands whose exit codes are sysexits.
const sysexitsAnnotation = "sysexits"

type sendMailOptions struct {
	ui
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Now      func() time.Time
	In       io.Reader

	Args       *sendmail.Args
	Queue      bool
	ServerName string
	Verbose    bool
	MaxSize    int64
}

const sendMailLong = `Reads one RFC 5322 message from standard input and sends it through the
global smtp-server list, in order, or through --server-name, with the same
authentication as send-test-mail: the token cache, one renewal of a rejected
token, and failover to the next server after a connection, TLS or temporary
failure (never once the server has begun to receive the body). Started as
"sendmail" (through a symlink), dsconfig runs send-mail.

It takes sendmail's options: recipients as arguments; -t (recipients from
To, Cc and Bcc, with Bcc removed); -f ADDR (the envelope sender, default the
server's user-name); -F NAME (the name of an added From); -i or -oi (a lone
dot does not end the message); -v (the steps, on standard error). -oX,
-B TYPE, -N, -R, -V, -h, -m, -n, -U and -bm are accepted and ignored.

A Date and a Message-ID are added when missing. An 8-bit body is sent as
it is to a server that offers 8BITMIME, and quoted-printable otherwise;
body lines over 998 octets are always encoded; a header line over 998
octets is refused.

With --queue, a message that could not be sent because of a temporary
failure is kept in queue/ in the configuration directory, and
send-queued-mail retries it. Messages go to standard error; with nothing to
report send-mail is silent. The configuration directory is found as usual,
and is /etc/dsconfig when the usual one does not exist.`

func newCmdSendMail(f *factory, g *globalOptions, runF func(*sendMailOptions) error) *cobra.Command {
	o := &sendMailOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv, Now: f.Now, In: f.IO.In}
	cmd := &cobra.Command{
		Use:     "send-mail [options] [RECIPIENT...]",
		GroupID: "other",
		Short:   "Sends a message from standard input, as sendmail does",
		Long:    sendMailLong + "\n\nExit codes (sysexits):\n" + sysexitsTable(),
		Example: "  printf 'Subject: backup done\\n\\nok\\n' | dsconfig send-mail ops@example.com\n" +
			"  dsconfig send-mail -t -oi --queue < message.eml\n" +
			"  ln -s $(command -v dsconfig) /usr/sbin/sendmail",
		DisableFlagParsing: true,
		Annotations:        map[string]string{sysexitsAnnotation: "true"},
		// The flags are parsed in RunE, so the tool defaults are applied
		// there, after them.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := sendmail.ParseArgs(args, longFlag(cmd))
			if err != nil {
				return err
			}
			if slices.Contains(a.Long, "--help") {
				return cmd.Help()
			}
			// cobra's ParseFlags does nothing with DisableFlagParsing; the
			// flags are shared, so parsing them here sets the options.
			fs := pflag.NewFlagSet(cmd.Name(), pflag.ContinueOnError)
			fs.SetOutput(io.Discard)
			fs.AddFlagSet(cmd.Flags())
			fs.AddFlagSet(cmd.InheritedFlags())
			if err := fs.Parse(a.Long); err != nil {
				return &flagError{err}
			}
			o.Args, o.Verbose = a, o.Verbose || a.Verbose
			if err := mailPreRun(cmd, f.Getenv, g); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, sendMailRun)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&o.Queue, "queue", false, "keep a message that could not be sent because of a temporary failure, for send-queued-mail")
	fl.StringVar(&o.ServerName, "server-name", "", "the SMTP external server to use (default: the global smtp-server list, in order)")
	fl.Int64Var(&o.MaxSize, "max-size", sendmail.DefaultMaxSize, "the largest message accepted, in bytes")
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "print each step on standard error (credentials masked)")
	return cmd
}

// longFlag tells sendmail.ParseArgs which long options cmd has.
func longFlag(cmd *cobra.Command) sendmail.LongTakesValue {
	return func(name string) (bool, bool) {
		fl := cmd.Flags().Lookup(name)
		if fl == nil {
			fl = cmd.InheritedFlags().Lookup(name)
		}
		if fl == nil {
			return name == "help", false
		}
		return true, fl.NoOptDefVal == ""
	}
}

// mailPreRun applies the tool defaults, then falls back to the system
// configuration directory when the user's does not exist.
func mailPreRun(cmd *cobra.Command, getenv func(string) string, g *globalOptions) error {
	if err := preRun(cmd, getenv, g); err != nil {
		return err
	}
	if g.ConfigDir != "" || getenv("DSCONFIG_CONFIG_DIR") != "" {
		return nil
	}
	if d, err := configDir(getenv, g); err == nil && isDir(d) {
		return nil
	}
	if isDir(systemConfigDir) {
		g.ConfigDir = systemConfigDir
	}
	return nil
}

func isDir(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}

func sendMailRun(ctx context.Context, o *sendMailOptions) error {
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	creds := credentials{snap: snap, getenv: o.Getenv, warn: o.warnLine}
	cands, err := mailer.Candidates(mailer.CandidateOptions{Config: snap, Secrets: creds, Tokens: creds, Warn: o.warnLine}, o.ServerName)
	if err != nil {
		return err
	}
	host, _ := os.Hostname()
	p, err := sendmail.Prepare(o.In, sendmail.Input{Args: o.Args, MaxSize: o.MaxSize,
		DefaultFrom: sendmail.DefaultSender(snap, o.ServerName), Host: host, Now: o.Now()})
	if err != nil {
		return err
	}
	cands = sendmail.WarnSendAs(cands, p.HeaderFrom, o.warnLine)
	err = sendMessage(ctx, o.ui, o.Verbose, cands, p.Message())
	switch sendmail.Classify(err) {
	case sendmail.OutcomeTemporary:
		if !o.Queue {
			return err
		}
		sp := &spool.Spool{Dir: filepath.Join(snap.Dir, "queue")}
		id, qerr := sp.Add(&spool.Envelope{Sender: p.Sender, Recipients: p.Recipients, MessageID: p.MessageID,
			ServerName: o.ServerName, Queued: o.Now(), LastError: err.Error()}, p.Raw, p.Raw7Bit)
		if qerr != nil {
			return fmt.Errorf("%w; and it could not be queued: %w", err, qerr)
		}
		fmt.Fprintf(o.IO.ErrOut, "dsconfig: queued as %s; send-queued-mail will retry it\n", id)
		return nil
	case sendmail.OutcomeUnknown:
		return fmt.Errorf("delivery unknown: the message was sent but no final reply came, so it was neither queued nor sent through another server: %w", err)
	}
	return err
}

// sendMessage sends m; with verbose, each step goes to standard error.
func sendMessage(ctx context.Context, u ui, verbose bool, cands []mailer.Candidate, m *mailer.Message) error {
	mopts := &mailer.Options{Failover: sendmail.MayFailOver, LocalName: ehloName()}
	if verbose {
		p := newStepPrinter(&IOStreams{Out: u.IO.ErrOut, ErrOut: u.IO.ErrOut}, false, len(cands) > 1)
		mopts.Report = p.step
	}
	_, err := mailer.SendFailover(ctx, cands, m, mopts)
	return err
}

type queueOptions struct {
	ui
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Verbose  bool
}

func newCmdSendQueuedMail(f *factory, g *globalOptions, runF func(*queueOptions) error) *cobra.Command {
	o := &queueOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:     "send-queued-mail",
		GroupID: "other",
		Short:   "Retries the messages send-mail --queue kept",
		Long: `Tries once each message in queue/ of the configuration directory, through the
servers send-mail uses. A message is deleted only once a server accepted it
(250 to DATA); one refused for good moves to queue/failed/ with the server's
reply, and is never deleted. Safe to run from cron and concurrently: each
message is locked while it is sent, and a message another run holds is left
to it. Exits 0 when the queue is empty afterwards, 75 when messages stay
queued, and 69 when any was moved to failed/.

Exit codes (sysexits):
` + sysexitsTable(),
		Example:           "  */5 * * * * dsconfig send-queued-mail",
		Args:              noArgs,
		Annotations:       map[string]string{sysexitsAnnotation: "true"},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return mailPreRun(cmd, f.Getenv, g) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(cmd, o, runF, sendQueuedMailRun)
		},
	}
	cmd.Flags().BoolVarP(&o.Verbose, "verbose", "v", false, "print each message's outcome and each step on standard error")
	return cmd
}

func sendQueuedMailRun(ctx context.Context, o *queueOptions) error {
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	creds := credentials{snap: snap, getenv: o.Getenv, warn: o.warnLine}
	send := func(ctx context.Context, server string, m *mailer.Message) error {
		cands, err := mailer.Candidates(mailer.CandidateOptions{Config: snap, Secrets: creds, Tokens: creds, Warn: o.warnLine}, server)
		if err != nil {
			return err
		}
		return sendMessage(ctx, o.ui, o.Verbose, cands, m)
	}
	report := func(string) {}
	if o.Verbose {
		report = func(s string) { fmt.Fprintf(o.IO.ErrOut, "dsconfig: %s\n", s) }
	}
	return sendmail.Flush(ctx, &spool.Spool{Dir: filepath.Join(snap.Dir, "queue")}, send, report)
}

func newCmdListQueuedMail(f *factory, g *globalOptions, runF func(*queueOptions) error) *cobra.Command {
	o := &queueOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv}
	return &cobra.Command{
		Use:               "list-queued-mail",
		GroupID:           "other",
		Short:             "Lists the queued messages and the failed ones",
		Long:              "Lists the messages in queue/ of the configuration directory, oldest first, then\nthose in queue/failed/ with the reason they failed.",
		Args:              noArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return mailPreRun(cmd, f.Getenv, g) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(cmd, o, runF, listQueuedMailRun)
		},
	}
}

func listQueuedMailRun(_ context.Context, o *queueOptions) error {
	s, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	queued, failed, err := (&spool.Spool{Dir: filepath.Join(s.Dir, "queue")}).List()
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(o.IO.Out, 0, 4, 2, ' ', 0)
	sep := "\t"
	if o.Global.ScriptFriendly {
		w, sep = nil, "\t"
	}
	out := io.Writer(o.IO.Out)
	if w != nil {
		out = w
		fmt.Fprintln(w, strings.Join([]string{"ID", "State", "Queued", "Attempts", "Size", "Recipients", "Last error"}, sep))
	}
	for _, e := range append(queued, failed...) {
		state, why := "queued", e.Envelope.LastError
		if e.Failed {
			state, why = "failed", e.Reply
		}
		fmt.Fprintln(out, strings.Join([]string{e.ID, state, e.Envelope.Queued.UTC().Format(time.RFC3339),
			fmt.Sprint(e.Envelope.Attempts), fmt.Sprint(e.Size), strings.Join(e.Envelope.Recipients, ","), oneLine(why)}, sep))
	}
	if w != nil {
		return w.Flush()
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
