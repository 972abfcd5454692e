package config

// The kinds of configuration object. Their concrete types come from the
// domain packages (passphrase, httpauth, mailer, tlsconf); the global
// configuration's single type is defined here because it only ties the
// others together.

// Kind names, for references from the domain packages.
const (
	KindPassphraseProvider      = "passphrase-provider"
	KindHTTPAuthorizationMethod = "http-authorization-method"
	KindExternalServer          = "external-server"
	KindTrustManagerProvider    = "trust-manager-provider"
	KindKeyManagerProvider      = "key-manager-provider"
	KindGlobalConfiguration     = "global-configuration"
)

// PropEnabled is the name of the common "enabled" property.
const PropEnabled = "enabled"

func description(what string) *PropertyDef {
	return &PropertyDef{Name: "description", Synopsis: "A description for this " + what + ".", Syntax: String{}}
}

func enabled(what string) *PropertyDef {
	return &PropertyDef{Name: PropEnabled, Synopsis: "Indicates whether this " + what + " is enabled for use.",
		Syntax: Boolean{}, Mandatory: true}
}

// Kinds returns fresh definitions of every kind, in the order they appear
// in the store and in help.
func Kinds() []*Kind {
	return []*Kind{
		{Name: KindPassphraseProvider, Plural: "passphrase-providers", Friendly: "Passphrase Provider",
			NamingArg: "provider-name", Synopsis: "Passphrase Providers give access to secrets such as client secrets, passwords and tokens without keeping them in clear text.",
			Common: []*PropertyDef{description("Passphrase Provider"), enabled("Passphrase Provider")}},
		{Name: KindTrustManagerProvider, Plural: "trust-manager-providers", Friendly: "Trust Manager Provider",
			NamingArg: "provider-name", Synopsis: "Trust Manager Providers decide which server certificates are trusted.",
			Common: []*PropertyDef{description("Trust Manager Provider"), enabled("Trust Manager Provider")}},
		{Name: KindKeyManagerProvider, Plural: "key-manager-providers", Friendly: "Key Manager Provider",
			NamingArg: "provider-name", Synopsis: "Key Manager Providers hold client certificates for TLS client authentication.",
			Common: []*PropertyDef{description("Key Manager Provider"), enabled("Key Manager Provider")}},
		{Name: KindHTTPAuthorizationMethod, Plural: "http-authorization-methods", Friendly: "HTTP Authorization Method",
			NamingArg: "method-name", Synopsis: "HTTP Authorization Methods obtain the bearer tokens used to authenticate, for example to an SMTP server.",
			Common: []*PropertyDef{description("HTTP Authorization Method"), enabled("HTTP Authorization Method")}},
		{Name: KindExternalServer, Plural: "external-servers", Friendly: "External Server",
			NamingArg: "server-name", Synopsis: "External Servers describe how to reach servers such as SMTP servers and HTTP proxies.",
			Common: []*PropertyDef{description("External Server")}},
		{Name: KindGlobalConfiguration, Plural: "global-configurations", Friendly: "Global Configuration",
			Synopsis: "The Global Configuration holds settings that apply to the whole tool."},
	}
}

// PropSMTPServer is the global failover list of SMTP servers.
const PropSMTPServer = "smtp-server"

// GlobalTypes returns the global configuration's single type.
func GlobalTypes() []*Type {
	return []*Type{{
		Kind:     KindGlobalConfiguration,
		Synopsis: "Settings that apply to the whole tool.",
		Properties: []*PropertyDef{{
			Name:     PropSMTPServer,
			Synopsis: "The SMTP servers used to send mail, in the order in which they are tried.",
			Syntax:   Reference{Kind: KindExternalServer, Types: []string{"smtp"}},
			Multi:    true, Ordered: true,
			DefaultText: "no server: mail cannot be sent",
			Note:        "The order is kept: the first server is always tried first, and the next one only if it fails. Use --set once per server, in order, or --add to append.",
		}},
	}}
}
