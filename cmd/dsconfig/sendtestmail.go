package main

import (
	"context"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

type sendTestMailOptions struct {
	ui
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Now      func() time.Time

	To            []string
	ServerName    string
	From          string
	Subject, Body string
	NoTokenCache  bool
	AllServers    bool
	Verbose       bool
	Output        string

	// Parsed by check from the flags' text below.
	Mechanism       string // XOAUTH2 or OAUTHBEARER; "" chooses from EHLO
	InitialResponse mailer.IRMode
	QuitAfter       mailer.Stage // "" sends the message

	mechanism, initialResponse, quitAfter string
}

func newCmdSendTestMail(f *factory, g *globalOptions, runF func(*sendTestMailOptions) error) *cobra.Command {
	o := &sendTestMailOptions{ui: ui{f.IO, g}, Snapshot: f.Snapshot, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:     "send-test-mail --to ADDRESS",
		GroupID: "other",
		Short:   "Sends a test message and shows each step of the SMTP session",
		Long:    mailer.SendTestMailHelp + "\n\nExit codes:\n" + exitCodeTable(),
		Example: "  dsconfig send-test-mail --to ops@example.com\n" +
			"  dsconfig send-test-mail --to ops@example.com --server-name \"Exchange Online\" --verbose\n" +
			"  dsconfig send-test-mail --to ops@example.com --quit-after auth --output json\n" +
			"  dsconfig send-test-mail --to ops@example.com --all-servers --quit-after auth",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, sendTestMailRun)
		},
	}
	fl := cmd.Flags()
	// StringArray, not StringSlice: pflag's CSV reader would cut a value
	// at a line break without a word; the addresses are split and checked
	// strictly by mailer.ParseAddressList.
	fl.StringArrayVar(&o.To, "to", nil, "recipient address (repeat or separate with commas)")
	fl.StringVar(&o.ServerName, "server-name", "", "the SMTP external server to use (default: the global smtp-server list, in order)")
	fl.StringVar(&o.From, "from", "", "sender address (default: the server's user-name, the mailbox Exchange requires)")
	fl.StringVar(&o.Subject, "subject", "", "subject (default: names the sending host and the server)")
	fl.StringVar(&o.Body, "body", "", "text added to the standard body")
	fl.StringVar(&o.mechanism, "mechanism", "", "force the bearer-token SASL mechanism: xoauth2 or oauthbearer")
	fl.StringVar(&o.initialResponse, "initial-response", "auto", "how the SASL response is sent: auto (inline up to 512 octets, two-step above), inline or two-step")
	fl.StringVar(&o.quitAfter, "quit-after", "", "stop after this stage without sending: connect, tls, ehlo, auth, mail or rcpt")
	fl.BoolVar(&o.AllServers, "all-servers", false, "send through every server of the smtp-server list, and fail if any fails")
	fl.BoolVar(&o.NoTokenCache, "no-token-cache", false, "do not use the shared token cache: request a new token")
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "show the token request and the SMTP transcript (credentials masked)")
	fl.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func (o *sendTestMailOptions) check() error {
	if len(o.To) == 0 {
		return usagef("--to is required: give the address that should receive the test message")
	}
	var to []string
	for _, v := range o.To {
		as, err := mailer.ParseAddressList(v)
		if err != nil {
			return usagef("invalid --to address %q: %v", v, err)
		}
		to = append(to, as...)
	}
	o.To = to
	if o.AllServers && o.ServerName != "" {
		return usagef("--all-servers and --server-name cannot be combined: --all-servers tests every server of the smtp-server list")
	}
	if o.From != "" {
		if err := checkAddress("--from", o.From); err != nil {
			return err
		}
	}
	return o.parse()
}

// parse checks --mechanism, --quit-after, --initial-response and
// --output, and sets the typed fields from the first three.
func (o *sendTestMailOptions) parse() error {
	o.Mechanism = strings.ToUpper(o.mechanism)
	if o.Mechanism != "" && !slices.Contains(mailer.BearerMechanisms(), o.Mechanism) {
		return usagef("invalid --mechanism %q: it must be %s", o.mechanism, strings.ToLower(strings.Join(mailer.BearerMechanisms(), " or ")))
	}
	var err error
	if o.QuitAfter, err = mailer.ParseQuitAfter(o.quitAfter); err != nil {
		return usagef("invalid --quit-after: %v", err)
	}
	if o.InitialResponse, err = mailer.ParseIRMode(o.initialResponse); err != nil {
		return usagef("invalid --initial-response: %v", err)
	}
	return render.CheckFormat(o.Output)
}

// checkAddress refuses, before anything is resolved or sent, an address
// that must not reach the envelope (see mailer.CheckAddress).
func checkAddress(flag, a string) error {
	if err := mailer.CheckAddress(a); err != nil {
		return usagef("invalid %s address %q: %v", flag, a, err)
	}
	return nil
}

func sendTestMailRun(ctx context.Context, o *sendTestMailOptions) error {
	start := o.Now()
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	for _, w := range check.UseWarnings(snap, "", o.ServerName) {
		o.warn("%s", w)
	}
	creds := credentials.Resolver{Config: snap, Getenv: o.Getenv, Warn: o.warnLine, NoCache: o.NoTokenCache}
	if o.Verbose {
		creds.Trace = verboseWriter(o.IO, o.Output == "json")
	}
	cands, err := mailer.Candidates(mailer.CandidateOptions{Config: snap, Secrets: creds, Tokens: creds, Warn: o.warnLine}, o.ServerName)
	if err != nil {
		return err
	}
	p := report.NewSteps(o.IO.Out, o.Output == "json", len(cands) > 1)
	mopts := &mailer.Options{Mechanism: o.Mechanism, InitialResponse: o.InitialResponse, QuitAfter: o.QuitAfter,
		Report: p.Report, LocalName: mailer.Hostname()}
	if o.Verbose {
		mopts.Transcript = creds.Trace
	}
	host, _ := os.Hostname()
	m := &mailer.Message{From: o.From, To: o.To, Subject: o.Subject, Body: o.Body, Host: host}
	if o.AllServers {
		results, err := mailer.SendAll(ctx, cands, m, mopts)
		if perr := p.FinishAll(results, err, o.Now().Sub(start)); perr != nil {
			return perr
		}
		return err
	}
	res, err := mailer.SendFailover(ctx, cands, m, mopts)
	if w := mailer.FailoverWarning(res); w != "" {
		o.warn("%s", w)
	}
	if perr := p.Finish(res, err, o.Now().Sub(start)); perr != nil {
		return perr
	}
	return err
}
