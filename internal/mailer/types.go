// Package mailer defines the SMTP external server type and sends mail
// through it.
package mailer

import (
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// TypeSMTP is the smtp external server type.
const TypeSMTP = "smtp"

// defaultTimeout is smtp-timeout's default.
const defaultTimeout = 30 * time.Second

// Property names.
const (
	propServerHostName           = "server-host-name"
	propServerPort               = "server-port"
	propSMTPSecurity             = "smtp-security"
	propUserName                 = "user-name"
	propPassword                 = "password"
	propPassphraseProvider       = "passphrase-provider"
	propTokenAcquisitionMethod   = "token-acquisition-method"
	propSMTPTimeout              = "smtp-timeout"
	propSMTPConnectionProperties = "smtp-connection-properties"
	propTrustManagerProvider     = "trust-manager-provider"
)

// Values of smtp-security.
const (
	SecurityNone     = "none"
	SecurityStartTLS = "starttls"
	SecuritySSL      = "ssl"
)

// Types returns the smtp external server type.
func Types() []*config.Type {
	return []*config.Type{{
		Kind:     config.KindExternalServer,
		Name:     TypeSMTP,
		Synopsis: "An SMTP server to send mail through.",
		Check:    checkSMTP,
		Properties: []*config.PropertyDef{
			{Name: propServerHostName, Synopsis: "The host name or IP address of the SMTP server.", Syntax: config.Hostname{}, Mandatory: true},
			{Name: propServerPort, Synopsis: "The port on which the SMTP server listens.",
				Syntax: config.Integer{Min: 1, Max: 65535}, Default: []string{"25"},
				Note: "Submission with STARTTLS is usually 587, implicit TLS 465."},
			{Name: propSMTPSecurity, Synopsis: "The connection security: none, starttls, or ssl for implicit TLS.",
				Syntax: config.Enum{Values: []string{SecurityNone, SecurityStartTLS, SecuritySSL}}, Default: []string{SecurityNone},
				Note: "Credentials and tokens are never sent over a connection without TLS, except to a loopback address."},
			{Name: propUserName, Synopsis: "The login name; with a token-acquisition-method, the sender mailbox address.",
				Syntax: config.String{}, DefaultText: "no authentication",
				Note: "With bearer tokens, Exchange Online needs the address of the mailbox the application may send as."},
			{Name: propPassword, Synopsis: "The login password for user-name.", Syntax: config.Secret{}, Sensitive: true,
				Note: "Prefer passphrase-provider, which keeps the password out of the configuration."},
			{Name: propPassphraseProvider, Synopsis: "The passphrase provider that holds the login password for user-name.",
				Syntax: config.Reference{Kind: config.KindPassphraseProvider}},
			{Name: propTokenAcquisitionMethod, Synopsis: "The HTTP authorization method that obtains bearer tokens for SMTP authentication.",
				Syntax: config.Reference{Kind: config.KindHTTPAuthorizationMethod},
				Note:   "When set, dsconfig authenticates with XOAUTH2 or OAUTHBEARER as user-name instead of a password."},
			{Name: propSMTPTimeout, Synopsis: "The longest time an attempt to connect, the greeting and TLS handshake, or one command to the SMTP server may take; see smtp-connection-properties for finer limits.",
				Syntax: config.Duration{Min: 100 * time.Millisecond, Max: time.Hour}, Default: []string{config.FormatDuration(defaultTimeout)}, Advanced: true},
			{Name: propSMTPConnectionProperties, Synopsis: "JavaMail connection settings as name=value pairs: mail.smtp.connectiontimeout (ms; replaces smtp-timeout for connecting), mail.smtp.timeout and mail.smtp.writetimeout (ms; limit each read and write, within smtp-timeout per command), mail.smtp.localhost (the EHLO name), mail.smtp.ssl.protocols (TLS versions: TLSv1.2, TLSv1.3).",
				Syntax: connectionProperty{}, Multi: true, Advanced: true, DefaultText: "none",
				Note: "mail.smtp.connectiontimeout (ms) replaces smtp-timeout for the TCP connection attempt; " +
					"mail.smtp.timeout and mail.smtp.writetimeout (ms) limit each read and each write on the socket, while smtp-timeout still limits the greeting and TLS handshake and each command as a whole (the earlier limit applies); " +
					"mail.smtp.localhost is the EHLO name (default: this host's name); mail.smtp.ssl.protocols lists the TLS versions allowed, TLSv1.2 and/or TLSv1.3 (default both). " +
					"create and set refuse other names; a store that holds one still loads, the name is ignored, and check-config reports it."},
			{Name: propTrustManagerProvider, Synopsis: "The trust manager provider that decides whether the SMTP server's certificate is trusted.",
				Syntax: config.Reference{Kind: config.KindTrustManagerProvider}, DefaultText: "the system trust store",
				Note: "PingDirectory has no such property on SMTP servers; dsconfig adds it so that private CAs work."},
		},
	}}
}

// checkSMTP enforces the rules that tie the credential properties
// together.
func checkSMTP(v config.View) []error {
	var errs []error
	pw, pp, tok, user := v.IsSet(propPassword), v.IsSet(propPassphraseProvider), v.IsSet(propTokenAcquisitionMethod), v.IsSet(propUserName)
	if pw && pp {
		errs = append(errs, config.Problemf("reset one of them",
			"the %q and %q properties cannot both be set: give the password one way", propPassword, propPassphraseProvider))
	}
	if tok && (pw || pp) {
		errs = append(errs, config.Problemf("reset password and passphrase-provider to use bearer tokens",
			"the %q property cannot be combined with a password: bearer tokens replace it", propTokenAcquisitionMethod))
	}
	if (pw || pp || tok) && !user {
		errs = append(errs, config.Problemf("add --set user-name:ADDRESS",
			"the %q property must be set when the server authenticates", propUserName))
	}
	if user && !(pw || pp || tok) {
		errs = append(errs, config.Problemf("add --set \"token-acquisition-method:NAME\", or a password through passphrase-provider",
			"the %q property needs a password, a passphrase-provider or a token-acquisition-method", propUserName))
	}
	return errs
}
