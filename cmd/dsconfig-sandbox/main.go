// Command dsconfig-sandbox runs the loopback OAuth 2.0 token endpoint and
// SMTP server of internal/sandbox until interrupted, for `make demo` and
// for trying send-test-mail by hand.
//
// It writes into -dir: ca.pem (the private CA, for a file-based
// trust-manager-provider), static-token (a token for a
// static-bearer-token method, mode 0600), sandbox.env (the addresses, as
// shell variables), and messages/*.eml (what it received).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "dsconfig-sandbox: error:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer, getenv func(string) string) error {
	opts, err := parseFlags(args, out, getenv)
	if err != nil {
		return err
	}
	sb, err := sandbox.Start(*opts)
	if err != nil {
		return err
	}
	defer sb.Close()
	if err := writeFiles(sb, opts.Dir); err != nil {
		return err
	}
	fmt.Fprintf(out, "token endpoint  %s (client %q)\nSMTP            %s (STARTTLS)\n", sb.TokenURL(), sb.ClientID(), sb.SMTPAddr)
	if sb.SMTPSAddr != "" {
		fmt.Fprintf(out, "SMTP over TLS   %s\n", sb.SMTPSAddr)
	}
	fmt.Fprintf(out, "CA certificate  %s\nmessages        %s\nready\n", sb.CAFile, sb.MessageDir)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(out, "stopping")
	return nil
}

func parseFlags(args []string, out io.Writer, getenv func(string) string) (*sandbox.Options, error) {
	fs := flag.NewFlagSet("dsconfig-sandbox", flag.ContinueOnError)
	fs.SetOutput(out)
	o := &sandbox.Options{Log: out}
	var mechs string
	fs.StringVar(&o.Dir, "dir", "", "directory for ca.pem, static-token, sandbox.env and messages/ (required)")
	fs.StringVar(&o.SMTPAddr, "smtp-addr", "127.0.0.1:0", "SMTP (STARTTLS) listen address; port 0 picks a free one")
	fs.StringVar(&o.SMTPSAddr, "smtps-addr", "127.0.0.1:0", "implicit TLS listen address, with -implicit-tls")
	fs.StringVar(&o.TokenAddr, "token-addr", "127.0.0.1:0", "token endpoint listen address")
	fs.BoolVar(&o.ImplicitTLS, "implicit-tls", false, "also serve SMTP over implicit TLS")
	fs.BoolVar(&o.RequireTLS, "require-tls", true, "offer AUTH only after STARTTLS, as real servers do")
	fs.StringVar(&o.ClientID, "client-id", "sandbox-client", "the client ID the token endpoint accepts")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 5*time.Minute, "lifetime of issued tokens")
	fs.BoolVar(&o.JWT, "jwt", true, "issue JWT-shaped tokens (false: opaque random strings)")
	fs.StringVar(&mechs, "mechanisms", "XOAUTH2,OAUTHBEARER", "SASL mechanisms offered, comma-separated")
	fs.IntVar(&o.AuthLineLimit, "auth-line-limit", 0, "refuse inline AUTH lines longer than this (0: no limit)")
	fs.BoolVar(&o.GoogleErrors, "google-errors", false, "refuse XOAUTH2 tokens through a 334 JSON challenge, like Gmail")
	fs.BoolVar(&o.AllowAnonymous, "allow-anonymous", false, "accept mail without AUTH")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if o.Dir == "" {
		return nil, fmt.Errorf("-dir is required")
	}
	// The secret comes from the environment so that it is not in ps output.
	o.ClientSecret = getenv("SANDBOX_CLIENT_SECRET")
	if o.ClientSecret == "" {
		return nil, fmt.Errorf("set SANDBOX_CLIENT_SECRET to the client secret the token endpoint should accept")
	}
	o.Mechanisms = strings.Split(strings.ToUpper(mechs), ",")
	return o, nil
}

// writeFiles writes what scripts need to reach and trust the sandbox.
func writeFiles(sb *sandbox.Sandbox, dir string) error {
	tok := sb.Issue(0)
	if err := os.WriteFile(filepath.Join(dir, "static-token"), []byte(tok+"\n"), 0o600); err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(sb.SMTPAddr)
	vars := [][2]string{{"SANDBOX_TOKEN_URL", sb.TokenURL()}, {"SANDBOX_SMTP_HOST", host}, {"SANDBOX_SMTP_PORT", port},
		{"SANDBOX_CA_FILE", sb.CAFile}, {"SANDBOX_MESSAGES", sb.MessageDir}, {"SANDBOX_CLIENT_ID", sb.ClientID()}}
	if sb.SMTPSAddr != "" {
		_, sport, _ := net.SplitHostPort(sb.SMTPSAddr)
		vars = append(vars, [2]string{"SANDBOX_SMTPS_PORT", sport})
	}
	env := ""
	for _, v := range vars {
		env += v[0] + "=" + shellQuote(v[1]) + "\n"
	}
	return os.WriteFile(filepath.Join(dir, "sandbox.env"), []byte(env), 0o600)
}

// shellQuote quotes s for a POSIX shell, where nothing inside single
// quotes is special except the single quote itself.
func shellQuote(s string) string {
	// Close the quotes, write an escaped quote, reopen: ' becomes '\''.
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
