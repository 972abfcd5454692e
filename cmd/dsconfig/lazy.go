package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// A process runs one command, so it builds only that command: building
// the whole tree, with the help text and flags of every command, costs
// more than most commands do. The whole tree is built when the arguments
// name no known command (for help, suggestions and completion).

// treeScope is the part of the command tree a run needs.
type treeScope struct {
	only string // build only this subcommand
	none bool   // build no subcommand (--version)
}

func (t treeScope) wants(name string) bool { return t.only == "" || t.only == name }

type otherCommand struct {
	name string
	new  func(*factory, *globalOptions) *cobra.Command
}

// otherCommands are the commands that are not object commands, by name,
// so that one can be built alone.
var otherCommands = []otherCommand{
	{"list-properties", func(f *factory, g *globalOptions) *cobra.Command { return newCmdListProperties(f, g, nil) }},
	{"test-passphrase-provider", func(f *factory, g *globalOptions) *cobra.Command { return newCmdTestPassphraseProvider(f, g, nil) }},
	{"get-access-token", func(f *factory, g *globalOptions) *cobra.Command { return newCmdGetAccessToken(f, g, nil) }},
	{"send-test-mail", func(f *factory, g *globalOptions) *cobra.Command { return newCmdSendTestMail(f, g, nil) }},
	{"list-config-archive", func(f *factory, g *globalOptions) *cobra.Command { return newCmdListConfigArchive(f, g, nil) }},
	{"restore-config-archive", func(f *factory, g *globalOptions) *cobra.Command { return newCmdRestoreConfigArchive(f, g, nil) }},
	{"export-config", func(f *factory, g *globalOptions) *cobra.Command { return newCmdExportConfig(f, g, nil) }},
	{"config-diff", func(f *factory, g *globalOptions) *cobra.Command { return newCmdConfigDiff(f, g, nil) }},
	{"apply-config", func(f *factory, g *globalOptions) *cobra.Command { return newCmdApplyConfig(f, g, nil) }},
	{"check-config", func(f *factory, g *globalOptions) *cobra.Command { return newCmdCheckConfig(f, g, nil) }},
	{"send-mail", func(f *factory, g *globalOptions) *cobra.Command { return newCmdSendMail(f, g, nil) }},
	{"send-queued-mail", func(f *factory, g *globalOptions) *cobra.Command { return newCmdSendQueuedMail(f, g, nil) }},
	{"list-queued-mail", func(f *factory, g *globalOptions) *cobra.Command { return newCmdListQueuedMail(f, g, nil) }},
	{"version", func(f *factory, g *globalOptions) *cobra.Command { return newCmdVersion(f, g, nil) }},
}

// newRootFor builds the command tree that running args needs.
func newRootFor(f *factory, args []string) *cobra.Command {
	return newRoot(f, &rootOptions{tree: scopeFor(f.Registry, args)})
}

// scopeFor returns the part of the tree that running args needs: the
// subcommand args name, found as cobra finds it (the first argument that
// is neither an option nor an option's value); no subcommand for a bare
// --version; else the whole tree.
func scopeFor(r *config.Registry, args []string) treeScope {
	name, help, version := subcommandOf(args)
	switch {
	case name == "" && version && !help:
		return treeScope{none: true}
	case name == "" || !knownCommand(r, name):
		return treeScope{}
	}
	return treeScope{only: name}
}

// rootValueFlags are the root's options that take a value.
var rootValueFlags = []string{"--config-dir", "--propertiesFilePath", "--max-config-archives", "--reason", "--batch-file", "-r", "-F"}

func subcommandOf(args []string) (name string, help, version bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return "", help, version
		case a == "-h" || a == "--help":
			help = true
		case a == "-V" || a == "--version":
			version = true
		case strings.HasPrefix(a, "--"):
			if !strings.Contains(a, "=") && slices.Contains(rootValueFlags, a) {
				i++
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// Shorthands run together (-nQ); -r and -F take the rest of
			// the argument, or the next one.
			for j, c := range a[1:] {
				if c == 'h' {
					help = true
				}
				if c == 'V' {
					version = true
				}
				if c == 'r' || c == 'F' {
					if j == len(a)-2 {
						i++
					}
					break
				}
			}
		default:
			return a, help, version
		}
	}
	return "", help, version
}

func knownCommand(r *config.Registry, name string) bool {
	for _, k := range r.Kinds() {
		if slices.Contains(objectCommandNames(k), name) {
			return true
		}
	}
	return slices.ContainsFunc(otherCommands, func(c otherCommand) bool { return c.name == name })
}
