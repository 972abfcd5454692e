package main

import (
	"context"
	"fmt"
	"slices"

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

// checkColumns refuses a --property that no type of k has: a typo would
// otherwise show as a column of "-".
func checkColumns(k *config.Kind, props []string) error {
	for _, name := range props {
		known := false
		for _, t := range k.Types() {
			known = known || t.Property(name) != nil
		}
		if !known {
			return &flagError{&config.UsageError{
				Msg:  fmt.Sprintf("The property %q is not a recognized property of any type of %s", name, k.Friendly),
				Hint: fmt.Sprintf("run 'dsconfig list-properties --object-type %s' to see the valid properties", k.Name),
			}}
		}
	}
	return nil
}

func enabledNote(k *config.Kind) string {
	for _, p := range k.Common {
		if p.Name == config.PropEnabled {
			return " and whether they are enabled"
		}
	}
	return ""
}

func listRun(_ context.Context, o *showOptions) error {
	k := o.Kind
	if err := outputFormat(o.Output); err != nil {
		return err
	}
	if err := checkColumns(k, o.Properties); err != nil {
		return err
	}
	st, err := stateOf(o.Snapshot(o.Global))
	if err != nil {
		return err
	}
	cols := []string{}
	if enabledNote(k) != "" {
		cols = append(cols, config.PropEnabled)
	}
	for _, p := range o.Properties {
		if !slices.Contains(cols, p) { // enabled is there already
			cols = append(cols, p)
		}
	}
	var rows [][]string
	var objs []render.Object
	for _, obj := range st.List(k.Name) {
		v := o.Registry.View(obj)
		row := []string{render.Display(obj.Name), obj.Type}
		// JSON holds what get-prop shows, plus the advanced properties
		// named with --property.
		props, _ := selectProps(v.Type, &showOptions{})
		for _, c := range cols {
			p := v.Type.Property(c)
			if p == nil {
				row = append(row, "-") // the property does not apply to this type
				continue
			}
			if !slices.Contains(props, p) {
				props = append(props, p)
			}
			row = append(row, render.Cell(render.Values(v, p), o.Global.ScriptFriendly))
		}
		rows = append(rows, row)
		objs = append(objs, render.ObjectJSON(v, props))
	}
	if o.Output == "json" {
		if objs == nil {
			objs = []render.Object{}
		}
		return render.JSON(o.IO.Out, objs)
	}
	render.Table(o.IO.Out, append([]string{k.Friendly, "Type"}, cols...), rows, o.Global.ScriptFriendly)
	return nil
}

func newCmdGetProp(f *factory, g *globalOptions, k *config.Kind, runF func(*showOptions) error) *cobra.Command {
	o := &showOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "get-" + k.Name + "-prop",
		Short:   "Shows " + k.Friendly + " properties",
		Long:    "Shows the properties of " + aFriendly(k) + ", sorted by name. Defaults show as values; a property with no value shows -. Sensitive values show as " + config.Mask + ". Advanced properties are shown with --advanced or when named with --property.",
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
	if err := outputFormat(o.Output); err != nil {
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
	props, err := selectProps(v.Type, o)
	if err != nil {
		return err
	}
	if o.Output == "json" {
		return render.JSON(o.IO.Out, render.ObjectJSON(v, props))
	}
	var rows [][]string
	for _, p := range props {
		rows = append(rows, []string{p.Name, render.Cell(render.Values(v, p), o.Global.ScriptFriendly)})
	}
	render.Table(o.IO.Out, []string{"Property", "Value(s)"}, rows, o.Global.ScriptFriendly)
	return nil
}

// selectProps picks the properties get-prop shows, in name order.
func selectProps(t *config.Type, o *showOptions) ([]*config.PropertyDef, error) {
	if len(o.Properties) == 0 {
		var out []*config.PropertyDef
		for _, p := range t.SortedProperties() {
			if o.Advanced || !p.Advanced {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var out []*config.PropertyDef
	for _, name := range o.Properties {
		p := t.Property(name)
		if p == nil {
			return nil, config.UnknownProperty(t, name)
		}
		out = append(out, p)
	}
	return out, nil
}
