package main

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/check"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
	"github.com/dsconfig-smtp/dsconfig/internal/interactive"
	"github.com/dsconfig-smtp/dsconfig/internal/secretinput"
)

// objectCommands returns the generic verbs for kind k: create-X, list-Xs,
// get-X-prop, set-X-prop and delete-X, or just get/set for a singleton.
func objectCommands(f *factory, g *globalOptions, k *config.Kind) []*cobra.Command {
	if k.Singleton() {
		return []*cobra.Command{newCmdGetProp(f, g, k, nil), newCmdSetProp(f, g, k, nil)}
	}
	return []*cobra.Command{newCmdCreate(f, g, k, nil), newCmdList(f, g, k, nil), newCmdGetProp(f, g, k, nil),
		newCmdSetProp(f, g, k, nil), newCmdDelete(f, g, k, nil)}
}

// objectCommand returns the one command of k named name, one of
// objectCommandNames(k).
func objectCommand(f *factory, g *globalOptions, k *config.Kind, name string) *cobra.Command {
	switch name {
	case "create-" + k.Name:
		return newCmdCreate(f, g, k, nil)
	case "list-" + k.Plural:
		return newCmdList(f, g, k, nil)
	case "get-" + k.Name + "-prop":
		return newCmdGetProp(f, g, k, nil)
	case "set-" + k.Name + "-prop":
		return newCmdSetProp(f, g, k, nil)
	case "delete-" + k.Name:
		return newCmdDelete(f, g, k, nil)
	}
	panic("dsconfig: no command " + name + " for " + k.Name)
}

// objectOptions are what every object command starts from: where it
// prints, how it reads and changes the configuration, the object's kind
// and its name.
type objectOptions struct {
	ui
	Registry *config.Registry
	Snapshot func(*globalOptions) (*config.Snapshot, error)
	Update   func(*globalOptions, func(*config.Tx) error, func(*config.Snapshot)) error
	Kind     *config.Kind
	Now      func() time.Time

	Name string
}

func newObjectOptions(f *factory, g *globalOptions, k *config.Kind) objectOptions {
	return objectOptions{ui: ui{f.IO, g}, Registry: f.Registry, Snapshot: f.Snapshot, Update: f.Update, Kind: k, Now: f.Now}
}

// runCmd calls runF with the options when a test gave one, else run.
func runCmd[O any](cmd *cobra.Command, opts *O, runF func(*O) error, run func(context.Context, *O) error) error {
	if runF != nil {
		return runF(opts)
	}
	return run(cmd.Context(), opts)
}

// propFlags are the repeatable property arguments. StringArray, not
// StringSlice: values may contain commas.
type propFlags struct {
	Set, Add, Remove, Reset []string
	// SetFromFile is PROP:PATH, the value read from PATH or stdin ("-").
	SetFromFile []string
	// prompted are the values asked for at the terminal (see complete).
	prompted []config.Mod
	// created are the objects created on the spot at the terminal for
	// reference properties (see complete).
	created []interactive.NewObject
	// argvWarning, set by mods, is printed by warnArgv once the change
	// has succeeded: a failed command has nothing to warn about yet.
	argvWarning string
}

func (p *propFlags) register(cmd *cobra.Command, modify bool) {
	cmd.Flags().StringArrayVar(&p.Set, "set", nil, "assign a value, PROP:VALUE, or read it from a file, PROP<PATH; repeat the property to give several values; a sensitive PROP alone prompts for its value without echo")
	cmd.Flags().StringArrayVar(&p.SetFromFile, "set-from-file", nil, "assign a value read from a file, PROP:PATH, or from standard input, PROP:- (for secrets in scripts)")
	if !modify {
		return
	}
	cmd.Flags().StringArrayVar(&p.Add, "add", nil, "add one value to a property, PROP:VALUE, or read it from a file, PROP<PATH")
	cmd.Flags().StringArrayVar(&p.Remove, "remove", nil, "remove one value from a property, PROP:VALUE")
	cmd.Flags().StringArrayVar(&p.Reset, "reset", nil, "reset a property to its default, PROP")
}

// mods parses the property arguments, reading secret values from the
// terminal, files or standard input (see internal/secretinput). t is the
// object's type when known (create), else nil.
func (p *propFlags) mods(ctx context.Context, u ui, r *config.Registry, k *config.Kind, t *config.Type) ([]config.Mod, error) {
	set, fromSet := secretinput.FileRefs(config.OpSet, p.Set)
	add, fromAdd := secretinput.FileRefs(config.OpAdd, p.Add)
	set, prompted := secretinput.PromptedProps(k, t, set)
	prompted = slices.DeleteFunc(prompted, u.Global.consoleAsked)
	mods, err := r.ParseMods(set, add, p.Remove, p.Reset)
	if err != nil {
		return nil, err
	}
	p.argvWarning = u.argvSecretWarning(k, t, append(set, add...))
	files, err := secretinput.FromFileArgs(p.SetFromFile)
	if err != nil {
		return nil, err
	}
	extra, err := u.secretMods(ctx, prompted, append(append(files, fromSet...), fromAdd...))
	if err != nil {
		return nil, err
	}
	// Keep the documented order: resets, sets, removes, adds.
	mods = append(append(append(mods, extra...), p.prompted...), u.Global.consolePrompted...)
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].Op < mods[j].Op })
	return mods, nil
}

// longWithSecrets adds the secret-input help to kinds that have
// sensitive properties.
func longWithSecrets(k *config.Kind, long string) string {
	if secretinput.HasSensitive(k) {
		return long + secretinput.Help
	}
	return long
}

// nameFlag registers the kind's naming argument (--provider-name, ...).
func nameFlag(cmd *cobra.Command, k *config.Kind, dst *string, what string) {
	cmd.Flags().StringVar(dst, k.NamingArg, "", fmt.Sprintf("the name of the %s%s", what, k.Friendly))
}

// requireName enforces the naming argument. Without a terminal nothing is
// ever prompted for, so a missing name is a usage error. A name given but
// empty is reported as such, not as missing.
func requireName(cmd *cobra.Command, k *config.Kind, name string) error {
	if k.Singleton() || name != "" {
		return nil
	}
	if cmd.Flags().Changed(k.NamingArg) {
		return config.CheckName(k, name)
	}
	return usagef("The argument \"--%s\" must be specified when this application is used non-interactively", k.NamingArg)
}

// onTheSpot returns the objects to create with the command: those the
// console created for it, then those its own prompts did.
func (p *propFlags) onTheSpot(g *globalOptions) []interactive.NewObject {
	return append(slices.Clone(g.consoleCreated), p.created...)
}

// warnArgv prints the warning about secrets on the command line, if any.
func (p *propFlags) warnArgv(u ui) {
	if p.argvWarning != "" {
		u.warn("%s", p.argvWarning)
	}
}

// warnChecks prints, as warnings, what check-config's quick checks (no
// secret, command or network) find in the object just saved; snap is the
// configuration as saved, so nothing is read again. It is the one hook of
// the checks into create-* and set-*-prop; they never refuse a change,
// since the seed allows a "1 s" lifetime for testing.
func (o objectOptions) warnChecks(snap *config.Snapshot) {
	if o.Global.Quiet {
		return
	}
	if b := o.Global.batchChecks; b != nil {
		*b = append(*b, check.Target{Kind: o.Kind.Name, Name: o.Name})
		return
	}
	for _, f := range check.Object(snap, o.Kind.Name, o.Name, o.Now()) {
		o.warn("%s", f.Summary())
	}
}

type createOptions struct {
	objectOptions
	Type  string
	Props propFlags
}

func newCmdCreate(f *factory, g *globalOptions, k *config.Kind, runF func(*createOptions) error) *cobra.Command {
	o := &createOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "create-" + k.Name,
		Short:   "Creates " + helptext.AFriendly(k),
		Long:    f.Help.Text(k, "create", func(k *config.Kind) string { return longWithSecrets(k, helptext.Create(k)) }),
		Example: f.Help.Text(k, "create-example", helptext.CreateExample),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(cmd.Context(), cmd, &o.Type, &o.Props); err != nil {
				return err
			}
			if err := requireName(cmd, k, o.Name); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, createRun)
		},
	}
	nameFlag(cmd, k, &o.Name, "new ")
	cmd.Flags().StringVarP(&o.Type, "type", "t", "", "the type of "+k.Friendly+" to create: "+helptext.JoinTypes(k))
	o.Props.register(cmd, false)
	return cmd
}

func createRun(ctx context.Context, o *createOptions) error {
	k := o.Kind
	if o.Type == "" {
		return usagef("The argument \"--type\" must be specified when this application is used non-interactively; it is one of: %s", helptext.JoinTypes(k))
	}
	t, err := config.LookupType(k, o.Type)
	if err != nil {
		return err
	}
	mods, err := o.Props.mods(ctx, o.ui, o.Registry, k, t)
	if err != nil {
		return err
	}
	created := o.Props.onTheSpot(o.Global)
	return o.Update(o.Global, func(tx *config.Tx) error {
		if err := createNew(tx, created); err != nil {
			return err
		}
		_, err := tx.Create(t, o.Name, mods)
		return err
	}, func(snap *config.Snapshot) {
		o.confirmNew(created)
		o.Props.warnArgv(o.ui)
		if t.Warning != "" {
			o.warn("%s", t.Warning)
		}
		o.warnChecks(snap)
		o.confirm("The %s was created successfully", k.Friendly)
	})
}

type setPropOptions struct {
	objectOptions
	Props propFlags
}

func newCmdSetProp(f *factory, g *globalOptions, k *config.Kind, runF func(*setPropOptions) error) *cobra.Command {
	o := &setPropOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "set-" + k.Name + "-prop",
		Short:   "Modifies " + k.Friendly + " properties",
		Long:    f.Help.Text(k, "set-prop", func(k *config.Kind) string { return longWithSecrets(k, helptext.Modify(k)) }),
		Example: f.Help.Text(k, "set-prop-example", helptext.SetPropExample),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.complete(cmd.Context(), cmd, nil, &o.Props); err != nil {
				return err
			}
			if err := requireName(cmd, k, o.Name); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, setPropRun)
		},
	}
	if !k.Singleton() {
		nameFlag(cmd, k, &o.Name, "")
	}
	o.Props.register(cmd, true)
	return cmd
}

func setPropRun(ctx context.Context, o *setPropOptions) error {
	k := o.Kind
	mods, err := o.Props.mods(ctx, o.ui, o.Registry, k, nil)
	if err != nil {
		return err
	}
	if len(mods) == 0 {
		return usagef("no property modification given: use --set, --add, --remove or --reset")
	}
	created := o.Props.onTheSpot(o.Global)
	return o.Update(o.Global, func(tx *config.Tx) error {
		if err := createNew(tx, created); err != nil {
			return err
		}
		_, err := tx.Modify(k, o.Name, mods)
		return err
	}, func(snap *config.Snapshot) {
		o.confirmNew(created)
		o.Props.warnArgv(o.ui)
		o.warnChecks(snap)
		o.confirm("The %s was modified successfully", k.Friendly)
	})
}

type deleteOptions struct {
	objectOptions
	Force bool
}

func newCmdDelete(f *factory, g *globalOptions, k *config.Kind, runF func(*deleteOptions) error) *cobra.Command {
	o := &deleteOptions{objectOptions: newObjectOptions(f, g, k)}
	cmd := &cobra.Command{
		Use:     "delete-" + k.Name,
		Short:   "Deletes " + helptext.AFriendly(k),
		Long:    "Deletes " + helptext.AFriendly(k) + ". An object that others refer to cannot be deleted; the error names every object that refers to it.",
		Example: fmt.Sprintf("  dsconfig delete-%s --%s \"NAME\"", k.Name, k.NamingArg),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, o.Name); err != nil {
				return err
			}
			return runCmd(cmd, o, runF, deleteRun)
		},
	}
	nameFlag(cmd, k, &o.Name, "")
	cmd.Flags().BoolVarP(&o.Force, "force", "f", false, "ignore a non-existent "+k.Friendly)
	return cmd
}

func deleteRun(_ context.Context, o *deleteOptions) error {
	deleted := false
	return o.Update(o.Global, func(tx *config.Tx) error {
		obj, err := tx.Delete(o.Kind, o.Name, o.Force)
		deleted = obj != nil
		return err
	}, func(*config.Snapshot) {
		if deleted {
			o.confirm("The %s was deleted successfully", o.Kind.Friendly)
		}
	})
}

// applyChange runs a change on tx (see config.Registry.ApplyChange) and
// adds its audit records to tx.Records.
func applyChange(r *config.Registry, tx *config.Tx, change func(*config.Tx) error, inBatch bool) error {
	changes, err := r.ApplyChange(tx, change, inBatch)
	if err != nil {
		return err
	}
	for _, ch := range changes {
		tx.Records = append(tx.Records, history.Records(r, ch)...)
	}
	return nil
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		// A stray argument is never repeated: it is often a value that
		// lost its option, or the second word of an unquoted one
		// (--set password hunter2), and may be a secret.
		return &flagError{config.Problemf("quote values that contain spaces (--set 'PROP:two words'), and give each value with its option",
			"unexpected argument #1 (not shown, as it may be a secret): values are given with options such as --set PROP:VALUE")}
	}
	return nil
}
