// Package passphrase defines the passphrase-provider types and resolves
// them into secret values.
package passphrase

import (
	"time"

	"dsconfig/internal/config"
)

// Type names.
const (
	TypeEnvironmentVariable = "environment-variable"
	TypeFileBased           = "file-based"
	TypeObscuredValue       = "obscured-value"
)

// Property names.
const (
	PropEnvironmentVariable = "environment-variable"
	PropPasswordFile        = "password-file"
	PropMaxCacheDuration    = "max-cache-duration"
	PropObscuredValue       = "obscured-value"
)

func maxCacheDuration() *config.PropertyDef {
	return &config.PropertyDef{
		Name:     PropMaxCacheDuration,
		Synopsis: "The longest time a secret read from the source is reused before it is read again.",
		Syntax:   config.Duration{Max: 7 * 24 * time.Hour},
		Default:  []string{"0 s"},
		Note:     "A value of 0 s reads the source on every use. dsconfig is a short-lived process, so caching only matters within one command such as a batch or a retried send.",
	}
}

// Types returns the passphrase-provider types.
func Types() []*config.Type {
	return []*config.Type{
		{Kind: config.KindPassphraseProvider, Name: TypeEnvironmentVariable,
			Synopsis: "Reads the secret from an environment variable.",
			Properties: []*config.PropertyDef{{
				Name: PropEnvironmentVariable, Synopsis: "The name of the environment variable that holds the secret.",
				Syntax: config.String{}, Mandatory: true,
			}}},
		{Kind: config.KindPassphraseProvider, Name: TypeFileBased,
			Synopsis: "Reads the secret from a file; a trailing newline is ignored.",
			Properties: []*config.PropertyDef{
				{Name: PropPasswordFile, Synopsis: "The path to the file that holds the secret.",
					Syntax: config.Path{}, Mandatory: true,
					Note: "A relative path is resolved against the configuration directory. Keep the file readable by its owner only (mode 0600)."},
				maxCacheDuration(),
			}},
		{Kind: config.KindPassphraseProvider, Name: TypeObscuredValue,
			Synopsis: "Keeps the secret in the configuration store, encrypted.",
			Properties: []*config.PropertyDef{{
				Name: PropObscuredValue, Synopsis: "The secret, stored encrypted with the key in the configuration directory.",
				Syntax: config.Secret{}, Sensitive: true, Mandatory: true,
				Note: "Unlike PingDirectory's hard-coded key, the key is random and kept in the file encryption-key (mode 0600) next to the store.",
			}}},
	}
}
