package main

import (
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// Shell completion: cobra's "dsconfig completion bash|zsh|fish|powershell"
// scripts call back into "dsconfig __complete", which lands here for the
// values that depend on the registry and the store: object names,
// property names valid for the object's type, enumerated values and
// references.

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
			return objectNames(c.loadOnce(), kind, types, prefix), noFiles
		}
	}
	completeFlag(root, "send-test-mail", "server-name", names(config.KindExternalServer, mailer.TypeSMTP))
	completeFlag(root, "get-access-token", "method-name", names(config.KindHTTPAuthorizationMethod))
	completeFlag(root, "test-passphrase-provider", "provider-name", names(config.KindPassphraseProvider))
	var mechs, stages, modes []string
	for _, m := range mailer.BearerMechanisms() {
		mechs = append(mechs, strings.ToLower(m))
	}
	for _, st := range mailer.QuitStages() {
		stages = append(stages, string(st))
	}
	for _, m := range mailer.IRModes() {
		modes = append(modes, string(m))
	}
	completeFlag(root, "list-properties", "type", func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
		return withPrefix(typeNames(c.Registry, flagValue(cmd, "object-type")), prefix), noFiles
	})
	completeFlag(root, "send-test-mail", "mechanism", fixed(mechs))
	completeFlag(root, "send-test-mail", "quit-after", fixed(stages))
	completeFlag(root, "send-test-mail", "initial-response", fixed(modes))
	for _, c := range allCommands(root) {
		if c.Flags().Lookup("output") != nil {
			c.RegisterFlagCompletionFunc("output", fixed(outputFormats()))
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
		return withPrefix(values, prefix), noFiles
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

func (cc completer) addObjectCompletions(c *cobra.Command, k *config.Kind) {
	creating := strings.HasPrefix(c.Name(), "create-")
	if !k.Singleton() && !creating {
		c.RegisterFlagCompletionFunc(k.NamingArg, func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return objectNames(cc.loadOnce(), k.Name, nil, prefix), noFiles
		})
	}
	if creating {
		c.RegisterFlagCompletionFunc("type", func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return withPrefix(k.TypeNames(), prefix), noFiles
		})
	}
	for _, flag := range []string{"set", "add", "remove", "reset", "property"} {
		if c.Flags().Lookup(flag) == nil {
			continue
		}
		nameOnly := flag == "reset" || flag == "property"
		current := flag == "remove" && !creating
		c.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			if current && strings.Contains(prefix, ":") {
				return cc.currentValues(cmd, k, prefix), noFiles
			}
			return cc.completeProperty(cmd, k, creating, nameOnly, prefix)
		})
	}
	if c.Flags().Lookup("set-from-file") != nil {
		c.RegisterFlagCompletionFunc("set-from-file", func(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
			return cc.completeSensitive(cmd, k, creating, prefix)
		})
	}
}

// completeSensitive completes --set-from-file's PROP: with the sensitive
// properties the object can have; after the colon comes a file name.
func (c completer) completeSensitive(cmd *cobra.Command, k *config.Kind, creating bool, prefix string) ([]string, cobra.ShellCompDirective) {
	if strings.Contains(prefix, ":") {
		return nil, cobra.ShellCompDirectiveDefault
	}
	var out []string
	for _, p := range propertiesOf(c.completionTypes(c.loadOnce(), cmd, k, creating)) {
		if p.Sensitive {
			out = append(out, p.Name+":")
		}
	}
	return withPrefix(out, prefix), noFiles | cobra.ShellCompDirectiveNoSpace
}

// completeProperty completes PROP: with the properties of the types the
// object can have, or, after the colon, the property's values.
func (c completer) completeProperty(cmd *cobra.Command, k *config.Kind, creating, nameOnly bool, prefix string) ([]string, cobra.ShellCompDirective) {
	load := c.loadOnce()
	types := c.completionTypes(load, cmd, k, creating)
	name, value, hasColon := strings.Cut(prefix, ":")
	if !hasColon || nameOnly {
		var out []string
		for _, p := range propertiesOf(types) {
			if nameOnly {
				out = append(out, p.Name)
			} else {
				out = append(out, p.Name+":")
			}
		}
		dir := noFiles
		if !nameOnly {
			dir |= cobra.ShellCompDirectiveNoSpace // the value follows the colon
		}
		return withPrefix(out, prefix), dir
	}
	for _, t := range types {
		if p := t.Property(name); p != nil {
			if _, ok := p.Syntax.(config.Path); ok {
				return nil, cobra.ShellCompDirectiveDefault // a file name
			}
			var out []string
			for _, v := range propertyValues(load, p, value) {
				out = append(out, name+":"+v)
			}
			return out, noFiles
		}
	}
	return nil, noFiles
}

// currentValues completes --remove PROP: with the values the named
// object holds, which are the only ones worth removing.
func (c completer) currentValues(cmd *cobra.Command, k *config.Kind, prefix string) []string {
	st := c.loadOnce()()
	if st == nil {
		return nil
	}
	o := st.Get(k.Name, flagValue(cmd, k.NamingArg))
	if o == nil {
		return nil
	}
	name, _, _ := strings.Cut(prefix, ":")
	if t := c.Registry.TypeOf(o); t == nil || t.Property(name) == nil || t.Property(name).Sensitive {
		return nil // a sealed value is not offered
	}
	var out []string
	for _, v := range o.Values[name] {
		out = append(out, name+":"+v)
	}
	return withPrefix(out, prefix)
}

// completionTypes are the types the command's object can have: for
// create, the --type given so far, else all; for the others, the named
// object's type, else all.
func (c completer) completionTypes(load func() *config.State, cmd *cobra.Command, k *config.Kind, creating bool) []*config.Type {
	if creating {
		if t := k.Type(flagValue(cmd, "type")); t != nil {
			return []*config.Type{t}
		}
		return k.Types()
	}
	if k.Singleton() {
		return k.Types()
	}
	if st := load(); st != nil {
		if o := st.Get(k.Name, flagValue(cmd, k.NamingArg)); o != nil {
			if t := c.Registry.TypeOf(o); t != nil {
				return []*config.Type{t}
			}
		}
	}
	return k.Types()
}

func flagValue(cmd *cobra.Command, name string) string {
	v, _ := cmd.Flags().GetString(name)
	return v
}

// propertiesOf lists the distinct properties of types, read-only ones
// included (they can be set at creation).
func propertiesOf(types []*config.Type) []*config.PropertyDef {
	seen := map[string]bool{}
	var out []*config.PropertyDef
	for _, t := range types {
		for _, p := range t.SortedProperties() {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// propertyValues are the values worth offering for p: enumerated ones,
// booleans, or the names of the objects a reference may name.
func propertyValues(load func() *config.State, p *config.PropertyDef, prefix string) []string {
	switch s := p.Syntax.(type) {
	case config.Enum:
		return withPrefix(s.Values, prefix)
	case config.Boolean:
		return withPrefix([]string{"true", "false"}, prefix)
	case config.Reference:
		return objectNames(load, s.Kind, s.Types, prefix)
	}
	return nil
}

// loadOnce returns a function that loads the store on its first call and
// returns the same state (nil if it could not be loaded) afterwards, so
// that one completion reads and validates the store at most once.
func (c completer) loadOnce() func() *config.State {
	return sync.OnceValue(func() *config.State {
		st, err := c.Load()
		if err != nil {
			return nil
		}
		return st
	})
}

// objectNames lists the stored objects of kind, of one of types if given.
func objectNames(load func() *config.State, kind string, types []string, prefix string) []string {
	st := load()
	if st == nil {
		return nil
	}
	var out []string
	for _, o := range st.List(kind) {
		if len(types) == 0 || slices.Contains(types, o.Type) {
			out = append(out, o.Name)
		}
	}
	return withPrefix(out, prefix)
}

func archiveNames(f *factory, g *globalOptions) []string {
	s, err := f.Store(g)
	if err != nil {
		return nil
	}
	entries, _ := history.ListArchive(s.Dir)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name)
	}
	return out
}

func withPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// typeNames lists the types of kind, or of every kind when kind is empty
// or unknown, once each, sorted.
func typeNames(r *config.Registry, kind string) []string {
	if k := r.Kind(kind); k != nil {
		return k.TypeNames()
	}
	var out []string
	for _, k := range r.Kinds() {
		if !k.Singleton() {
			out = append(out, k.TypeNames()...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
