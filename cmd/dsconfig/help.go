package main

import (
	"fmt"

	"github.com/spf13/cobra"
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
