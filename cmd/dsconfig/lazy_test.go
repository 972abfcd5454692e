package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestLazyTreeMatchesFullTree checks that the tree built for one command
// holds that command exactly as the whole tree has it, so that running a
// command alone and finding it in the whole tree cannot differ.
func TestLazyTreeMatchesFullTree(t *testing.T) {
	f := testFactory(t)
	full := newRootCmd(f)
	var names []string
	for _, c := range full.Commands() {
		if c.GroupID == "" {
			continue // cobra's own help and completion
		}
		names = append(names, c.Name())
		lazy := newRootFor(f, []string{"--config-dir", "d", c.Name(), "--help"})
		got := grouped(lazy)
		if len(got) != 1 || got[0].Name() != c.Name() {
			t.Fatalf("tree for %s holds %d commands", c.Name(), len(got))
		}
		if a, b := flagNames(c), flagNames(got[0]); a != b {
			t.Errorf("%s: flags %s alone, %s in the whole tree", c.Name(), b, a)
		}
	}
	if len(names) < 30 {
		t.Fatalf("only %d commands in the whole tree", len(names))
	}
	for _, c := range otherCommands {
		if !slices.Contains(names, c.name) {
			t.Errorf("otherCommands names %q, which the whole tree does not have", c.name)
		}
	}
}

// grouped returns root's own commands, not cobra's help and completion.
func grouped(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if c.GroupID != "" {
			out = append(out, c)
		}
	}
	return out
}

func flagNames(c *cobra.Command) string {
	var out []string
	c.Flags().VisitAll(func(fl *pflag.Flag) { out = append(out, fl.Name+"="+fl.DefValue) })
	return strings.Join(out, " ")
}

func TestScopeFor(t *testing.T) {
	f := testFactory(t)
	for _, tc := range []struct {
		args []string
		want treeScope
	}{
		{nil, treeScope{}},
		{[]string{"--version"}, treeScope{none: true}},
		{[]string{"-nV"}, treeScope{none: true}},
		{[]string{"--version", "--help"}, treeScope{}},
		{[]string{"list-passphrase-providers"}, treeScope{only: "list-passphrase-providers"}},
		{[]string{"--config-dir", "list-passphrase-providers", "send-test-mail"}, treeScope{only: "send-test-mail"}},
		{[]string{"--config-dir=x", "send-test-mail"}, treeScope{only: "send-test-mail"}},
		{[]string{"-r", "why", "config-diff"}, treeScope{only: "config-diff"}},
		{[]string{"-Qr", "why", "config-diff"}, treeScope{only: "config-diff"}},
		{[]string{"-rwhy", "config-diff"}, treeScope{only: "config-diff"}},
		{[]string{"-F", "b", "-n"}, treeScope{}},
		{[]string{"lst-passphrase-providers"}, treeScope{}},
		{[]string{"help", "send-test-mail"}, treeScope{}},
		{[]string{"--", "send-test-mail"}, treeScope{}},
	} {
		if got := scopeFor(f.Registry, tc.args); got != tc.want {
			t.Errorf("scopeFor(%q) = %+v, want %+v", tc.args, got, tc.want)
		}
	}
}
