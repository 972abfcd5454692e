package httpauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"golang.org/x/oauth2/jwt"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// TypeServiceAccount obtains tokens for a Google service account with
// domain-wide delegation: the two-legged JWT bearer grant of RFC 7523
// §2.1, acting as one mailbox.
const TypeServiceAccount = "service-account-bearer-token"

const (
	propServiceAccountKey = "service-account-key-passphrase-provider"
	propSubjectUserName   = "subject-user-name"
	googleMailScope       = "https://mail.google.com/"
)

var tokenURLSyntax = config.URL{Schemes: []string{"https"}, LoopbackHTTP: true}

func serviceAccountProperties() []*config.PropertyDef {
	return []*config.PropertyDef{
		{Name: propServiceAccountKey, Synopsis: "The passphrase provider that holds the service account's JSON key, with its private key.",
			Syntax: ref(config.KindPassphraseProvider), Mandatory: true,
			Note: "The key file as Google Cloud console creates it (IAM, Service accounts, Keys, JSON); a file-based passphrase provider can read it."},
		{Name: propRequestedScope, Synopsis: "A scope to request; the values are joined with spaces in the assertion.",
			Syntax: config.Token{Reason: "use --set once per scope"}, Multi: true, Default: []string{googleMailScope},
			Note: "Gmail SMTP needs https://mail.google.com/, which must be granted to the client ID in domain-wide delegation."},
		{Name: propSubjectUserName, Synopsis: "The mailbox that the service account acts as (the sub claim).",
			Syntax: config.String{}, DefaultText: "the user-name of the SMTP server that uses the method; get-access-token takes --subject"},
		{Name: propTokenEndpointURL, Synopsis: "The URL of the token endpoint.",
			Syntax: tokenURLSyntax, DefaultText: "token_uri of the key, https://oauth2.googleapis.com/token"},
		{Name: propMaximumTokenLifetime, Synopsis: "The longest time a token is reused, even if the server says it is valid for longer.",
			Syntax: config.Duration{Min: time.Second}, DefaultText: "the lifetime the server gives (expires_in)"},
		{Name: propResponseTimeout, Synopsis: "How long to wait for the token endpoint to answer.",
			Syntax: config.Duration{Min: 100 * time.Millisecond, Max: 10 * time.Minute}, Default: []string{"10 s"}},
		{Name: propTrustManagerProvider, Synopsis: "The trust manager provider that decides whether the token endpoint's certificate is trusted.",
			Syntax: ref(config.KindTrustManagerProvider), DefaultText: "the system trust store"},
		{Name: propKeyManagerProvider, Synopsis: "The key manager provider with a client certificate to present to the token endpoint.",
			Syntax: ref(config.KindKeyManagerProvider), DefaultText: "no client certificate"},
		{Name: propHostnameVerification, Synopsis: "Whether the token endpoint's certificate must match its host name.",
			Syntax: config.Enum{Values: []string{hostnameStrict, hostnameAllowAll}}, Default: []string{hostnameStrict}},
		{Name: propHTTPProxyExternalServer, Synopsis: "The HTTP proxy through which the token endpoint is reached.",
			Syntax: ref(config.KindExternalServer, TypeHTTPProxy), DefaultText: "the proxy named by the HTTPS_PROXY and NO_PROXY environment variables, if any"},
	}
}

// SubjectSource is a token source that acts as a mailbox: a service
// account. WithSubject returns the source for subject; unless override
// is set, a subject-user-name in the method wins.
type SubjectSource interface {
	WithSubject(subject string, override bool) (Source, error)
}

// saKey is the part of a service account key file that is used.
type saKey struct {
	Type         string `json:"type"`
	ClientEmail  string `json:"client_email"`
	PrivateKey   string `json:"private_key"`
	PrivateKeyID string `json:"private_key_id"`
	TokenURI     string `json:"token_uri"`
}

func newServiceAccount(opts *Options, v config.View, subject string) (*ccSource, error) {
	s := &ccSource{
		opts: opts, view: v, sa: true, subject: v.String(propSubjectUserName),
		info: Info{Method: v.Object.Name, Type: v.Object.Type, Endpoint: v.String(propTokenEndpointURL),
			Scopes: v.Values(propRequestedScope)},
		provider: v.String(propServiceAccountKey),
		timeout:  v.Duration(propResponseTimeout),
		maxLife:  v.Duration(propMaximumTokenLifetime),
	}
	if len(s.info.Scopes) == 0 {
		s.info.Scopes = []string{googleMailScope}
	}
	if subject != "" {
		s.subject = subject
	}
	s.info.Provider, s.info.Subject = s.provider, s.subject
	if s.info.Endpoint != "" {
		if err := s.setTransport(v); err != nil {
			return nil, err
		}
	}
	if !opts.NoCache {
		s.cache = newTokenCache(opts, s.timeout+lockSlack)
		s.info.CacheFile = s.cache.path
	}
	return s, nil
}

// WithSubject returns the source acting as subject.
func (s *ccSource) WithSubject(subject string, override bool) (Source, error) {
	if !s.sa || subject == "" || (!override && s.view.String(propSubjectUserName) != "") {
		return s, nil
	}
	return newServiceAccount(s.opts, s.view, subject)
}

// resolveServiceAccount reads the key and builds the x/oauth2/jwt
// settings, which sign the assertion.
func (s *ccSource) resolveServiceAccount(ctx context.Context) error {
	if s.subject == "" {
		return &ConfigError{Method: s.info.Method, Err: errors.New("no mailbox to act as"),
			Hint: "set subject-user-name on the method, or user-name on the SMTP server that uses it; get-access-token takes --subject"}
	}
	raw, err := secret(ctx, s.opts, s.info.Method, "service account key", s.provider)
	if err != nil {
		return err
	}
	s.secret = raw
	var k saKey
	if err := json.Unmarshal([]byte(raw), &k); err != nil {
		// A syntax error names a character and an offset, never the key.
		return &ConfigError{Method: s.info.Method, Err: errors.New("the service account key is not JSON"),
			Hint: "put the JSON key file that Google Cloud console creates in the passphrase provider"}
	}
	switch {
	case k.Type != "service_account":
		return &ConfigError{Method: s.info.Method, Err: fmt.Errorf("the key's type is %q, not service_account", DisplayText(k.Type)),
			Hint: "use a service account's JSON key, not an OAuth client or user credentials file"}
	case k.ClientEmail == "" || k.PrivateKey == "":
		return &ConfigError{Method: s.info.Method, Err: errors.New("the service account key has no client_email or private_key")}
	}
	s.info.ClientID = k.ClientEmail
	if s.info.Endpoint == "" {
		s.info.Endpoint = k.TokenURI
		if s.info.Endpoint == "" {
			s.info.Endpoint = "https://oauth2.googleapis.com/token"
		}
		if _, err := tokenURLSyntax.Parse(s.info.Endpoint); err != nil {
			return &ConfigError{Method: s.info.Method, Err: fmt.Errorf("the key's token_uri: %w", err),
				Hint: "set oauth-server-token-endpoint-url"}
		}
		if err := s.setTransport(s.view); err != nil {
			return err
		}
	}
	s.saConf = &jwt.Config{Email: k.ClientEmail, PrivateKey: []byte(k.PrivateKey), PrivateKeyID: k.PrivateKeyID,
		Scopes: s.info.Scopes, TokenURL: s.info.Endpoint, Subject: s.subject}
	s.redact = []string{raw, k.PrivateKey}
	return nil
}

// setTransport builds the transport for s.info.Endpoint.
func (s *ccSource) setTransport(v config.View) error {
	t, err := buildTransportFor(s.opts, v, s.info.Endpoint)
	if err != nil {
		return &ConfigError{Method: s.info.Method, Err: err}
	}
	s.transport, s.proxy = t, t.Proxy
	s.info.TrustManager = v.String(propTrustManagerProvider)
	if s.opts.WrapTransport != nil {
		s.transport = s.opts.WrapTransport(t)
	}
	return nil
}

// serviceAccountCacheKey keys the token by the key, the account and the
// mailbox, so that each mailbox has its own token.
func (s *ccSource) serviceAccountCacheKey() (string, error) {
	return s.cache.key.MAC("token-cache", "service-account", s.info.Method, s.info.Endpoint, s.info.ClientID,
		"key:"+s.secret, "subject:"+s.subject, fmt.Sprint(s.info.Scopes), fmt.Sprintf("max=%d", s.maxLife))
}
