package main

import (
	"context"

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

func listPropsRun(_ context.Context, o *listPropsOptions) error {
	if err := render.CheckFormat(o.Output); err != nil {
		return err
	}
	rows, js, err := helptext.ListProperties(o.Registry, o.Kind, o.Type, o.Advanced, o.Description)
	if err != nil {
		return err
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
