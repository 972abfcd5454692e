package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/history"
)

// objectCommands returns the generic verbs for kind k: create-X, list-Xs,
// get-X-prop, set-X-prop and delete-X, or just get/set for a singleton.
func objectCommands(f *factory, k *config.Kind) []*cobra.Command {
	if k.Singleton() {
		return []*cobra.Command{newCmdGetProp(f, k), newCmdSetProp(f, k)}
	}
	return []*cobra.Command{newCmdCreate(f, k), newCmdList(f, k), newCmdGetProp(f, k), newCmdSetProp(f, k), newCmdDelete(f, k)}
}

// propFlags are the repeatable property arguments. StringArray, not
// StringSlice: values may contain commas.
type propFlags struct {
	Set, Add, Remove, Reset []string
	// SetFromFile is PROP:PATH, the value read from PATH or stdin ("-").
	SetFromFile []string
	// argvWarning, set by mods, is printed by warnArgv once the change
	// has succeeded: a failed command has nothing to warn about yet.
	argvWarning string
}

func (p *propFlags) register(cmd *cobra.Command, modify bool) {
	cmd.Flags().StringArrayVar(&p.Set, "set", nil, "assign a value, PROP:VALUE; repeat the property to give several values; a sensitive PROP alone prompts for its value without echo")
	cmd.Flags().StringArrayVar(&p.SetFromFile, "set-from-file", nil, "assign a value read from a file, PROP:PATH, or from standard input, PROP:- (for secrets in scripts)")
	if !modify {
		return
	}
	cmd.Flags().StringArrayVar(&p.Add, "add", nil, "add one value to a property, PROP:VALUE")
	cmd.Flags().StringArrayVar(&p.Remove, "remove", nil, "remove one value from a property, PROP:VALUE")
	cmd.Flags().StringArrayVar(&p.Reset, "reset", nil, "reset a property to its default, PROP")
}

// mods parses the property arguments, reading secret values from the
// terminal, files or standard input (see passphrase_input.go). t is the
// object's type when known (create), else nil.
func (p *propFlags) mods(ctx context.Context, f *factory, k *config.Kind, t *config.Type) ([]config.Mod, error) {
	set, prompted := promptedProps(k, t, p.Set)
	mods, err := f.Registry.ParseMods(set, p.Add, p.Remove, p.Reset)
	if err != nil {
		return nil, err
	}
	p.argvWarning = f.argvSecretWarning(k, t, append(set, p.Add...))
	extra, err := f.secretMods(ctx, prompted, p.SetFromFile)
	if err != nil {
		return nil, err
	}
	// Keep the documented order: resets, sets, removes, adds.
	mods = append(mods, extra...)
	sort.SliceStable(mods, func(i, j int) bool { return mods[i].Op < mods[j].Op })
	return mods, nil
}

// longWithSecrets adds the secret-input help to kinds that have
// sensitive properties.
func longWithSecrets(k *config.Kind, long string) string {
	if hasSensitive(k) {
		return long + secretInputHelp
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

// confirm prints a one-line confirmation for a person at a terminal, and
// nothing for scripts.
func (f *factory) confirm(format string, args ...any) {
	if f.IO.StdoutTTY && !f.Global.Quiet {
		fmt.Fprintf(f.IO.Out, format+"\n", args...)
	}
}

func (f *factory) warn(format string, args ...any) {
	if !f.Global.Quiet {
		fmt.Fprintf(f.IO.ErrOut, "dsconfig: warning: "+format+"\n", args...)
	}
}

// warnArgv prints the warning about secrets on the command line, if any.
func (p *propFlags) warnArgv(f *factory) {
	if p.argvWarning != "" {
		f.warn("%s", p.argvWarning)
	}
}

func newCmdCreate(f *factory, k *config.Kind) *cobra.Command {
	var name, typ string
	var props propFlags
	cmd := &cobra.Command{
		Use:     "create-" + k.Name,
		Short:   "Creates " + aFriendly(k),
		Long:    longWithSecrets(k, createHelp(k)),
		Example: createExample(k),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, name); err != nil {
				return err
			}
			if typ == "" {
				return usagef("The argument \"--type\" must be specified when this application is used non-interactively; it is one of: %s", joinTypes(k))
			}
			t, err := config.LookupType(k, typ)
			if err != nil {
				return err
			}
			mods, err := props.mods(cmd.Context(), f, k, t)
			if err != nil {
				return err
			}
			return f.update(func(tx *config.Tx) error {
				_, err := tx.Create(t, name, mods)
				return err
			}, func() {
				props.warnArgv(f)
				if t.Warning != "" {
					f.warn("%s", t.Warning)
				}
				f.confirm("The %s was created successfully", k.Friendly)
			})
		},
	}
	nameFlag(cmd, k, &name, "new ")
	cmd.Flags().StringVarP(&typ, "type", "t", "", "the type of "+k.Friendly+" to create: "+joinTypes(k))
	props.register(cmd, false)
	return cmd
}

func newCmdSetProp(f *factory, k *config.Kind) *cobra.Command {
	var name string
	var props propFlags
	cmd := &cobra.Command{
		Use:     "set-" + k.Name + "-prop",
		Short:   "Modifies " + k.Friendly + " properties",
		Long:    longWithSecrets(k, modifyHelp(k)),
		Example: setPropExample(k),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, name); err != nil {
				return err
			}
			mods, err := props.mods(cmd.Context(), f, k, nil)
			if err != nil {
				return err
			}
			if len(mods) == 0 {
				return usagef("no property modification given: use --set, --add, --remove or --reset")
			}
			return f.update(func(tx *config.Tx) error {
				_, err := tx.Modify(k, name, mods)
				return err
			}, func() {
				props.warnArgv(f)
				f.confirm("The %s was modified successfully", k.Friendly)
			})
		},
	}
	if !k.Singleton() {
		nameFlag(cmd, k, &name, "")
	}
	props.register(cmd, true)
	return cmd
}

func newCmdDelete(f *factory, k *config.Kind) *cobra.Command {
	var name string
	var force bool
	cmd := &cobra.Command{
		Use:     "delete-" + k.Name,
		Short:   "Deletes " + aFriendly(k),
		Long:    "Deletes " + aFriendly(k) + ". An object that others refer to cannot be deleted; the error names every object that refers to it.",
		Example: fmt.Sprintf("  dsconfig delete-%s --%s \"NAME\"", k.Name, k.NamingArg),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireName(cmd, k, name); err != nil {
				return err
			}
			deleted := false
			return f.update(func(tx *config.Tx) error {
				o, err := tx.Delete(k, name, force)
				deleted = o != nil
				return err
			}, func() {
				if deleted {
					f.confirm("The %s was deleted successfully", k.Friendly)
				}
			})
		},
	}
	nameFlag(cmd, k, &name, "")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "ignore a non-existent "+k.Friendly)
	return cmd
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

// update runs one change through the store and, when it has been saved,
// calls done. Inside a batch it applies the change to the batch's shared
// transaction instead (see applyChange).
func (f *factory) update(change func(tx *config.Tx) error, done func()) error {
	if f.tx != nil {
		if err := applyChange(f.Registry, f.tx, change, true); err != nil {
			return err
		}
		done()
		return nil
	}
	s, err := f.Store()
	if err != nil {
		return err
	}
	if _, err := s.Update(func(tx *config.Tx) error {
		tx.State.Record()
		return applyChange(f.Registry, tx, change, false)
	}); err != nil {
		return err
	}
	done()
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
