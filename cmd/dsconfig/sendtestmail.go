package main

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

type sendTestMailOptions struct {
	To              []string
	ServerName      string
	From            string
	Subject, Body   string
	Mechanism       string
	InitialResponse string
	QuitAfter       string
	NoTokenCache    bool
	Verbose         bool
	Output          string
}

const sendTestMailLong = `Sends a test message through an SMTP external server and reports every step
with its timing: config, token (cached or new, and when it expires), connect,
TLS (version and certificate), EHLO (the AUTH mechanisms offered), AUTH, MAIL,
RCPT, DATA and the server's final reply.

Without --server-name the servers of the global configuration's smtp-server
property are tried in order until one succeeds, and each attempt is reported.

With a token-acquisition-method, dsconfig authenticates as user-name with
OAUTHBEARER when the server offers it, else XOAUTH2 (all Exchange Online
offers); --mechanism forces one. When the server rejects the token (535, or
an error challenge), the token is discarded and the send is retried once,
with a fresh token, on a new connection. A password (password or
passphrase-provider) is sent with PLAIN or LOGIN. Credentials are never sent
without TLS except to a loopback address.

--verbose adds the SMTP transcript with the AUTH data and any token or
password masked. --quit-after STAGE stops after connect, tls, ehlo, auth, mail
or rcpt without sending, like swaks.`

func newCmdSendTestMail(f *factory) *cobra.Command {
	var o sendTestMailOptions
	cmd := &cobra.Command{
		Use:     "send-test-mail --to ADDRESS",
		GroupID: "other",
		Short:   "Sends a test message and shows each step of the SMTP session",
		Long:    sendTestMailLong + "\n\nExit codes:\n" + exitCodeTable(),
		Example: "  dsconfig send-test-mail --to ops@example.com\n" +
			"  dsconfig send-test-mail --to ops@example.com --server-name \"Exchange Online\" --verbose\n" +
			"  dsconfig send-test-mail --to ops@example.com --quit-after auth --output json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(); err != nil {
				return err
			}
			return sendTestMailRun(cmd.Context(), f, &o)
		},
	}
	fl := cmd.Flags()
	fl.StringSliceVar(&o.To, "to", nil, "recipient address (repeat or separate with commas)")
	fl.StringVar(&o.ServerName, "server-name", "", "the SMTP external server to use (default: the global smtp-server list, in order)")
	fl.StringVar(&o.From, "from", "", "sender address (default: the server's user-name, the mailbox Exchange requires)")
	fl.StringVar(&o.Subject, "subject", "", "subject (default: names the sending host and the server)")
	fl.StringVar(&o.Body, "body", "", "text added to the standard body")
	fl.StringVar(&o.Mechanism, "mechanism", "", "force the bearer-token SASL mechanism: xoauth2 or oauthbearer")
	fl.StringVar(&o.InitialResponse, "initial-response", "auto", "how the SASL response is sent: auto (inline up to 512 octets, two-step above), inline or two-step")
	fl.StringVar(&o.QuitAfter, "quit-after", "", "stop after this stage without sending: connect, tls, ehlo, auth, mail or rcpt")
	fl.BoolVar(&o.NoTokenCache, "no-token-cache", false, "do not use the shared token cache: request a new token")
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "show the SMTP transcript (credentials masked)")
	fl.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func (o *sendTestMailOptions) check() error {
	if len(o.To) == 0 {
		return usagef("--to is required: give the address that should receive the test message")
	}
	for _, a := range o.To {
		if err := checkAddress("--to", a); err != nil {
			return err
		}
	}
	if o.From != "" {
		if err := checkAddress("--from", o.From); err != nil {
			return err
		}
	}
	if o.Mechanism != "" && !slices.Contains(mailer.BearerMechanisms(), strings.ToUpper(o.Mechanism)) {
		return usagef("invalid --mechanism %q: it must be %s", o.Mechanism, strings.ToLower(strings.Join(mailer.BearerMechanisms(), " or ")))
	}
	if _, err := mailer.ParseQuitAfter(o.QuitAfter); err != nil {
		return usagef("invalid --quit-after: %v", err)
	}
	if _, err := mailer.ParseIRMode(o.InitialResponse); err != nil {
		return usagef("invalid --initial-response: %v", err)
	}
	return outputFormat(o.Output)
}

// checkAddress refuses, before anything is resolved or sent, an address
// that no server would take: one with spaces, brackets or line breaks, or
// without a local part and a domain around its @.
func checkAddress(flag, a string) error {
	at := strings.LastIndex(a, "@")
	if strings.ContainsAny(a, "\r\n<> ") || at <= 0 || at == len(a)-1 {
		return usagef("invalid %s address %q: give a bare address with a domain, such as ops@example.com", flag, a)
	}
	return nil
}

func sendTestMailRun(ctx context.Context, f *factory, o *sendTestMailOptions) error {
	start := time.Now()
	state, err := f.Load()
	if err != nil {
		return err
	}
	dir, _ := f.configDir()
	cands, err := candidates(f, state, dir, o)
	if err != nil {
		return err
	}
	p := newStepPrinter(f.IO, o.Output == "json", len(cands) > 1)
	mopts := mailOptions(o, p)
	if o.Verbose {
		mopts.Transcript = p.transcriptWriter()
	}
	host, _ := os.Hostname()
	m := &mailer.Message{From: o.From, To: o.To, Subject: o.Subject, Body: o.Body, Host: host}
	res, err := mailer.SendFailover(ctx, cands, m, mopts)
	if perr := p.finish(res, err, time.Since(start)); perr != nil {
		return perr
	}
	return mailExit(ctx, err)
}

func mailOptions(o *sendTestMailOptions, p *stepPrinter) *mailer.Options {
	q, _ := mailer.ParseQuitAfter(o.QuitAfter)
	ir, _ := mailer.ParseIRMode(o.InitialResponse)
	return &mailer.Options{Mechanism: strings.ToUpper(o.Mechanism), InitialResponse: ir, QuitAfter: q,
		Report: p.step, LocalName: ehloName()}
}

// ehloName is this host's name if it is a usable EHLO argument.
func ehloName() string {
	h, err := os.Hostname()
	if err != nil || h == "" || strings.ContainsAny(h, " \r\n") {
		return "localhost"
	}
	return h
}

// candidates lists the servers to try: the named one, or the global
// smtp-server list in order.
func candidates(f *factory, state *config.State, dir string, o *sendTestMailOptions) ([]mailer.Candidate, error) {
	names := []string{o.ServerName}
	if o.ServerName == "" {
		g, err := config.Find(state, f.Registry.Kind(config.KindGlobalConfiguration), "")
		if err != nil {
			return nil, err
		}
		names = f.Registry.View(g).Values(config.PropSMTPServer)
	}
	var cands []mailer.Candidate
	for _, name := range names {
		r := &serverResolver{f: f, state: state, dir: dir, name: name, noCache: o.NoTokenCache}
		cands = append(cands, mailer.Candidate{Name: name, Resolve: r.resolve})
	}
	return cands, nil
}

// serverResolver turns an SMTP external server into a mailer.Server when
// its turn comes.
type serverResolver struct {
	f       *factory
	state   *config.State
	dir     string
	name    string
	noCache bool
}

func (r *serverResolver) resolve(ctx context.Context) (*mailer.Server, error) {
	reg := r.f.Registry
	obj, err := config.Find(r.state, reg.Kind(config.KindExternalServer), r.name)
	if err != nil {
		return nil, err
	}
	if obj.Type != mailer.TypeSMTP {
		return nil, config.Problemf("name an external server of type smtp", "The external server %q is of type %s, not smtp", r.name, obj.Type)
	}
	v := reg.View(obj)
	s := &mailer.Server{Name: r.name, Host: v.String(mailer.PropServerHostName), Port: v.Int(mailer.PropServerPort),
		Security: v.String(mailer.PropSMTPSecurity), Timeout: v.Duration(mailer.PropSMTPTimeout), User: v.String(mailer.PropUserName)}
	if s.Security != mailer.SecurityNone {
		if s.TLS, err = tlsconf.ClientConfig(tlsconf.Settings{Registry: reg, State: r.state, Dir: r.dir,
			TrustManager: v.String(mailer.PropTrustManagerProvider), ServerName: s.Host}); err != nil {
			return nil, err
		}
		if tlsconf.Unverified(s.TLS) {
			r.f.warn("SMTP server %q: trust-manager-provider %q is blind-trust: the server's certificate is NOT verified, so anyone on the network path can read the credentials; use it for testing only",
				r.name, v.String(mailer.PropTrustManagerProvider))
		}
	}
	return s, r.credentials(ctx, v, s)
}

func (r *serverResolver) credentials(ctx context.Context, v config.View, s *mailer.Server) error {
	var err error
	switch {
	case v.IsSet(mailer.PropTokenAcquisitionMethod):
		s.Tokens, err = r.f.tokenSource(r.state, v.String(mailer.PropTokenAcquisitionMethod), r.noCache)
	case v.IsSet(mailer.PropPassphraseProvider):
		var res *passphrase.Resolver
		if res, err = r.f.passphraseResolver(r.state); err == nil {
			s.Password, err = res.Secret(ctx, v.String(mailer.PropPassphraseProvider))
		}
	case v.IsSet(mailer.PropPassword):
		s.Password, err = config.KeyFileIn(r.dir).Open(mailer.PropPassword, v.String(mailer.PropPassword))
	}
	return err
}

// mailExit gives a send failure its exit code from the stage it failed in.
func mailExit(ctx context.Context, err error) error {
	var e *mailer.Error
	if err == nil || ctx.Err() != nil || !errors.As(err, &e) {
		return err
	}
	code := exitError
	switch e.Stage {
	case mailer.StageConfig:
		code = exitConfig
	case mailer.StageToken:
		code = exitToken
		if errors.Is(err, config.ErrRejected) {
			code = exitConfig // the method is unusable, e.g. its secret is missing
		}
	case mailer.StageConnect, mailer.StageTLS, mailer.StageEHLO:
		code = exitConnect
	case mailer.StageAuth:
		code = exitAuth
	case mailer.StageMail, mailer.StageRcpt, mailer.StageData:
		code = exitMessage
	}
	return withCode(code, err)
}
