// Package httpauth defines the http-authorization-method types and the
// token sources behind them.
package httpauth

import (
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Type names.
const (
	TypeClientCredentials = "client-credentials-bearer-token"
	TypeStaticBearerToken = "static-bearer-token"
	TypeHTTPProxy         = "http-proxy"
)

// Property names.
const (
	propTokenEndpointURL        = "oauth-server-token-endpoint-url"
	propClientID                = "oauth-client-id"
	propClientSecretProvider    = "oauth-client-secret-passphrase-provider"
	propRequestedScope          = "requested-scope"
	propRequestMethod           = "request-method"
	propCredentialsSubmission   = "credentials-submission-method"
	propClientIDParameterName   = "client-id-parameter-name"
	propClientSecretParamName   = "client-secret-parameter-name"
	propMaximumTokenLifetime    = "maximum-token-lifetime"
	propResponseTimeout         = "response-timeout"
	propTrustManagerProvider    = "trust-manager-provider"
	propKeyManagerProvider      = "key-manager-provider"
	propSSLCertNickname         = "ssl-cert-nickname"
	propHostnameVerification    = "hostname-verification-method"
	propHTTPProxyExternalServer = "http-proxy-external-server"
	propTokenProvider           = "oauth-token-passphrase-provider"
	propServerHostName          = "server-host-name"
	propServerPort              = "server-port"
)

// Values of hostname-verification-method.
const (
	hostnameStrict   = "strict"
	hostnameAllowAll = "allow-all"
)

// Values of credentials-submission-method and request-method.
const (
	submitBasic = "basic-authorization"
	submitBody  = "request-body"
	submitJWT   = "private-key-jwt"
	methodPost  = "post"
	methodGet   = "get"
)

func ref(kind string, types ...string) config.Reference {
	return config.Reference{Kind: kind, Types: types}
}

// Types returns the http-authorization-method types and the http-proxy
// external server they can use.
func Types() []*config.Type {
	return []*config.Type{
		{Kind: config.KindHTTPAuthorizationMethod, Name: TypeClientCredentials,
			Synopsis: "Obtains bearer tokens from an OAuth 2.0 authorization server with the client credentials grant.",
			Check:    checkClientCredentials, Properties: clientCredentialsProperties()},
		{Kind: config.KindHTTPAuthorizationMethod, Name: TypeServiceAccount,
			Synopsis:   "Obtains bearer tokens for a Google service account with domain-wide delegation, acting as one mailbox (the JWT bearer grant).",
			Properties: serviceAccountProperties()},
		{Kind: config.KindHTTPAuthorizationMethod, Name: TypeStaticBearerToken,
			Synopsis: "Uses a fixed bearer token; for testing and troubleshooting only.",
			Properties: []*config.PropertyDef{{
				Name: propTokenProvider, Synopsis: "The passphrase provider that holds the bearer token.",
				Syntax: ref(config.KindPassphraseProvider), Mandatory: true,
			}}},
		{Kind: config.KindExternalServer, Name: TypeHTTPProxy,
			Synopsis: "An HTTP proxy, used to reach a token endpoint.",
			Properties: []*config.PropertyDef{
				{Name: propServerHostName, Synopsis: "The host name or IP address of the proxy.", Syntax: config.Hostname{}, Mandatory: true},
				{Name: propServerPort, Synopsis: "The port on which the proxy listens.", Syntax: config.Integer{Min: 1, Max: 65535}, Mandatory: true},
			}},
	}
}

func clientCredentialsProperties() []*config.PropertyDef {
	return []*config.PropertyDef{
		{Name: propTokenEndpointURL, Synopsis: "The URL of the authorization server's token endpoint.",
			Syntax: config.URL{Schemes: []string{"https"}, LoopbackHTTP: true}, Mandatory: true,
			Note: "For Microsoft Entra ID: https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token. Plain http is accepted only for a loopback host, for local testing."},
		{Name: propClientID, Synopsis: "The client ID to present to the authorization server.", Syntax: config.String{}, Mandatory: true},
		{Name: propClientSecretProvider, Synopsis: "The passphrase provider that holds the client secret.",
			Syntax: ref(config.KindPassphraseProvider), DefaultText: "none; mandatory unless credentials-submission-method is private-key-jwt",
			Note: "Mandatory with basic-authorization and request-body; forbidden with private-key-jwt, which uses no secret."},
		{Name: propRequestedScope, Synopsis: "A scope to request; the values are joined with spaces in the request.",
			Syntax: config.Token{Reason: "use --set once per scope"}, Multi: true, DefaultText: "no scope parameter is sent",
			Note: "Exchange Online needs exactly https://outlook.office365.com/.default."},
		{Name: propRequestMethod, Synopsis: "The HTTP method of the token request.",
			Syntax: config.Enum{Values: []string{methodPost, methodGet}}, Default: []string{methodPost},
			Note: "RFC 6749 token requests are POSTs; get sends the parameters in the query string, for servers that require it."},
		{Name: propCredentialsSubmission, Synopsis: "How the client authenticates to the token endpoint.",
			Syntax: config.Enum{Values: []string{submitBasic, submitBody, submitJWT}}, Default: []string{submitBasic},
			Note: "basic-authorization is RFC 6749 client_secret_basic; request-body sends the ID and secret as form parameters (client_secret_post). " +
				"private-key-jwt (RFC 7523, OpenID Connect private_key_jwt) sends a JWT signed with the key of key-manager-provider instead of a secret: " +
				"key-manager-provider is then mandatory and oauth-client-secret-passphrase-provider is forbidden. One attempt is always one request."},
		{Name: propClientIDParameterName, Synopsis: "The name of the request parameter that carries the client ID when it is sent in the request body.",
			Syntax: config.String{}, Default: []string{"client_id"}},
		{Name: propClientSecretParamName, Synopsis: "The name of the request parameter that carries the client secret when it is sent in the request body.",
			Syntax: config.String{}, Default: []string{"client_secret"}},
		{Name: propMaximumTokenLifetime, Synopsis: "The longest time a token is reused, even if the server says it is valid for longer.",
			Syntax: config.Duration{Min: time.Second}, DefaultText: "the lifetime the server gives (expires_in)",
			Note: "1 s gets a fresh token on every attempt."},
		{Name: propResponseTimeout, Synopsis: "How long to wait for the token endpoint to answer.",
			Syntax: config.Duration{Min: 100 * time.Millisecond, Max: 10 * time.Minute}, Default: []string{"10 s"}},
		{Name: propTrustManagerProvider, Synopsis: "The trust manager provider that decides whether the token endpoint's certificate is trusted.",
			Syntax: ref(config.KindTrustManagerProvider), DefaultText: "the system trust store"},
		{Name: propKeyManagerProvider, Synopsis: "The key manager provider with a client certificate to present to the token endpoint.",
			Syntax: ref(config.KindKeyManagerProvider), DefaultText: "no client certificate; mandatory with private-key-jwt",
			Note: "With credentials-submission-method private-key-jwt its private key also signs the client assertion, and its certificate's thumbprints name the key (x5t, x5t#S256, kid). " +
				"It is still presented as a TLS client certificate when the token endpoint asks for one."},
		{Name: propSSLCertNickname, Synopsis: "The alias of the client certificate to use from the key manager provider.",
			Syntax: config.String{}, DefaultText: "the only certificate in the key manager provider",
			Note: "Accepted for compatibility with PingDirectory; a PEM key manager provider holds one certificate, so it is not used."},
		{Name: propHostnameVerification, Synopsis: "Whether the token endpoint's certificate must match its host name.",
			Syntax: config.Enum{Values: []string{hostnameStrict, hostnameAllowAll}}, Default: []string{hostnameStrict}},
		{Name: propHTTPProxyExternalServer, Synopsis: "The HTTP proxy through which the token endpoint is reached.",
			Syntax: ref(config.KindExternalServer, TypeHTTPProxy), DefaultText: "the proxy named by the HTTPS_PROXY and NO_PROXY environment variables, if any"},
	}
}

// checkClientCredentials enforces what credentials-submission-method
// implies: a secret for basic-authorization and request-body, a key
// manager provider and no secret for private-key-jwt; and it refuses
// request-body parameter names that would replace the grant type or the
// scope, or each other, so that such a method is never saved.
func checkClientCredentials(v config.View) []error {
	switch v.String(propCredentialsSubmission) {
	case submitJWT:
		var errs []error
		if v.String(propKeyManagerProvider) == "" {
			errs = append(errs, config.Missingf(propKeyManagerProvider, "add --set "+propKeyManagerProvider+":VALUE",
				"The %q property must be specified as credentials-submission-method is private-key-jwt: its key signs the client assertion", propKeyManagerProvider))
		}
		if v.String(propClientSecretProvider) != "" {
			errs = append(errs, config.Problemf("add --reset "+propClientSecretProvider,
				"the %q property must not be set when credentials-submission-method is private-key-jwt, which sends no secret", propClientSecretProvider))
		}
		return errs
	case submitBasic:
		if v.String(propClientSecretProvider) == "" {
			return []error{missingSecret(submitBasic)}
		}
		return nil
	}
	if v.String(propClientSecretProvider) == "" {
		return []error{missingSecret(submitBody)}
	}
	id, sec := v.String(propClientIDParameterName), v.String(propClientSecretParamName)
	var errs []error
	for _, n := range []string{id, sec} {
		if n == "grant_type" || n == "scope" {
			errs = append(errs, config.Problemf("choose another client-id-parameter-name or client-secret-parameter-name",
				"the parameter name %q is reserved for the token request itself", n))
		}
	}
	if id == sec {
		errs = append(errs, config.Problemf("give the client ID and the secret different parameter names",
			"the %q and %q properties are both %q", propClientIDParameterName, propClientSecretParamName, id))
	}
	return errs
}

func missingSecret(method string) error {
	return config.Missingf(propClientSecretProvider, "add --set "+propClientSecretProvider+":VALUE, or use credentials-submission-method private-key-jwt",
		"The %q property must be specified as credentials-submission-method is %s", propClientSecretProvider, method)
}
