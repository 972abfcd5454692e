package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/credentials"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
	"github.com/dsconfig-smtp/dsconfig/internal/report"
)

type accessTokenOptions struct {
	ui
	Store    func(*globalOptions) (*config.Store, error)
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Getenv   func(string) string
	Now      func() time.Time

	Method     string
	Subject    string
	NoCache    bool
	ShowToken  bool
	ClearCache bool
	Verbose    bool
	Output     string
}

func newCmdGetAccessToken(f *factory, g *globalOptions, runF func(*accessTokenOptions) error) *cobra.Command {
	o := &accessTokenOptions{ui: ui{f.IO, g}, Store: f.Store, Snapshot: f.Snapshot, Getenv: f.Getenv, Now: f.Now}
	cmd := &cobra.Command{
		Use:   "get-access-token",
		Short: "Gets a token from an HTTP authorization method and shows its claims",
		Long:  httpauth.GetAccessTokenHelp(),
		Example: `  dsconfig get-access-token --method-name "SMTP Bearer Token"
  dsconfig get-access-token --method-name "SMTP Bearer Token" --no-token-cache --output json
  dsconfig get-access-token --method-name "SMTP Bearer Token" --no-token-cache --verbose
  dsconfig get-access-token --clear-cache`,
		Args:    noArgs,
		GroupID: "other",
		RunE:    func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, accessTokenRun) },
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Method, "method-name", "", "the http-authorization-method to get a token from")
	fl.StringVar(&o.Subject, "subject", "", "the mailbox a service-account-bearer-token method acts as, instead of its subject-user-name")
	fl.BoolVar(&o.NoCache, "no-token-cache", false, "neither use nor update the shared token cache")
	fl.BoolVar(&o.ShowToken, "show-token", false, "print the access token itself")
	fl.BoolVar(&o.ClearCache, "clear-cache", false, "discard cached tokens first: the method's, or all when --method-name is not given")
	fl.BoolVarP(&o.Verbose, "verbose", "v", false, "trace the request to the token endpoint (secret and tokens masked)")
	fl.StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func accessTokenRun(ctx context.Context, o *accessTokenOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	if o.Method == "" {
		return clearAllTokens(o)
	}
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	// A misspelt name must not clear anything.
	if _, err := snap.Lookup(config.KindHTTPAuthorizationMethod, o.Method); err != nil {
		return err
	}
	if o.ClearCache {
		if err := clearTokenCache(o.ui, snap.Dir, o.Method); err != nil {
			return err
		}
	}
	creds := credentials.Resolver{Config: snap, Getenv: o.Getenv, Warn: o.warnLine, NoCache: o.NoCache}
	if o.Verbose {
		creds.Trace = verboseWriter(o.IO, o.Output == "json")
	}
	src, err := creds.TokenSource(o.Method)
	if err != nil {
		return err
	}
	if o.Subject != "" {
		ss, ok := src.(httpauth.SubjectSource)
		if !ok || src.(httpauth.Describer).Describe().Type != httpauth.TypeServiceAccount {
			return usagef("--subject applies only to a %s method", httpauth.TypeServiceAccount)
		}
		if src, err = ss.WithSubject(o.Subject, true); err != nil {
			return err
		}
	}
	d, ok := src.(httpauth.Describer)
	if !ok {
		return fmt.Errorf("http authorization method %q: its token source cannot describe itself", o.Method)
	}
	info := d.Describe()
	// The settings' warnings come first: when the request fails they
	// are often the explanation.
	for _, w := range append(check.UseWarnings(snap, o.Method, ""), httpauth.ConfigWarnings(info)...) {
		o.warn("%s", w)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		return err
	}
	if creds.Trace != nil && tok.FromCache {
		fmt.Fprintln(creds.Trace, "* the token came from the cache: no request was made (--no-token-cache makes one)")
	}
	// The signing key is read by the first Token call.
	return showAccessToken(o, d.Describe(), tok, o.Now())
}

// clearAllTokens is get-access-token without --method-name: only
// --clear-cache, which empties the whole cache, makes sense then.
func clearAllTokens(o *accessTokenOptions) error {
	store, err := o.Store(o.Global)
	if err != nil {
		return err
	}
	if o.ClearCache {
		return clearTokenCache(o.ui, store.Dir, "")
	}
	return usagef("--method-name is required (or --clear-cache alone to empty the token cache)")
}

func clearTokenCache(u ui, dir, method string) error {
	n, err := httpauth.ClearCache(dir, method)
	if err == nil && !u.Global.Quiet {
		fmt.Fprintf(u.IO.ErrOut, "dsconfig: removed %d cached token(s)\n", n)
	}
	return err
}

// showAccessToken prints the report. The configuration warnings were
// printed before the request; the report's JSON holds them all.
func showAccessToken(o *accessTokenOptions, info httpauth.Info, tok *httpauth.Token, now time.Time) error {
	r := report.NewToken(info, tok, o.ShowToken, now)
	for _, w := range httpauth.TokenWarnings(tok, r.Claims, now) {
		o.warn("%s", w)
	}
	if o.Output == "json" {
		return render.JSON(o.IO.Out, r)
	}
	r.WriteText(o.IO.Out, now, o.Global.ScriptFriendly)
	return nil
}
