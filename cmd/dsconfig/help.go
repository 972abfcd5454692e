package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
)

// Help texts are rendered from the registry by internal/helptext, so
// they cannot drift from what the commands accept. The object commands
// take them under these names.
var (
	joinTypes      = helptext.JoinTypes
	createHelp     = helptext.Create
	modifyHelp     = helptext.Modify
	createExample  = helptext.CreateExample
	setPropExample = helptext.SetPropExample
	aFriendly      = helptext.AFriendly
)

// helpAll is --help-all: the root's help, then every subcommand, hidden
// ones included, with its description.
func helpAll(root *cobra.Command) error {
	if err := root.Help(); err != nil {
		return err
	}
	w := root.OutOrStdout()
	fmt.Fprintln(w, "\nAll subcommands:")
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		fmt.Fprintf(w, "  %-40s %s\n", c.Name(), c.Short)
	}
	return nil
}
