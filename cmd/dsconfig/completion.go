package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/complete"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

// Shell completion: cobra's "dsconfig completion bash|zsh|fish|powershell"
// scripts call back into "dsconfig __complete", which lands here for the
// values that depend on the registry and the store: object names,
// property names valid for the object's type, enumerated values and
// references. internal/complete computes them; this file wires them to
// the commands' flags.

const noFiles = cobra.ShellCompDirectiveNoFileComp

// addCompletions registers the dynamic completions on root's commands.
func addCompletions(f *factory, g *globalOptions, root *cobra.Command) {
	c := completer{f.Registry, func() (*config.State, error) { return stateOf(f.Snapshot(g)) }}
	for _, k := range f.Registry.Kinds() {
		for _, name := range objectCommandNames(k) {
			if cmd, _, err := root.Find([]string{name}); err == nil && cmd != root {
				c.addObjectCompletions(cmd, k)
			}
		}
	}
	completeFlag(root, "restore-config-archive", "archive", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return archiveNames(f, g), noFiles
	})
	c.addOtherCompletions(root)
	checkCompletionShell(root)
}

// addOtherCompletions completes the options of the other commands: the
// objects they name and the fixed values, taken from where they are
// defined. --output is completed wherever it is.
func (c completer) addOtherCompletions(root *cobra.Command) {
	names := func(kind string, types ...string) cobra.CompletionFunc {
		return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return c.source().ObjectNames(kind, types, prefix), noFiles
		}
	}
	completeFlag(root, "send-test-mail", "server-name", names(config.KindExternalServer, mailer.TypeSMTP))
	completeFlag(root, "get-access-token", "method-name", names(config.KindHTTPAuthorizationMethod))
	completeFlag(root, "test-passphrase-provider", "provider-name", names(config.KindPassphraseProvider))
	mechs, stages, modes := complete.SendTestMail()
	completeFlag(root, "list-properties", "type", func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return complete.WithPrefix(complete.TypeNames(c.Registry, flagValue(cmd, "object-type")), prefix), noFiles
	})
	completeFlag(root, "send-test-mail", "mechanism", fixed(mechs))
	completeFlag(root, "send-test-mail", "quit-after", fixed(stages))
	completeFlag(root, "send-test-mail", "initial-response", fixed(modes))
	for _, c := range allCommands(root) {
		if c.Flags().Lookup("output") != nil {
			c.RegisterFlagCompletionFunc("output", fixed(render.Formats()))
		}
	}
}

// completeFlag adds a flag completion to the named command, if the tree has
// it (a batch line's tree has only its own kind's object commands).
func completeFlag(root *cobra.Command, command, flag string, fn cobra.CompletionFunc) {
	if c, _, err := root.Find([]string{command}); err == nil && c != root && c.Flags().Lookup(flag) != nil {
		c.RegisterFlagCompletionFunc(flag, fn)
	}
}

func fixed(values []string) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return complete.WithPrefix(values, prefix), noFiles
	}
}

// allCommands lists root's descendants.
func allCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		out = append(out, c)
		out = append(out, allCommands(c)...)
	}
	return out
}

// checkCompletionShell makes "dsconfig completion SHELL" with a shell
// cobra has no script for a usage error: cobra's own completion command
// is not runnable, so it would print its help and exit 0.
func checkCompletionShell(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	c, _, err := root.Find([]string{"completion"})
	if err != nil || c == root {
		return
	}
	c.Use = "completion SHELL"
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var shells []string
		for _, s := range cmd.Commands() {
			shells = append(shells, s.Name())
		}
		return usagef("unknown shell %q for completion; the shells are %s", args[0], strings.Join(shells, ", "))
	}
}

// completer completes from the registry and the stored configuration.
type completer struct {
	Registry *config.Registry
	Load     func() (*config.State, error)
}

// source is what one completion request completes from: it reads and
// validates the store at most once.
func (c completer) source() complete.Source {
	return complete.Source{Registry: c.Registry, State: complete.LoadOnce(c.Load)}
}

func (cc completer) addObjectCompletions(c *cobra.Command, k *config.Kind) {
	creating := strings.HasPrefix(c.Name(), "create-")
	if !k.Singleton() && !creating {
		c.RegisterFlagCompletionFunc(k.NamingArg, func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return cc.source().ObjectNames(k.Name, nil, prefix), noFiles
		})
	}
	if creating {
		c.RegisterFlagCompletionFunc("type", func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return complete.WithPrefix(k.TypeNames(), prefix), noFiles
		})
	}
	// The types the object can have: for create, those of the --type
	// given so far; for the others, the named object's.
	types := func(s complete.Source, cmd *cobra.Command) []*config.Type {
		return s.Types(k, creating, flagValue(cmd, "type"), flagValue(cmd, k.NamingArg))
	}
	for _, flag := range []string{"set", "add", "remove", "reset", "property"} {
		if c.Flags().Lookup(flag) == nil {
			continue
		}
		nameOnly := flag == "reset" || flag == "property"
		current := flag == "remove" && !creating
		c.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			s := cc.source()
			if current && strings.Contains(prefix, ":") {
				return s.CurrentValues(k, flagValue(cmd, k.NamingArg), prefix), noFiles
			}
			return directive(s.Property(types(s, cmd), nameOnly, prefix))
		})
	}
	if c.Flags().Lookup("set-from-file") != nil {
		c.RegisterFlagCompletionFunc("set-from-file", func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			s := cc.source()
			return directive(complete.Sensitive(func() []*config.Type { return types(s, cmd) }, prefix))
		})
	}
}

// directive is cobra's form of a completion directive.
func directive(out []string, d complete.Directive) ([]string, cobra.ShellCompDirective) {
	switch d {
	case complete.ValueFollows:
		return out, noFiles | cobra.ShellCompDirectiveNoSpace
	case complete.FileName:
		return out, cobra.ShellCompDirectiveDefault
	}
	return out, noFiles
}

func flagValue(cmd *cobra.Command, name string) string {
	v, _ := cmd.Flags().GetString(name)
	return v
}

func archiveNames(f *factory, g *globalOptions) []string {
	s, err := f.Store(g)
	if err != nil {
		return nil
	}
	return complete.ArchiveNames(s.Dir)
}
