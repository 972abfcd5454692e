package sendmail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

func reply(code int) *smtp.SMTPError { return &smtp.SMTPError{Code: code, Message: "no"} }

func TestClassify(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want Outcome
	}{
		{"canceled", fmt.Errorf("x: %w", context.Canceled), OutcomeInterrupted},
		{"connect", &mailer.Error{Stage: mailer.StageConnect, Err: io.EOF}, OutcomeTemporary},
		{"tls", &mailer.Error{Stage: mailer.StageTLS, Err: io.EOF}, OutcomeTemporary},
		{"ehlo 421", &mailer.Error{Stage: mailer.StageEHLO, Reply: reply(421)}, OutcomeTemporary},
		{"rcpt 451", &mailer.Error{Stage: mailer.StageRcpt, Reply: reply(451)}, OutcomeTemporary},
		{"data 452", &mailer.Error{Stage: mailer.StageData, Reply: reply(452), BodyStarted: true}, OutcomeTemporary},
		{"lost in mail", &mailer.Error{Stage: mailer.StageMail, Lost: true, Err: io.EOF}, OutcomeTemporary},
		{"rcpt 550", &mailer.Error{Stage: mailer.StageRcpt, Reply: reply(550)}, OutcomeRefused},
		{"data 554", &mailer.Error{Stage: mailer.StageData, Reply: reply(554)}, OutcomeRefused},
		{"unknown", &mailer.Error{Stage: mailer.StageData, Lost: true, BodyStarted: true, Unknown: true, Err: io.EOF}, OutcomeUnknown},
		{"auth 535", &mailer.Error{Stage: mailer.StageAuth, Reply: reply(535)}, OutcomeAuth},
		{"auth 454", &mailer.Error{Stage: mailer.StageAuth, Reply: reply(454)}, OutcomeTemporary},
		{"config stage", &mailer.Error{Stage: mailer.StageConfig, Err: errors.New("no server")}, OutcomeConfig},
		{"token unreachable", &mailer.Error{Stage: mailer.StageToken, Err: &httpauth.TokenError{Class: httpauth.ClassConnect}}, OutcomeTemporary},
		{"token timeout", &httpauth.TokenError{Class: httpauth.ClassTimeout}, OutcomeTemporary},
		{"token 503", &mailer.Error{Stage: mailer.StageToken, Err: &httpauth.TokenError{Class: httpauth.ClassHTTP, Status: 503}}, OutcomeTemporary},
		{"token 429", &httpauth.TokenError{Class: httpauth.ClassHTTP, Status: 429}, OutcomeTemporary},
		{"token 403", &httpauth.TokenError{Class: httpauth.ClassHTTP, Status: 403}, OutcomeAuth},
		{"invalid_client", &mailer.Error{Stage: mailer.StageToken, Err: &httpauth.TokenError{Class: httpauth.ClassOAuth, Code: "invalid_client"}}, OutcomeAuth},
		{"static token rejected", &httpauth.TokenError{Class: httpauth.ClassStaticReject}, OutcomeAuth},
		{"missing secret", &mailer.Error{Stage: mailer.StageToken, Err: fmt.Errorf("x: %w", config.ErrRejected)}, OutcomeConfig},
		{"store", fmt.Errorf("x: %w", config.ErrStore), OutcomeConfig},
		{"failover, last temporary", &mailer.FailoverError{Errors: []error{
			&mailer.Error{Stage: mailer.StageRcpt, Reply: reply(550)}, &mailer.Error{Stage: mailer.StageConnect, Err: io.EOF}}}, OutcomeTemporary},
		{"failover, last refused", &mailer.FailoverError{Errors: []error{
			&mailer.Error{Stage: mailer.StageConnect, Err: io.EOF}, &mailer.Error{Stage: mailer.StageRcpt, Reply: reply(550)}}}, OutcomeRefused},
		{"other", errors.New("surprise"), OutcomeOther},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Classify(c.err); got != c.want {
				t.Errorf("Classify = %d, want %d", got, c.want)
			}
			if got := mayFailOver(c.err); got != (c.want == OutcomeTemporary) {
				t.Errorf("mayFailOver = %v", got)
			}
		})
	}
}
