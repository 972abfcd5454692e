package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/buildinfo"
	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/interactive"
	"github.com/dsconfig-smtp/dsconfig/internal/registry"
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
	// PropertiesFile, when set, is where tools.properties is read from.
	PropertiesFile string

	// inBatch is set by the batch runner on the lines it runs; no flag
	// sets it.
	inBatch bool
	// batchChecks, set by the batch runner, collects the objects the
	// lines changed, for the batch to check once at its end.
	batchChecks *[]check.Target
	// pingIgnored names the PingDirectory connection options taken out of
	// the command line (see internal/pingargs), for the warning.
	pingIgnored []string
	// consolePrompted are the sensitive values the console read hidden
	// for the one command it runs; the command line names them as
	// --set PROP (see console.go).
	consolePrompted []config.Mod
	// consoleCreated are the objects the console created on the spot for
	// reference properties, to create in the same change as the command.
	consoleCreated []interactive.NewObject
}

// consoleAsked reports whether the console already read prop's value.
func (g *globalOptions) consoleAsked(prop string) bool {
	for _, m := range g.consolePrompted {
		if m.Property == prop {
			return true
		}
	}
	return false
}

// factory holds what the commands depend on, and nothing they parse:
// flags live in each command's options. Fields are set once per process
// (or per test, or per batch line); commands copy what they need.
type factory struct {
	IO       *IOStreams
	Registry *config.Registry
	Getenv   func(string) string
	// Now is the clock of the audit log, the archive and the reports.
	Now func() time.Time
	// Help renders the object commands' help once per kind.
	Help *helptext.Cache

	// The loaders depend on the global options, known once flags are
	// parsed. A batch line's work on the batch's transaction (batch.go).
	// Store opens the store of the configuration directory.
	Store func(*globalOptions) (*config.Store, error)
	// Snapshot reads the configuration without locking it (readers see
	// a whole file because writers rename atomically), as the domain
	// packages read it.
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	// Update runs one change through the store and, when it has been
	// saved, calls done with the configuration as saved.
	Update func(g *globalOptions, change func(*config.Tx) error, done func(*config.Snapshot)) error
}

// newFactory returns the factory of one process: the registry, and
// loaders that read and write the store on disk.
func newFactory(ios *IOStreams, getenv func(string) string, now func() time.Time) (*factory, error) {
	reg, err := registry.New()
	if err != nil {
		return nil, err
	}
	f := &factory{IO: ios, Registry: reg, Getenv: getenv, Now: now, Help: &helptext.Cache{}}
	var notice func(g *globalOptions, msg string)
	// The store is archived, and its changes recorded in the audit log.
	f.Store = func(g *globalOptions) (*config.Store, error) {
		dir, err := configDir(f.Getenv, g)
		if err != nil {
			return nil, err
		}
		s := &config.Store{Dir: dir, Registry: reg, LogPath: history.AuditLogPath(dir), Build: buildinfo.Identity()}
		archive := history.NewArchiver(dir, f.Now, g.MaxArchives)
		s.Loaded = []func([]byte){archive.Start}
		s.BeforeCommit = []func(*config.Commit) error{archive.Commit, history.AuditHook(f.Now, g.Reason)}
		return s, nil
	}
	f.Snapshot = func(g *globalOptions) (*config.Snapshot, error) {
		s, err := f.Store(g)
		if err != nil {
			return nil, err
		}
		if storeMissing(s) {
			notice(g, missingNotice(s))
		}
		st, err := s.Load()
		if err != nil {
			return nil, err
		}
		return &config.Snapshot{Registry: reg, State: st, Dir: s.Dir}, nil
	}
	f.Update = func(g *globalOptions, change func(*config.Tx) error, done func(*config.Snapshot)) error {
		s, err := f.Store(g)
		if err != nil {
			return err
		}
		missing := storeMissing(s)
		c, err := s.Update(func(tx *config.Tx) error {
			tx.State.Record()
			return applyChange(reg, tx, change, false)
		})
		if err == nil {
			notice(g, createdNotice(s, missing))
			done(&config.Snapshot{Registry: reg, State: c.State, Dir: s.Dir})
		}
		return err
	}
	// A mistyped --config-dir would otherwise go unnoticed: say once per
	// command when the store is missing or new.
	said := false
	notice = func(g *globalOptions, msg string) {
		if msg == "" || said || g.Quiet {
			return
		}
		said = true
		fmt.Fprintln(f.IO.ErrOut, "dsconfig: "+msg)
	}
	return f, nil
}

// storeMissing reports whether the store file does not exist yet.
func storeMissing(s *config.Store) bool {
	_, err := os.Lstat(s.Path())
	return errors.Is(err, fs.ErrNotExist)
}

// createdNotice is the notice for a change that created the store, or ""
// when it existed before (missing is false) or was not written.
func createdNotice(s *config.Store, missing bool) string {
	if !missing || storeMissing(s) {
		return ""
	}
	return "created a new configuration store in " + s.Dir
}

func missingNotice(s *config.Store) string {
	return "no configuration store in " + s.Dir + "; the configuration is empty"
}

// stateOf returns the configuration of a snapshot.
func stateOf(snap *config.Snapshot, err error) (*config.State, error) {
	if err != nil {
		return nil, err
	}
	return snap.State, nil
}

// configDir resolves the configuration directory (see config.Dir).
func configDir(getenv func(string) string, g *globalOptions) (string, error) {
	return config.Dir(g.ConfigDir, getenv)
}

// ui is how a command talks to the person who runs it: the streams, and
// the global options that decide what is printed and whether to prompt.
type ui struct {
	IO     *IOStreams
	Global *globalOptions
}

// confirm prints a one-line confirmation for a person at a terminal, and
// nothing for scripts.
func (u ui) confirm(format string, args ...any) {
	if u.IO.StdoutTTY && !u.Global.Quiet {
		fmt.Fprintf(u.IO.Out, format+"\n", args...)
	}
}

func (u ui) warn(format string, args ...any) {
	if !u.Global.Quiet {
		fmt.Fprintf(u.IO.ErrOut, "dsconfig: warning: "+format+"\n", args...)
	}
}

// warnLine prints msg as a warning; it is the Warn hook of the domain
// packages.
func (u ui) warnLine(msg string) { u.warn("%s", msg) }

//lint:ignore ST1005 the dsconfig family's wording, shown to users as is
var errNoSubcommand = errors.New("A sub-command must be specified")
