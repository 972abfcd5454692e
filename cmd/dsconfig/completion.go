package main

import "github.com/spf13/cobra"

func addCompletions(f *factory, root *cobra.Command) {}
