package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// TestExitCode pins the one map from typed errors to exit codes.
func TestExitCode(t *testing.T) {
	tokenErr := &httpauth.TokenError{Method: "m", Class: httpauth.ClassOAuth}
	unusable := &httpauth.ConfigError{Method: "m", Err: errors.New("the method is disabled")}
	mail := func(stage mailer.Stage, err error) error { return &mailer.Error{Stage: stage, Server: "s", Err: err} }
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain", errors.New("disk full"), exitError},
		{"flag", usagef("bad flag"), exitUsage},
		{"rejected", config.Problemf("fix it", "The value is wrong"), exitConfig},
		{"interrupted", fmt.Errorf("waiting: %w", context.Canceled), exitInterrupted},
		{"token refused", tokenErr, exitToken},
		{"token method unusable", unusable, exitConfig},
		{"mail config", mail(mailer.StageConfig, errors.New("x")), exitConfig},
		{"mail token", mail(mailer.StageToken, tokenErr), exitToken},
		{"mail token unusable", mail(mailer.StageToken, unusable), exitConfig},
		{"mail connect", mail(mailer.StageConnect, errors.New("refused")), exitConnect},
		{"mail tls", mail(mailer.StageTLS, errors.New("x")), exitConnect},
		{"mail ehlo", mail(mailer.StageEHLO, errors.New("x")), exitConnect},
		{"mail auth", mail(mailer.StageAuth, errors.New("535")), exitAuth},
		{"mail rcpt", mail(mailer.StageRcpt, errors.New("550")), exitMessage},
		{"mail interrupted", mail(mailer.StageAuth, context.Canceled), exitInterrupted},
		{"failover", &mailer.FailoverError{Errors: []error{mail(mailer.StageAuth, nil), mail(mailer.StageData, errors.New("554"))}}, exitMessage},
	}
	for _, c := range cases {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
	}
}
