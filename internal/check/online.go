package check

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// OnlineOptions are what Online needs: the command layer gives the same
// secret resolver and token sources as to get-access-token and
// send-test-mail.
type OnlineOptions struct {
	Options
	Secrets mailer.SecretResolver
	Tokens  mailer.TokenSources
	// LocalName is the EHLO name.
	LocalName string
	// Report receives each step as it ends, with its timing.
	Report func(mailer.Step)
}

// Online gets a token from each method in use and opens an SMTP session
// with each listed server up to AUTH, then QUIT; it sends no message.
// Failed steps, token claims that do not fit Exchange Online and server
// certificates near their expiry are findings.
func Online(ctx context.Context, o OnlineOptions) ([]Finding, error) {
	c, err := newChecker(o.Config, o.now())
	if err != nil {
		return nil, err
	}
	if err := c.scope(o.ServerName, o.MethodName); err != nil {
		return nil, err
	}
	report := func(st mailer.Step) {
		if o.Report != nil {
			o.Report(st)
		}
	}
	for _, m := range c.methodsInUse(o.MethodName) {
		c.token(ctx, o, m, report)
	}
	for _, s := range slices.Sorted(mapKeys(c.listed)) {
		c.session(ctx, o, s, report)
	}
	return c.out(), nil
}

// methodsInUse are the methods of the listed servers, or the one named.
func (c *checker) methodsInUse(named string) []string {
	if named != "" {
		return []string{named}
	}
	var out []string
	for s := range c.listed {
		if obj := c.snap.State.Get(config.KindExternalServer, s); obj != nil {
			if m := c.snap.Registry.View(obj); m.Type.Property(propTokenMethod) != nil && m.String(propTokenMethod) != "" && !slices.Contains(out, m.String(propTokenMethod)) {
				out = append(out, m.String(propTokenMethod))
			}
		}
	}
	slices.Sort(out)
	return out
}

// forExchange says whether a listed server that uses the method is
// Exchange Online's.
func (c *checker) forExchange(method string) bool {
	for s := range c.listed {
		obj := c.snap.State.Get(config.KindExternalServer, s)
		if obj == nil || obj.Type != mailer.TypeSMTP {
			continue
		}
		v := c.snap.Registry.View(obj)
		if v.String(propTokenMethod) == method && strings.EqualFold(v.String(propHost), exchangeHost) {
			return true
		}
	}
	return false
}

// token gets a token the way get-access-token does and checks its claims.
func (c *checker) token(ctx context.Context, o OnlineOptions, method string, report func(mailer.Step)) {
	k := config.KindHTTPAuthorizationMethod
	start := time.Now()
	tok, err := func() (*httpauth.Token, error) {
		src, err := o.Tokens.TokenSource(method)
		if err != nil {
			return nil, err
		}
		return src.Token(ctx)
	}()
	step := mailer.Step{Server: method, Stage: mailer.StageToken, Duration: time.Since(start)}
	if err != nil {
		step.Detail = err.Error()
		report(step)
		c.failed[method] = true
		c.add(onlineToken, k, method, "", withHint(err), "get-access-token", "--method-name", method)
		return
	}
	step.OK, step.Detail = true, fmt.Sprintf("method %q gave a token", method)
	if !tok.Expiry.IsZero() {
		step.Detail += fmt.Sprintf(", expires in %s", tok.Expiry.Sub(c.now).Round(time.Second))
	}
	report(step)
	claims, err := httpauth.DecodeJWT(tok.AccessToken)
	if err != nil || !c.forExchange(method) {
		return // an opaque token, or not for Exchange Online: no claim check
	}
	for _, p := range httpauth.ClaimProblems(claims, c.now, true) {
		c.add(tokenClaims, k, method, "", fmt.Sprintf("claim %s: %s", p.Claim, p.Message), "get-access-token", "--method-name", method)
	}
}

// session runs the server's SMTP session up to AUTH, as send-test-mail
// --quit-after auth does.
func (c *checker) session(ctx context.Context, o OnlineOptions, server string, report func(mailer.Step)) {
	obj := c.snap.State.Get(config.KindExternalServer, server)
	if obj == nil || obj.Type != mailer.TypeSMTP {
		return // the offline checks and send-test-mail report it
	}
	if m := obj.Values[propTokenMethod]; len(m) > 0 && c.failed[m[0]] {
		return // its method's failure is the finding
	}
	cands, err := mailer.Candidates(mailer.CandidateOptions{Config: c.snap, Secrets: o.Secrets, Tokens: o.Tokens}, server)
	if err != nil {
		c.add(onlineConnect, config.KindExternalServer, server, "", err.Error())
		return
	}
	mo := &mailer.Options{QuitAfter: mailer.StageAuth, LocalName: o.LocalName, Report: func(st mailer.Step) {
		report(st)
		if st.Certificate != nil {
			c.serverCertificate(server, st)
		}
	}}
	_, err = mailer.SendFailover(ctx, cands, &mailer.Message{}, mo)
	if err == nil {
		return
	}
	id := onlineConnect
	var me *mailer.Error
	if errors.As(err, &me) {
		switch me.Stage {
		case mailer.StageToken:
			id = onlineToken
		case mailer.StageTLS:
			id = onlineTLS
		case mailer.StageEHLO, mailer.StageAuth:
			id = onlineAuth
		}
	}
	c.add(id, config.KindExternalServer, server, "", withHint(err),
		"send-test-mail", "--server-name", server, "--quit-after", "auth", "--to", "ADDRESS", "--verbose")
}

// serverCertificate warns about a server certificate near its expiry;
// an expired one fails the TLS step already.
func (c *checker) serverCertificate(server string, st mailer.Step) {
	cert := st.Certificate
	if left := cert.NotAfter.Sub(c.now); left > 0 && left < expiringWithin {
		c.add(certExpiring, config.KindExternalServer, server, "",
			fmt.Sprintf("the server's certificate %q expires on %s, within 30 days", cert.Subject.String(), cert.NotAfter.UTC().Format(time.DateOnly)))
	}
}

// withHint is the error's message with its hint.
func withHint(err error) string {
	if h := config.HintOf(err); h != "" {
		return err.Error() + " (" + h + ")"
	}
	return err.Error()
}
