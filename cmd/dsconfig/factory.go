package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/httpauth"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/passphrase"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// IOStreams are the command's standard streams, injected so that tests and
// batch mode can capture them.
type IOStreams struct {
	In          io.Reader
	Out, ErrOut io.Writer
	// StdinTTY and StdoutTTY say whether a person is at a terminal.
	StdinTTY, StdoutTTY bool
}

func systemIO() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		StdinTTY: isTerminal(os.Stdin), StdoutTTY: isTerminal(os.Stdout)}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// globalOptions are the options every subcommand accepts, before or after
// its name.
type globalOptions struct {
	ConfigDir      string
	NoPrompt       bool
	ScriptFriendly bool
	Quiet          bool
	// MaxArchives bounds the config archive (see internal/history).
	MaxArchives int
	// NoPropertiesFile ignores tools.properties (see tooldefaults.go).
	NoPropertiesFile bool
	// Reason is recorded with the change in the config audit log.
	Reason string
}

// factory holds what the commands depend on. Fields are filled once per
// process (or per test); commands copy what they need.
type factory struct {
	IO       *IOStreams
	Registry *config.Registry
	Getenv   func(string) string
	Global   globalOptions
	// Now is the clock of the audit log and the archive; nil is time.Now.
	Now func() time.Time
	// Batch holds --batch-file and its companions.
	Batch batchOptions

	// tx is the change that the lines of a batch share; nil outside a
	// batch. With it, update applies to tx and Load reads tx.State.
	tx *config.Tx
	// lineKind, in a batch line that runs a command of one kind, limits
	// the command tree to that kind, which makes large batches fast.
	lineKind *config.Kind
}

func newRegistry() (*config.Registry, error) {
	return config.NewRegistry(config.Kinds(), config.GlobalTypes(),
		passphrase.Types(), tlsconf.Types(), httpauth.Types(), mailer.Types())
}

// configDir resolves the configuration directory: --config-dir, then
// $DSCONFIG_CONFIG_DIR, then $XDG_CONFIG_HOME/dsconfig, then
// ~/.config/dsconfig.
func (f *factory) configDir() (string, error) {
	if d := f.Global.ConfigDir; d != "" {
		return d, nil
	}
	if d := f.Getenv("DSCONFIG_CONFIG_DIR"); d != "" {
		return d, nil
	}
	if d := f.Getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "dsconfig"), nil
	}
	if h := f.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "dsconfig"), nil
	}
	return "", usagef("cannot find the configuration directory: give --config-dir, or set DSCONFIG_CONFIG_DIR or HOME")
}

// Store returns the configuration store. It depends on Global.ConfigDir,
// which is known only once flags are parsed.
func (f *factory) Store() (*config.Store, error) {
	dir, err := f.configDir()
	if err != nil {
		return nil, err
	}
	s := &config.Store{Dir: dir, Registry: f.Registry, LogPath: history.AuditLogPath(dir)}
	s.BeforeCommit = append(s.BeforeCommit,
		history.ArchiveHook(dir, f.now, f.Global.MaxArchives), history.AuditHook(f.now, f.Global.Reason))
	return s, nil
}

// Load reads the current configuration without locking it; readers see a
// whole file because writers rename atomically.
func (f *factory) Load() (*config.State, error) {
	if f.tx != nil {
		return f.tx.State, nil // a batch line sees the lines before it
	}
	s, err := f.Store()
	if err != nil {
		return nil, err
	}
	return s.Load()
}

// now is the factory's clock.
func (f *factory) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

//lint:ignore ST1005 the dsconfig family's wording, shown to users as is
var errNoSubcommand = errors.New("A sub-command must be specified")
