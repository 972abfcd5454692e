package sendmail

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// Outcome is what a send failure means for the caller: retry later,
// give up, or do not resend. The command layer maps it to a sysexits
// code.
type Outcome int

// The outcomes.
const (
	OutcomeOther       Outcome = iota // an unexpected failure
	OutcomeTemporary                  // try again later: 4xx, network, token endpoint unreachable
	OutcomeUnknown                    // the body was sent but no final reply came: do not resend
	OutcomeRefused                    // the server refused the message for good (5xx)
	OutcomeAuth                       // the credentials or the token request were refused
	OutcomeConfig                     // the configuration is unusable
	OutcomeInterrupted                // interrupted
)

// Classify says what err, returned by mailer.SendFailover, means.
func Classify(err error) Outcome {
	var me *mailer.Error
	var te *httpauth.TokenError
	switch {
	case err == nil:
		return OutcomeOther
	case errors.Is(err, context.Canceled):
		return OutcomeInterrupted
	case errors.As(err, &me):
		return classifyMail(me, err)
	case errors.As(err, &te):
		return classifyToken(te)
	case errors.Is(err, config.ErrRejected), errors.Is(err, config.ErrStore):
		return OutcomeConfig
	}
	return OutcomeOther
}

func classifyMail(e *mailer.Error, err error) Outcome {
	switch {
	case e.Unknown:
		return OutcomeUnknown
	case e.Reply != nil && e.Reply.Code >= 400 && e.Reply.Code < 500:
		return OutcomeTemporary
	case e.Lost:
		return OutcomeTemporary
	}
	switch e.Stage {
	case mailer.StageConfig:
		return OutcomeConfig
	case mailer.StageToken:
		var te *httpauth.TokenError
		if errors.As(err, &te) {
			return classifyToken(te)
		}
		if errors.Is(err, config.ErrRejected) {
			return OutcomeConfig
		}
		return OutcomeTemporary
	case mailer.StageConnect, mailer.StageTLS, mailer.StageEHLO:
		return OutcomeTemporary
	case mailer.StageAuth:
		return OutcomeAuth
	case mailer.StageMail, mailer.StageRcpt, mailer.StageData:
		if e.Reply != nil {
			return OutcomeRefused
		}
		return OutcomeTemporary
	}
	return OutcomeOther
}

// classifyToken: a token endpoint that cannot be reached, or that is
// overloaded, is temporary; a refusal of the client is not.
func classifyToken(te *httpauth.TokenError) Outcome {
	switch te.Class {
	case httpauth.ClassOAuth, httpauth.ClassStaticReject:
		return OutcomeAuth
	case httpauth.ClassHTTP:
		if te.Status >= 500 || te.Status == 429 {
			return OutcomeTemporary
		}
		return OutcomeAuth
	}
	return OutcomeTemporary
}

// mayFailOver is mailer.Options.Failover for send-mail: the next server
// is tried only after a connection, TLS or temporary failure.
func mayFailOver(err error) bool { return Classify(err) == OutcomeTemporary }

// Warning for a From that Exchange Online accepts only with SendAs.
func sendAsWarning(server, from, user string) string {
	return fmt.Sprintf("the message's From %q differs from the user-name %q of %q: Exchange Online needs SendAs rights on that address, or refuses with 5.7.60", from, user, server)
}

// isExchangeOnline says whether host is Exchange Online's SMTP endpoint.
func isExchangeOnline(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return strings.HasSuffix(h, ".office365.com") || strings.HasSuffix(h, ".outlook.com")
}

// warnSendAs wraps the candidates so that each, once resolved, warns when
// the message's From differs from the server's user-name on Exchange
// Online.
func warnSendAs(cands []mailer.Candidate, headerFrom string, warn func(string)) []mailer.Candidate {
	out := make([]mailer.Candidate, len(cands))
	for i, c := range cands {
		resolve := c.Resolve
		out[i] = mailer.Candidate{Name: c.Name, Resolve: func(ctx context.Context) (*mailer.Server, error) {
			s, err := resolve(ctx)
			if err == nil && s.User != "" && headerFrom != "" && !strings.EqualFold(s.User, headerFrom) && isExchangeOnline(s.Host) {
				warn(sendAsWarning(c.Name, headerFrom, s.User))
			}
			return s, err
		}}
	}
	return out
}

// Message turns p into mailer's message.
func (p *prepared) Message() *mailer.Message {
	return &mailer.Message{From: p.Sender, To: p.Recipients, Raw: p.Raw, Raw7Bit: p.Raw7Bit, MessageID: p.MessageID}
}

// defaultSender is the user-name of the server a message goes to first:
// the named one, or the first of the global smtp-server list; "" when
// there is none.
func defaultSender(snap *config.Snapshot, serverName string) string {
	name := serverName
	if name == "" {
		g, err := snap.Lookup(config.KindGlobalConfiguration, "")
		if err != nil {
			return ""
		}
		vs := g.Values(config.PropSMTPServer)
		if len(vs) == 0 {
			return ""
		}
		name = vs[0]
	}
	v, err := snap.Lookup(config.KindExternalServer, name)
	if err != nil {
		return ""
	}
	return v.String("user-name")
}
