package main

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
	"github.com/dsconfig-smtp/dsconfig/internal/render"
)

type listPropsOptions struct {
	ui
	Registry *config.Registry

	Kind, Type  string
	Advanced    bool
	Description bool
	Output      string
}

func newCmdListProperties(f *factory, g *globalOptions, runF func(*listPropsOptions) error) *cobra.Command {
	o := &listPropsOptions{ui: ui{f.IO, g}, Registry: f.Registry}
	cmd := &cobra.Command{
		Use:   "list-properties",
		Short: "Lists the properties of every object type",
		Long:  "Lists the properties of every object type, with their syntax and flags. Advanced properties are listed with --advanced.",
		Example: "  dsconfig list-properties --object-type http-authorization-method --type client-credentials-bearer-token\n" +
			"  dsconfig list-properties --advanced --include-description",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runCmd(cmd, o, runF, listPropsRun) },
	}
	cmd.Flags().StringVar(&o.Kind, "object-type", "", "only this kind of object, e.g. http-authorization-method")
	cmd.Flags().StringVarP(&o.Type, "type", "t", "", "only this type, e.g. client-credentials-bearer-token")
	cmd.Flags().BoolVar(&o.Advanced, "advanced", false, "include advanced properties")
	cmd.Flags().BoolVar(&o.Description, "include-description", false, "include each property's synopsis")
	cmd.Flags().StringVarP(&o.Output, "output", "o", "table", "output format: table or json")
	return cmd
}

type jsonProperty struct {
	ObjectType string   `json:"object-type"`
	Type       string   `json:"type,omitempty"`
	Property   string   `json:"property"`
	Syntax     string   `json:"syntax"`
	Flags      string   `json:"flags,omitempty"`
	Default    []string `json:"default,omitempty"`
	Synopsis   string   `json:"synopsis"`
}

func listPropsRun(_ context.Context, o *listPropsOptions) error {
	if err := outputFormat(o.Output); err != nil {
		return err
	}
	kinds := o.Registry.Kinds()
	if o.Kind != "" {
		k := o.Registry.Kind(o.Kind)
		if k == nil {
			return usagef("unknown --object-type %q; it is one of: %s", o.Kind, kindNames(o.Registry))
		}
		kinds = []*config.Kind{k}
	}
	var rows [][]string
	var js []jsonProperty
	matched := false
	for _, k := range kinds {
		for _, t := range k.Types() {
			if o.Type != "" && t.Name != o.Type {
				continue
			}
			matched = true
			for _, p := range t.SortedProperties() {
				if p.Advanced && !o.Advanced {
					continue
				}
				flags := strings.Join(helptext.PropertyFlags(p), ", ")
				row := []string{p.Name, k.Name, typeLabel(t), p.Syntax.Describe(), flags}
				if o.Description {
					row = append(row, p.Synopsis)
				}
				rows = append(rows, row)
				js = append(js, jsonProperty{k.Name, t.Name, p.Name, p.Syntax.Describe(), flags, p.Default, p.Synopsis})
			}
		}
	}
	if o.Type != "" && !matched {
		return usagef("unknown --type %q; it is one of: %s", o.Type, typesOf(kinds))
	}
	if o.Output == "json" {
		return render.JSON(o.IO.Out, js)
	}
	header := []string{"Property", "Object Type", "Type", "Syntax", "Flags"}
	if o.Description {
		header = append(header, "Synopsis")
	}
	render.Table(o.IO.Out, header, rows, o.Global.ScriptFriendly)
	return nil
}

func typeLabel(t *config.Type) string {
	if t.Name == "" {
		return "-"
	}
	return t.Name
}

func kindNames(r *config.Registry) string {
	var n []string
	for _, k := range r.Kinds() {
		n = append(n, k.Name)
	}
	return strings.Join(n, ", ")
}

// typesOf lists the type names of kinds, for an error about --type.
func typesOf(kinds []*config.Kind) string {
	var names []string
	for _, k := range kinds {
		for _, n := range k.TypeNames() {
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ", ")
}
