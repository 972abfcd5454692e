package httpauth

import (
	"fmt"
	"strings"
)

// Hints for Microsoft Entra ID codes. Microsoft says the codes may change,
// so they only choose a hint, never what the program does.
var aadstsHints = map[string]string{
	"AADSTS7000215": "the client secret is wrong; a common mistake is to use the secret's ID instead of its Value, which Entra ID shows only once, when the secret is created; or upload a certificate and use credentials-submission-method private-key-jwt, which needs no secret",
	"AADSTS7000222": "the client secret has expired: create a new one in the app registration (Certificates & secrets) and put its Value in the passphrase provider",
	"AADSTS7000218": "the request carried no client secret or assertion: check the passphrase provider and credentials-submission-method (basic-authorization, request-body, or private-key-jwt with a key-manager-provider whose certificate is uploaded to the app registration)",
	"AADSTS700027":  "the client assertion's signature or certificate is not accepted: upload the certificate of key-manager-provider to the app registration (Certificates & secrets, Certificates); get-access-token shows its thumbprint (x5t), which must match the one Entra ID lists",
	"AADSTS700024":  "the client assertion is outside its validity time: check this machine's clock (the assertion is valid for 5 minutes from now)",
	"AADSTS700016":  "the application (client id) was not found in this tenant: check oauth-client-id and the tenant in the token endpoint URL",
	"AADSTS70011":   "the scope is invalid: for client credentials it must be <resource>/.default, e.g. https://outlook.office365.com/.default; SMTP.SendAsApp is a permission, not a scope",
	"AADSTS700022":  "request a single resource's /.default scope, e.g. https://outlook.office365.com/.default",
	"AADSTS700023":  "put the resource URI before /.default, e.g. https://outlook.office365.com/.default",
	"AADSTS90002":   "the tenant in the token endpoint URL does not exist: use your tenant ID or domain, https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token",
	"AADSTS900023":  "the tenant in the token endpoint URL is malformed: use your tenant ID (a GUID) or a verified domain",
	"AADSTS700082":  "a refresh token expired; client credentials do not use refresh tokens, so check the grant the server expects",
	"AADSTS70008":   "a refresh token or code expired; client credentials do not use them, so check the grant the server expects",
	"AADSTS50034":   "the account does not exist in this tenant: check the tenant in the token endpoint URL",
	"AADSTS7000112": "the application is disabled in the tenant: ask an administrator to enable it",
	"AADSTS65001":   "the application lacks admin consent: grant admin consent for its API permissions",
	"AADSTS53003":   "a Conditional Access policy blocked the request: ask an administrator to check the sign-in logs",
}

// Hints for Google's errors to a service account's JWT bearer grant.
var googleHints = map[string]string{
	"unauthorized_client": "domain-wide delegation is not granted for this service account and scope: in the Google Workspace Admin console (Security, API controls, Domain-wide delegation) add the service account's client ID with the scope https://mail.google.com/",
	"invalid_grant":       "the mailbox to act as (subject-user-name, the SMTP user-name or --subject) is not a user of the Workspace domain, or this machine's clock is off: check both",
	"invalid_scope":       "check requested-scope; Gmail SMTP needs https://mail.google.com/",
	"access_denied":       "the service account may not act as this mailbox: check domain-wide delegation and the subject",
}

// Hints for RFC 6749 §5.2 error codes.
var oauthHints = map[string]string{
	"invalid_request":         "the server found the request malformed: check oauth-server-token-endpoint-url, request-method, and the client-id/client-secret parameter names",
	"invalid_client":          "client authentication failed: check oauth-client-id, the secret held by the passphrase provider (and whether it expired), and credentials-submission-method (basic-authorization or request-body)",
	"invalid_grant":           "the server refused the grant: check that the client is allowed to use client credentials",
	"unauthorized_client":     "this client may not use the client credentials grant: enable it for the application on the authorization server",
	"unsupported_grant_type":  "the server does not support client credentials at this URL: check oauth-server-token-endpoint-url (Entra ID: the v2.0 endpoint)",
	"invalid_scope":           "check requested-scope; for Microsoft it must be https://outlook.office365.com/.default",
	"access_denied":           "the server refused access: check the client's permissions on the authorization server",
	"server_error":            "the authorization server failed: try again later",
	"temporarily_unavailable": "the authorization server is overloaded or down: try again later",
}

// ErrorHint says what to do about e.
func (e *TokenError) ErrorHint() string {
	switch e.Class {
	case ClassOAuth:
		return e.oauthHint()
	case ClassHTTP:
		return httpHint(e.Status, e.Location)
	case ClassBadResponse:
		if len(e.Fields) > 0 {
			return "the server issued a token, but another field is malformed (expires_in must be a whole number of seconds): check the server's configuration"
		}
		return "the URL may not be a token endpoint (an HTML page often means a login page, a proxy or a captive portal): check oauth-server-token-endpoint-url"
	case ClassNoToken:
		return "the server did not issue a token: check that oauth-server-token-endpoint-url is the token endpoint, and the server's logs"
	case ClassHTML:
		if e.Status >= 200 && e.Status < 300 {
			return "the URL may not be a token endpoint (an HTML page often means a login page, a proxy or a captive portal): check oauth-server-token-endpoint-url, and http-proxy-external-server (or HTTPS_PROXY)"
		}
		return httpHint(e.Status, e.Location)
	case ClassProxy:
		if e.Status == 407 {
			return httpHint(e.Status, "")
		}
		return "the proxy would not connect to the token endpoint: check the host and port in oauth-server-token-endpoint-url, and the proxy's rules"
	case ClassTooLarge:
		return "a token response is a few KiB: check that oauth-server-token-endpoint-url is the token endpoint"
	case ClassTimeout:
		return "check the network path and http-proxy-external-server (or HTTPS_PROXY), or raise response-timeout"
	case ClassDNS:
		return "check the host name in oauth-server-token-endpoint-url and the DNS settings; behind a proxy, set http-proxy-external-server"
	case ClassTLS:
		return "check trust-manager-provider (it must trust the server's CA) and hostname-verification-method; the certificate must name the host of the URL"
	case ClassConnect:
		return "check the host and port in oauth-server-token-endpoint-url, firewalls, and http-proxy-external-server"
	case ClassLocked:
		if e.HolderPID > 0 {
			return fmt.Sprintf("if process %d is stuck, stop it; --no-token-cache requests a token without waiting for it", e.HolderPID)
		}
		return "if another dsconfig is stuck, stop it; --no-token-cache requests a token without waiting for it"
	case ClassStaticReject:
		return fmt.Sprintf("put a new token in the passphrase provider of method %q, or use a client-credentials-bearer-token method", e.Method)
	}
	return ""
}

func (e *TokenError) oauthHint() string {
	h := oauthHints[e.Code]
	if gh, ok := googleHints[e.Code]; ok && e.ServiceAccount {
		h = gh
	}
	// With private-key-jwt the parameter names are fixed, so a malformed
	// request is the assertion too: Hydra answers invalid_request for a
	// kid it does not know.
	if e.SigningKid != "" && (e.Code == "invalid_client" || e.Code == "invalid_request") {
		h = "the server refused the client assertion: check oauth-client-id, and that the authorization server holds the certificate of key-manager-provider for this client " +
			"(its public key under kid " + e.SigningKid + ") and that the certificate has not expired"
	}
	if ah, ok := aadstsHints[e.AADSTS]; ok {
		h = ah
	}
	if e.AADSTS != "" {
		code := strings.TrimPrefix(e.AADSTS, "AADSTS")
		h = strings.TrimPrefix(h+"; see https://login.microsoftonline.com/error?code="+code, "; ")
	}
	if h == "" {
		h = "see the authorization server's documentation for this error"
	}
	return h
}

func httpHint(status int, location string) string {
	switch {
	case location != "":
		return "a token endpoint should not redirect, and the request was not sent again (it carries the secret): set oauth-server-token-endpoint-url to the final URL"
	case status == 404:
		return "the URL was not found: check oauth-server-token-endpoint-url (Entra ID: https://login.microsoftonline.com/<tenant-id>/oauth2/v2.0/token)"
	case status == 429:
		return "the server is limiting the rate of requests: wait until the retry time and run the command again"
	case status == 405:
		return "the server does not accept this HTTP method: check request-method (RFC 6749 uses post)"
	case status == 407:
		return "the proxy requires authentication, which dsconfig does not support: use a proxy that does not, or none"
	case status == 401 || status == 403:
		return "the server refused the client: check oauth-client-id, the secret and credentials-submission-method"
	case status >= 500:
		return "the server or a proxy on the way failed: try again later, and check http-proxy-external-server"
	}
	return "check oauth-server-token-endpoint-url"
}
