package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

type showOptions struct {
	objectOptions
	Properties []string
	Advanced   bool
	Output     string
}

func newCmdList(f *factory, g *globalOptions, k *config.Kind, runF func(*showOptions) error) *cobra.Command {
	o := &showOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "list-" + k.Plural,
		Short:   "Lists existing " + k.Friendly + "s",
		Long:    "Lists the existing " + k.Friendly + "s with their type" + enabledNote(k) + ". Use --property to add columns. With --output json, each object holds the properties get-" + k.Name + "-prop shows, and those named with --property.",
		Example: "  dsconfig list-" + k.Plural + "\n  dsconfig list-" + k.Plural + " --script-friendly\n  dsconfig list-" + k.Plural + " --output json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCmd(cmd, o, runF, listRun)
		},
	}
	cmd.Flags().StringArrayVar(&o.Properties, "property", nil, "add a column with this property's values (repeatable)")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func enabledNote(k *config.Kind) string {
	if render.HasEnabled(k) {
		return " and whether they are enabled"
	}
	return ""
}

func listRun(_ context.Context, o *showOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	cols, err := render.Columns(o.Kind, o.Properties)
	if err != nil {
		return err
	}
	st, err := stateOf(o.Snapshot(o.Global))
	if err != nil {
		return err
	}
	rows, objs := render.List(o.Registry, st.List(o.Kind.Name), cols, o.Global.ScriptFriendly)
	if o.Output == "json" {
		return render.JSON(o.IO.Out, objs)
	}
	render.Table(o.IO.Out, append([]string{o.Kind.Friendly, "Type"}, cols...), rows, o.Global.ScriptFriendly)
	return nil
}

func newCmdGetProp(f *factory, g *globalOptions, k *config.Kind, runF func(*showOptions) error) *cobra.Command {
	o := &showOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "get-" + k.Name + "-prop",
		Short:   "Shows " + k.Friendly + " properties",
		Long:    "Shows the properties of " + helptext.AFriendly(k) + ", sorted by name. Defaults show as values; a property with no value shows -. Sensitive values show as " + config.Mask + ". Advanced properties are shown with --advanced or when named with --property.",
		Example: helptext.GetPropExample(k),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, o.Name); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, getPropRun)
		},
	}
	if !k.Singleton() {
		nameFlag(cmd, k, &o.Name, "")
	}
	cmd.Flags().StringArrayVar(&o.Properties, "property", nil, "show only this property (repeatable)")
	cmd.Flags().BoolVar(&o.Advanced, "advanced", false, "also show advanced properties")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

func getPropRun(_ context.Context, o *showOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	snap, err := o.Snapshot(o.Global)
	if err != nil {
		return err
	}
	v, err := snap.Lookup(o.Kind.Name, o.Name)
	if err != nil {
		return err
	}
	props, err := render.Shown(v.Type, o.Properties, o.Advanced)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return render.JSON(o.IO.Out, render.ObjectJSON(v, props))
	}
	render.Table(o.IO.Out, []string{"Property", "Value(s)"}, render.PropRows(v, props, o.Global.ScriptFriendly), o.Global.ScriptFriendly)
	return nil
}
