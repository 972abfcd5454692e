// Package tlsconf defines the trust-manager-provider and
// key-manager-provider types and turns them into TLS settings.
package tlsconf

import "github.com/dsconfig-smtp/dsconfig/internal/config"

// Type names.
const (
	TypeFileBased     = "file-based"
	TypeBlindTrust    = "blind-trust"
	TypeSystemDefault = "system-default"
)

// Property names.
const (
	PropTrustStoreFile = "trust-store-file"
	propKeyStoreFile   = "key-store-file"
	propKeyStorePin    = "key-store-pin-passphrase-provider"
)

// Types returns the trust- and key-manager-provider types.
func Types() []*config.Type {
	return []*config.Type{
		{Kind: config.KindTrustManagerProvider, Name: TypeFileBased,
			Synopsis: "Trusts the CA certificates in a PEM file.",
			Properties: []*config.PropertyDef{{
				Name: PropTrustStoreFile, Synopsis: "The path to a PEM file with the CA certificates to trust.",
				Syntax: config.Path{}, Mandatory: true,
				Note: "PingDirectory reads a Java key store here; dsconfig reads a PEM bundle. A relative path is resolved against the configuration directory.",
			}}},
		{Kind: config.KindTrustManagerProvider, Name: TypeSystemDefault,
			Synopsis: "Trusts the certificate authorities of the operating system's trust store."},
		{Kind: config.KindTrustManagerProvider, Name: TypeBlindTrust,
			Synopsis: "Trusts every certificate without checking it; for testing only.",
			Warning:  "blind-trust accepts any certificate, " + blindTrustRisk},
		{Kind: config.KindKeyManagerProvider, Name: TypeFileBased,
			Synopsis: "Presents the client certificate and private key in a PEM or PKCS#12 file.",
			Properties: []*config.PropertyDef{{
				Name: propKeyStoreFile, Synopsis: "The path to a PEM file with the client certificate chain and its unencrypted private key, or to a PKCS#12 file (.pfx, .p12).",
				Syntax: config.Path{}, Mandatory: true,
				Note: "PingDirectory reads a Java key store here; dsconfig reads PEM (key and certificates in any order) or PKCS#12, recognised by the content, not the name. Keep the file mode 0600.",
			}, {
				Name: propKeyStorePin, Synopsis: "The passphrase provider that holds the password of a PKCS#12 key store.",
				Syntax: config.Reference{Kind: config.KindPassphraseProvider}, DefaultText: "an empty password",
				Note: "Used only when key-store-file is PKCS#12; a PEM key must be unencrypted.",
			}}},
	}
}

// Names of the built-in trust manager providers, as PingDirectory ships
// them.
const (
	builtinJVMDefault = "JVM-Default"
	builtinBlindTrust = "Blind Trust"
)

// Builtins returns the trust manager providers every store starts with:
// JVM-Default trusts the system's roots, and Blind Trust trusts anything,
// so it is disabled until enabled.
func Builtins() []*config.Object {
	return []*config.Object{
		{Kind: config.KindTrustManagerProvider, Name: builtinJVMDefault, Type: TypeSystemDefault,
			Values: map[string][]string{"enabled": {"true"}}},
		{Kind: config.KindTrustManagerProvider, Name: builtinBlindTrust, Type: TypeBlindTrust,
			Values: map[string][]string{"enabled": {"false"}}},
	}
}
