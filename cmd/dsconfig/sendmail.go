package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
	"github.com/dsconfig-smtp/dsconfig/internal/sendmail"
)

// sysexitsAnnotation marks the commands whose exit codes are sysexits.
const sysexitsAnnotation = "sysexits"

// mailOptions are the options of the three commands.
type mailOptions struct {
	ui
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Clock    func() time.Time
	In       io.Reader
	sendmail.Request
	Verbose bool
}

func newMailOptions(f *factory, g *globalOptions) *mailOptions {
	return &mailOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv, Clock: f.Now, In: f.IO.In}
}

func newCmdSendMail(f *factory, g *globalOptions, runF func(*mailOptions) error) *cobra.Command {
	o := newMailOptions(f, g)
	cmd := &cobra.Command{
		Use:     "send-mail [options] [RECIPIENT...]",
		GroupID: "other",
		Short:   "Sends a message from standard input, as sendmail does",
		Long:    sendmail.SendMailHelp + "\n\nExit codes (sysexits):\n" + sysexitsTable(),
		Example: "  printf 'Subject: backup done\\n\\nok\\n' | dsconfig send-mail ops@example.com\n" +
			"  dsconfig send-mail -t -oi --queue < message.eml\n" +
			"  ln -s $(command -v dsconfig) /usr/sbin/sendmail",
		DisableFlagParsing: true, // sendmail's -oi is not -o -i
		Annotations:        map[string]string{sysexitsAnnotation: "true"},
		// The flags are parsed in RunE, so the tool defaults are applied
		// there, after them.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := sendmail.ParseCommandLine(args, cmd.Flags(), cmd.InheritedFlags())
			if err != nil {
				return err
			} else if a.Help() {
				return cmd.Help()
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

// mailPreRun applies the tool defaults, then falls back to the system
// configuration directory when the user's does not exist.
func mailPreRun(cmd *cobra.Command, getenv func(string) string, g *globalOptions) error {
	if err := preRun(cmd, getenv, g); err != nil || g.ConfigDir != "" || getenv("DSCONFIG_CONFIG_DIR") != "" {
		return err
	}
	usual, _ := configDir(getenv, g)
	g.ConfigDir = sendmail.SystemConfigDir(usual)
	return nil
}

// servers is what the three commands send through; with -v, each step
// goes to standard error.
func (o *mailOptions) servers() (*sendmail.Servers, error) {
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return nil, err
	}
	creds := credentials.Resolver{Config: snap, Getenv: o.Getenv, Warn: o.warnLine}
	s := &sendmail.Servers{Config: snap, Secrets: creds, Tokens: creds, Warn: o.warnLine, LocalName: mailer.Hostname()}
	if o.Verbose {
		s.Reporter = func(n int) func(mailer.Step) {
			return report.NewSteps(o.IO.ErrOut, false, n > 1).Report
		}
	}
	return s, nil
}

func sendMailRun(ctx context.Context, o *mailOptions) error {
	s, err := o.servers()
	if err != nil {
		return err
	}
	req := o.Request
	req.Now = o.Clock()
	id, err := s.Deliver(ctx, o.In, req)
	if err == nil && id != "" {
		fmt.Fprintf(o.IO.ErrOut, "dsconfig: queued as %s; send-queued-mail will retry it\n", id)
	}
	return err
}

func newCmdSendQueuedMail(f *factory, g *globalOptions, runF func(*mailOptions) error) *cobra.Command {
	o := newMailOptions(f, g)
	cmd := &cobra.Command{
		Use:               "send-queued-mail",
		GroupID:           "other",
		Short:             "Retries the messages send-mail --queue kept",
		Long:              sendmail.SendQueuedMailHelp + "\n\nExit codes (sysexits):\n" + sysexitsTable(),
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

func sendQueuedMailRun(ctx context.Context, o *mailOptions) error {
	s, err := o.servers()
	if err != nil {
		return err
	}
	var verbose io.Writer // each message's outcome, with -v
	if o.Verbose {
		verbose = o.IO.ErrOut
	}
	return sendmail.Flush(ctx, s.Queue(), s.Send, verbose)
}

func newCmdListQueuedMail(f *factory, g *globalOptions, runF func(*mailOptions) error) *cobra.Command {
	o := newMailOptions(f, g)
	return &cobra.Command{
		Use:               "list-queued-mail",
		GroupID:           "other",
		Short:             "Lists the queued messages and the failed ones",
		Long:              sendmail.ListQueuedMailHelp,
		Args:              noArgs,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return mailPreRun(cmd, f.Getenv, g) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(cmd, o, runF, listQueuedMailRun)
		},
	}
}

func listQueuedMailRun(_ context.Context, o *mailOptions) error {
	s, err := o.servers()
	if err != nil {
		return err
	}
	return sendmail.WriteList(o.IO.Out, s.Queue(), o.Global.ScriptFriendly)
}
