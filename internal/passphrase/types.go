// Package passphrase defines the passphrase-provider types and resolves
// them into secret values.
package passphrase

import (
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Type names.
const (
	TypeEnvironmentVariable = "environment-variable"
	TypeFileBased           = "file-based"
	TypeObscuredValue       = "obscured-value"
	// TypeCommand is dsconfig's own addition: it asks a secret manager
	// such as pass, vault or op through its command-line client.
	TypeCommand = "command"
)

// Property names.
const (
	propEnvironmentVariable = "environment-variable"
	propPasswordFile        = "password-file"
	propMaxCacheDuration    = "max-cache-duration"
	propObscuredValue       = "obscured-value"
	propCommandPath         = "command-path"
	propCommandArgument     = "command-argument"
	propCommandTimeout      = "command-timeout"
)

func maxCacheDuration() *config.PropertyDef {
	return &config.PropertyDef{
		Name:     propMaxCacheDuration,
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
				Name: propEnvironmentVariable, Synopsis: "The name of the environment variable that holds the secret.",
				Syntax: config.String{}, Mandatory: true,
			}}},
		{Kind: config.KindPassphraseProvider, Name: TypeFileBased,
			Synopsis: "Reads the secret from a file; a trailing newline is ignored.",
			Properties: []*config.PropertyDef{
				{Name: propPasswordFile, Synopsis: "The path to the file that holds the secret.",
					Syntax: config.Path{}, Mandatory: true,
					Note: "A relative path is resolved against the configuration directory. Keep the file readable by its owner only (mode 0600)."},
				maxCacheDuration(),
			}},
		{Kind: config.KindPassphraseProvider, Name: TypeObscuredValue,
			Synopsis: "Keeps the secret in the configuration store, encrypted.",
			Properties: []*config.PropertyDef{{
				Name: propObscuredValue, Synopsis: "The secret, stored encrypted with the key in the configuration directory.",
				Syntax: config.Secret{}, Sensitive: true, Mandatory: true,
				Note: "Unlike PingDirectory's hard-coded key, the key is random and kept in the file encryption-key (mode 0600) next to the store.",
			}}},
		{Kind: config.KindPassphraseProvider, Name: TypeCommand,
			Synopsis:   "Runs a command, without a shell, and takes the first line it prints as the secret.",
			Properties: commandProperties()},
	}
}

func commandProperties() []*config.PropertyDef {
	return []*config.PropertyDef{
		{Name: propCommandPath, Synopsis: "The program to run, such as pass, vault, op or az.",
			Syntax: config.Path{}, Mandatory: true,
			Note: "A name without a slash is looked up in PATH; a relative path with a slash is resolved against the configuration directory. No shell is involved, so pipes, quotes and variables are not interpreted."},
		{Name: propCommandArgument, Synopsis: "An argument passed to the program; give one value per argument, in order.",
			Syntax: config.String{}, Multi: true, Ordered: true, DefaultText: "no arguments",
			Note: "The arguments are stored and shown in clear text: never put a secret in them."},
		{Name: propCommandTimeout, Synopsis: "The longest time the program may run before it is stopped and the secret counts as unavailable.",
			Syntax: config.Duration{Min: 100 * time.Millisecond, Max: 10 * time.Minute}, Default: []string{"10 s"}},
		maxCacheDuration(),
	}
}
