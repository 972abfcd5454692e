package mailer

import (
	"context"
	"fmt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// SecretResolver gives the secret held by a passphrase provider;
// *passphrase.Resolver is one.
type SecretResolver interface {
	Secret(ctx context.Context, name string) (string, error)
}

// TokenSources gives the token source of an http-authorization-method.
// The command layer supplies it, because it decides what httpauth.New is
// given: whether the shared token cache is used, and where warnings go.
type TokenSources interface {
	TokenSource(method string) (httpauth.Source, error)
}

// CandidateOptions are what Candidates needs besides the server's name.
type CandidateOptions struct {
	// Config holds the SMTP external servers and the objects they refer
	// to; the password's encryption key is in its directory.
	Config  *config.Snapshot
	Secrets SecretResolver
	Tokens  TokenSources
	// Warn, when set, receives problems that do not stop a send, such as
	// a blind-trust trust manager.
	Warn func(msg string)
}

func (o *CandidateOptions) warn(msg string) {
	if o.Warn != nil {
		o.Warn(msg)
	}
}

// Candidates returns the servers SendFailover tries: the named SMTP
// external server, or, when name is empty, the global configuration's
// smtp-server list in order. Each is resolved only when its turn comes.
func Candidates(opts CandidateOptions, name string) ([]Candidate, error) {
	names := []string{name}
	if name == "" {
		g, err := opts.Config.Lookup(config.KindGlobalConfiguration, "")
		if err != nil {
			return nil, err
		}
		names = g.Values(config.PropSMTPServer)
	}
	cands := make([]Candidate, 0, len(names))
	for _, n := range names {
		cands = append(cands, Candidate{Name: n, Resolve: func(ctx context.Context) (*Server, error) {
			return resolve(ctx, &opts, n)
		}})
	}
	return cands, nil
}

// resolve turns the named SMTP external server into a Server.
func resolve(ctx context.Context, opts *CandidateOptions, name string) (*Server, error) {
	v, err := opts.Config.Lookup(config.KindExternalServer, name)
	if err != nil {
		return nil, err
	}
	if v.Object.Type != TypeSMTP {
		return nil, config.Problemf("name an external server of type smtp", "the external server %q is of type %s, not smtp", name, v.Object.Type)
	}
	s := &Server{Name: name, Host: v.String(propServerHostName), Port: v.Int(propServerPort),
		Security: v.String(propSMTPSecurity), Timeout: v.Duration(propSMTPTimeout), User: v.String(propUserName)}
	var errs []error
	s.Conn, errs = ParseConnectionProperties(v.Values(propSMTPConnectionProperties))
	for _, err := range errs {
		opts.warn(fmt.Sprintf("SMTP server %q: smtp-connection-properties: ignoring %v", name, err))
	}
	if s.Security != SecurityNone {
		if err := s.trust(opts, v.String(propTrustManagerProvider)); err != nil {
			return nil, err
		}
	}
	return s, credentials(ctx, opts, v, s)
}

// trust sets the TLS configuration from the trust-manager-provider.
func (s *Server) trust(opts *CandidateOptions, trustManager string) error {
	cfg, err := tlsconf.ClientConfig(tlsconf.Settings{Config: opts.Config, TrustManager: trustManager, ServerName: s.Host})
	if err != nil {
		return err
	}
	s.TLS, s.Unverified, s.TrustManager = cfg, tlsconf.Unverified(cfg), trustManager
	if s.Unverified {
		opts.warn(tlsconf.UnverifiedWarning(fmt.Sprintf("the certificate of SMTP server %q", s.Name), trustManager))
	}
	return nil
}

// credentials sets the token source or the password.
func credentials(ctx context.Context, opts *CandidateOptions, v config.View, s *Server) error {
	var err error
	switch {
	case v.IsSet(propTokenAcquisitionMethod):
		s.Tokens, err = opts.Tokens.TokenSource(v.String(propTokenAcquisitionMethod))
		// A service account acts as the SMTP user unless its method
		// names the mailbox itself.
		if ss, ok := s.Tokens.(httpauth.SubjectSource); ok && err == nil {
			s.Tokens, err = ss.WithSubject(v.String(propUserName), false)
		}
	case v.IsSet(propPassphraseProvider):
		s.Password, err = opts.Secrets.Secret(ctx, v.String(propPassphraseProvider))
	case v.IsSet(propPassword):
		s.Password, err = config.KeyFileIn(opts.Config.Dir).Open(propPassword, v.String(propPassword))
	}
	return err
}
