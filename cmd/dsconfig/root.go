package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/buildinfo"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/pingargs"
	"github.com/dsconfig-smtp/dsconfig/internal/toolprops"
)

// Main runs dsconfig with args and returns the exit code. It is the only
// place that prints errors.
func Main(args []string, io *IOStreams, getenv func(string) string) int {
	if versionOnly(args) {
		// The commonest probe of an installed binary, answered before the
		// registry and the command tree are built: it then costs about
		// what starting the process does. The text is the command tree's.
		if _, err := fmt.Fprint(io.Out, buildinfo.Get()); err != nil {
			return exitError
		}
		return exitOK
	}
	f, err := newFactory(io, getenv, time.Now)
	if err != nil {
		printError(io.ErrOut, "dsconfig", err)
		return exitError
	}
	return run(f, args)
}

// versionOnly reports whether args ask for the version and nothing else.
func versionOnly(args []string) bool {
	return len(args) == 1 && (args[0] == "--version" || args[0] == "-V" || args[0] == "version")
}

// run runs dsconfig with args on the factory f.
func run(f *factory, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	args, ignored, err := pingargs.Strip(args)
	if err != nil {
		err = usagef("%v", err)
		printError(f.IO.ErrOut, "dsconfig", err)
		return exitCode(err)
	}
	root := newRoot(f, &rootOptions{Global: globalOptions{pingIgnored: ignored}, tree: scopeFor(f.Registry, args), args: args})
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && !errors.Is(err, errChanged) {
		printError(f.IO.ErrOut, cmd.CommandPath(), err)
	}
	if cmd != nil && cmd.Annotations[sysexitsAnnotation] != "" {
		return sysexitCode(err)
	}
	return exitCode(err)
}

// Args returns the arguments to run for argv: started as sendmail
// (through a symlink), dsconfig runs send-mail.
func Args(argv []string) []string {
	if len(argv) > 0 && filepath.Base(argv[0]) == "sendmail" {
		return append([]string{"send-mail"}, argv[1:]...)
	}
	return argv[1:]
}

const rootLong = `dsconfig provisions bearer-token (OAuth 2.0) authentication for SMTP the way
PingDirectory's dsconfig does, on a local configuration store, and tests it
by sending mail.

The chain is: a passphrase provider holds the client secret; an HTTP
authorization method obtains tokens with it; an SMTP external server uses
that method through token-acquisition-method; the global configuration's
smtp-server lists the servers in failover order.

Property arguments are PROP:VALUE and are split on the first colon only:
  --set PROP:VALUE     replace the values (repeat to give several values)
  --add PROP:VALUE     add one value to a multi-valued property
  --remove PROP:VALUE  remove one value (a single-valued property returns to its default)
  --reset PROP         return to the default

Run with no subcommand at a terminal, dsconfig opens a menu console: numbered
menus of the objects and their properties, which shows the equivalent
command of every change and asks before applying it (--advanced also shows
the advanced properties; --no-prompt, or no terminal, keeps it closed).

Global options may be given before or after the subcommand. The connection
options of PingDirectory's dsconfig (--hostname, --port, --bindDN,
--bindPassword, --bindPasswordFile, --applyChangeTo, --useSSL, --useStartTLS,
--trustAll, --offline) are accepted and ignored, with one warning.

Exit codes:
`

// rootOptions are the options of the root command: the global options,
// which every subcommand shares, and the batch options.
type rootOptions struct {
	Global globalOptions
	Batch  batchOptions
	// tree limits the command tree to what running the arguments needs
	// (lazy.go); the zero value is the whole tree.
	tree treeScope
	// HelpAll is --help-all.
	HelpAll bool
	// Advanced shows the advanced properties in the console.
	Advanced bool
	// args are the command line, which the console repeats before the
	// commands it runs.
	args []string
}

// newRootCmd builds the whole command tree from the registry. It is called
// once per invocation, so tests and batch lines each get a fresh tree.
func newRootCmd(f *factory) *cobra.Command { return newRoot(f, &rootOptions{}) }

// newRoot builds the command tree on o. The global options are bound as
// flags, which start from the values o holds (a batch line starts from
// the batch's).
func newRoot(f *factory, o *rootOptions) *cobra.Command {
	g := &o.Global
	root := &cobra.Command{
		Use:           "dsconfig",
		Short:         "Configure bearer-token SMTP authentication, PingDirectory style",
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownSubcommand(cmd, args[0])
			}
			if o.HelpAll {
				return helpAll(cmd)
			}
			if o.Batch.Stdin {
				if o.Batch.File != "" && o.Batch.File != "-" {
					return usagef("--batch reads the batch from standard input; it cannot be used with --batch-file %s", o.Batch.File)
				}
				o.Batch.File = "-"
			}
			if o.Batch.File != "" || o.Batch.DryRun || o.Batch.ContinueOnError {
				return runBatch(cmd.Context(), f, o)
			}
			if f.IO.StdinTTY && f.IO.StdoutTTY && !g.NoPrompt {
				return runConsole(cmd.Context(), f, o)
			}
			return &flagError{errNoSubcommand}
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return preRun(cmd, f.Getenv, g) },
	}
	// A tree built for one subcommand never prints the version (an option
	// of the root alone) or the root's help, and never completes (a
	// completion request builds the whole tree); a bare --version never
	// prints the help either.
	if o.tree.only == "" {
		root.Version = buildinfo.Get().Version
		root.SetVersionTemplate(buildinfo.Get().Template())
	} else {
		root.CompletionOptions.DisableDefaultCmd = true
	}
	if o.tree == (treeScope{}) {
		root.Long = rootLong + exitCodeTable()
	}
	root.Flags().BoolP("version", "V", false, "print the version of dsconfig")
	root.Flags().BoolVar(&o.HelpAll, "help-all", false, "print help that lists every subcommand with its description")
	root.Flags().BoolVar(&o.Advanced, "advanced", false, "in the console (dsconfig with no subcommand at a terminal), also show advanced properties")
	root.DisableAutoGenTag = true // generated docs must not change by date
	addBatchFlags(root, &o.Batch)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	root.SetIn(f.IO.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		// A mistyped subcommand leaves its options to the root, which
		// does not know them: name the subcommand, the real mistake.
		if args := c.Flags().Args(); c == root && len(args) > 0 {
			return unknownSubcommand(c, args[0])
		}
		return &flagError{err}
	})
	start := *g
	addGlobalFlags(root, g)
	if start.inBatch {
		*g = start // binding set the defaults
	}
	root.AddGroup(&cobra.Group{ID: "objects", Title: "Configuration objects:"},
		&cobra.Group{ID: "other", Title: "Other commands:"})
	if o.tree.none {
		return root // --version needs no subcommand
	}
	for _, k := range f.Registry.Kinds() {
		for _, name := range objectCommandNames(k) {
			if o.tree.wants(name) {
				c := objectCommand(f, g, k, name)
				c.GroupID = "objects"
				root.AddCommand(c)
			}
		}
	}
	for _, oc := range otherCommands {
		if o.tree.wants(oc.name) {
			c := oc.new(f, g)
			c.GroupID = "other"
			root.AddCommand(c)
		}
	}
	if o.tree == (treeScope{}) {
		// Only the whole tree completes: a completion request names no
		// command that scopeFor knows.
		addCompletions(f, g, root)
	}
	return root
}

func addGlobalFlags(root *cobra.Command, g *globalOptions) {
	pf := root.PersistentFlags()
	pf.StringVar(&g.ConfigDir, "config-dir", "", "configuration directory (default $DSCONFIG_CONFIG_DIR, $XDG_CONFIG_HOME/dsconfig or ~/.config/dsconfig)")
	pf.BoolVarP(&g.NoPrompt, "no-prompt", "n", false, "never prompt; fail when something is missing (always so without a terminal)")
	pf.BoolVar(&g.ScriptFriendly, "script-friendly", false, "tab-separated output without headers, one value per cell")
	pf.BoolVarP(&g.Quiet, "quiet", "Q", false, "print no confirmations or warnings")
	g.MaxArchives = history.DefaultMaxArchives
	pf.Var((*history.ArchiveCount)(&g.MaxArchives), "max-config-archives", "keep at most this many archived versions of the configuration (0: archive nothing)")
	pf.BoolVar(&g.NoPropertiesFile, "no-properties-file", false, "ignore "+toolprops.FileName+" in the configuration directory")
	pf.StringVar(&g.PropertiesFile, "propertiesFilePath", "", "read "+toolprops.FileName+" from this path instead of the configuration directory")
	// PingDirectory's spelling of --no-properties-file.
	root.SetGlobalNormalizationFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "noPropertiesFile" {
			name = "no-properties-file"
		}
		return pflag.NormalizedName(name)
	})
	pf.StringVarP(&g.Reason, "reason", "r", "", "a reason for the change, recorded with it in the config audit log")
}

func unknownSubcommand(root *cobra.Command, name string) error {
	err := usagef("unknown subcommand %q", name)
	// cobra applies its default distance only in its own lookup, which
	// the root's RunE bypasses; without it only prefixes are suggested.
	if root.SuggestionsMinimumDistance <= 0 {
		root.SuggestionsMinimumDistance = 2
	}
	if s := root.SuggestionsFor(name); len(s) > 0 {
		err = usagef("unknown subcommand %q; did you mean %q?", name, s[0])
	}
	return err
}
