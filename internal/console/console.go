// Package console is dsconfig's menu console, opened by dsconfig with no
// arguments at a terminal, in the style of PingDirectory's dsconfig:
// numbered menus of the object kinds, their objects and their
// properties, plain text and keyboard only.
//
// The console never writes the store itself. Every change it makes is
// an equivalent non-interactive command (an argument list), shown to the
// person, confirmed, and then run by Apply through the same code as the
// command line: validation, store update, archive and audit log. Edits
// are gathered until the person finishes; q, b and Ctrl-C before that
// apply nothing.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/interactive"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
)

// Console is one console session.
type Console struct {
	Term     *prompt.Terminal
	Registry *config.Registry
	// Snapshot reads the configuration as it is now.
	Snapshot func() (*config.Snapshot, error)
	// Apply runs a change's command line. Apply reports a failure
	// itself.
	Apply func(ctx context.Context, ch Change) error
	// Advanced shows the advanced properties.
	Advanced bool
	// Shortcuts returns the commands that test the object being edited
	// (send-test-mail, get-access-token), or none.
	Shortcuts func(o *config.Object) []Shortcut
}

// Change is a command line the console runs, with what it carries beside
// its arguments.
type Change struct {
	Args []string
	// Prompted are the sensitive values the console read hidden; Args
	// name them as --set PROP, which the command would otherwise prompt
	// for.
	Prompted []config.Mod
	// Created are the objects created on the spot for reference
	// properties, to create in the same change, before Args runs.
	Created []interactive.NewObject
}

// Shortcut is a command offered in the property menu of an object, run at
// once: it reads the saved configuration and changes nothing.
type Shortcut struct {
	Key   string // the menu letter
	Label string
	// Ask, when set, is a question whose answer Args needs.
	Ask  string
	Args func(answer string) []string
}

// errBack leaves a menu for the one above it: "b" at any question of the
// console (Term.Back is set).
var errBack = prompt.ErrBack

func (c *Console) out() io.Writer { return c.Term.Out }

func (c *Console) printf(format string, args ...any) { fmt.Fprintf(c.out(), format, args...) }

// Run shows the main menu until the person quits. q and the end of input
// end the session without error; Ctrl-C returns the context's error.
func (c *Console) Run(ctx context.Context) error {
	c.Term.Back = true
	err := c.mainMenu(ctx)
	switch {
	case errors.Is(err, prompt.ErrQuit), errors.Is(err, io.EOF), errors.Is(err, errBack):
		c.printf("\nGoodbye\n")
		return nil
	}
	return err
}

func (c *Console) mainMenu(ctx context.Context) error {
	kinds := c.Registry.Kinds()
	for {
		c.printf("\n>>>> dsconfig main menu\n\nWhat do you want to configure?\n\n")
		var items []string
		for _, k := range kinds {
			items = append(items, k.Friendly)
		}
		i, err := c.menu(ctx, items, false)
		if err != nil {
			return err
		}
		k := kinds[i]
		if k.Singleton() {
			err = c.edit(ctx, k, "")
		} else {
			err = c.kindMenu(ctx, k)
		}
		if err != nil && !errors.Is(err, errBack) {
			return err
		}
	}
}

// menu prints the numbered items and reads a choice: a number, b (when
// back is offered) or q. It returns the item's index.
func (c *Console) menu(ctx context.Context, items []string, back bool) (int, error) {
	for i, it := range items {
		c.printf("  %2d) %s\n", i+1, it)
	}
	c.printf("\n")
	if back {
		c.printf("   b) back\n")
	}
	c.printf("   q) quit\n\n")
	for {
		s, err := c.Term.Line(ctx, "Enter choice: ")
		if errors.Is(err, errBack) && !back {
			s, err = "b", nil // the main menu has nothing above it
		}
		if err != nil {
			return 0, err
		}
		if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(items) {
			return n - 1, nil
		}
		allowed := fmt.Sprintf("a number from 1 to %d", len(items))
		if back {
			allowed += ", b"
		}
		c.printf("Invalid choice %q: enter %s or q\n", s, allowed)
	}
}

func (c *Console) kindMenu(ctx context.Context, k *config.Kind) error {
	plural := k.Friendly + "s"
	for {
		c.printf("\n>>>> %s management menu\n\nWhat would you like to do?\n\n", k.Friendly)
		i, err := c.menu(ctx, []string{
			"List existing " + plural,
			"Create a new " + k.Friendly,
			"View and edit an existing " + k.Friendly,
			"Delete an existing " + k.Friendly,
		}, true)
		if err != nil {
			return err
		}
		switch i {
		case 0:
			c.printf("\n")
			err = c.run(ctx, Change{Args: []string{"list-" + k.Plural}})
		case 1:
			err = c.create(ctx, k)
		case 2:
			var name string
			if name, err = c.pickObject(ctx, k, "view and edit"); err == nil {
				err = c.edit(ctx, k, name)
			}
		case 3:
			err = c.delete(ctx, k)
		}
		if err != nil && !errors.Is(err, errBack) {
			return err
		}
	}
}

// run runs a command; a failure the command reported leaves the person in
// the console, but Ctrl-C during it ends the session.
func (c *Console) run(ctx context.Context, ch Change) error {
	err := c.Apply(ctx, ch)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, prompt.ErrQuit) {
		return err
	}
	return nil
}

// confirmAndRun shows the equivalent commands and runs them once
// confirmed. It reports whether they ran and succeeded.
func (c *Console) confirmAndRun(ctx context.Context, ch Change) (bool, error) {
	interactive.ShowCommands(c.Term, commands(ch))
	ok, err := c.Term.Confirm(ctx, "Apply this change?")
	if errors.Is(err, errBack) {
		ok, err = false, nil
	}
	if err != nil {
		return false, err
	}
	if !ok {
		c.printf("Nothing was changed\n")
		return false, nil
	}
	err = c.Apply(ctx, ch)
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if errors.Is(err, prompt.ErrQuit) {
		return false, err
	}
	return err == nil, nil
}

func (c *Console) pickObject(ctx context.Context, k *config.Kind, what string) (string, error) {
	snap, err := c.Snapshot()
	if err != nil {
		return "", err
	}
	objs := snap.State.List(k.Name)
	if len(objs) == 0 {
		c.printf("\nThere is no %s\n", k.Friendly)
		return "", errBack
	}
	c.printf("\nSelect the %s to %s:\n\n", k.Friendly, what)
	var items []string
	for _, o := range objs {
		items = append(items, o.Name+"  ("+o.Type+")")
	}
	i, err := c.menu(ctx, items, true)
	if err != nil {
		return "", err
	}
	return objs[i].Name, nil
}

func (c *Console) delete(ctx context.Context, k *config.Kind) error {
	name, err := c.pickObject(ctx, k, "delete")
	if err != nil {
		return err
	}
	_, err = c.confirmAndRun(ctx, Change{Args: []string{"delete-" + k.Name, "--" + k.NamingArg, name}})
	return err
}

// create asks for the name, the type and the mandatory properties
// (interactive.Fill), then applies create-X once confirmed.
func (c *Console) create(ctx context.Context, k *config.Kind) error {
	snap, err := c.Snapshot()
	if err != nil {
		return err
	}
	r := &interactive.Request{Kind: k, Create: true}
	mods, err := interactive.Fill(ctx, c.Term, snap, r)
	if errors.Is(err, errBack) {
		c.printf("Nothing was changed\n")
	}
	if err != nil {
		if errors.Is(err, prompt.ErrQuit) || errors.Is(err, errBack) || errors.Is(err, io.EOF) || ctx.Err() != nil {
			return err
		}
		c.printf("%v\n", err)
		return nil
	}
	t := k.Type(r.Type)
	args := []string{"create-" + k.Name, "--" + k.NamingArg, r.Name, "--type", r.Type}
	var prompted []config.Mod
	for _, m := range mods {
		if p := t.Property(m.Property); p != nil && p.Sensitive {
			args = append(args, "--set", m.Property)
			prompted = append(prompted, m)
			continue
		}
		args = append(args, "--set", m.Property+":"+m.Value)
	}
	_, err = c.confirmAndRun(ctx, Change{Args: args, Prompted: prompted, Created: r.New})
	return err
}

// edit shows an object's properties, numbered, and gathers changes until
// the person finishes (f), which applies them all as one set-X-prop.
func (c *Console) edit(ctx context.Context, k *config.Kind, name string) error {
	var pending []config.Mod
	// spot holds the objects created on the spot for the pending changes.
	spot := &interactive.Request{Kind: k}
	for {
		snap, err := c.Snapshot()
		if err != nil {
			return err
		}
		obj := snap.State.Get(k.Name, name)
		if obj == nil && !k.Singleton() {
			c.printf("\nThe %s %q no longer exists\n", k.Friendly, name)
			return errBack
		}
		if obj == nil {
			obj = &config.Object{Kind: k.Name, Values: map[string][]string{}}
		}
		t := c.Registry.TypeOf(obj)
		if t == nil && k.Singleton() {
			t = k.Types()[0]
		}
		var props []*config.PropertyDef
		for _, p := range t.SortedProperties() {
			if c.Advanced || !p.Advanced || slices.ContainsFunc(pending, func(m config.Mod) bool { return m.Property == p.Name }) {
				props = append(props, p)
			}
		}
		view := config.View{Object: withMods(obj, pending, t), Type: t}
		if k.Singleton() {
			c.printf("\n>>>> Configure the properties of the %s\n\n", k.Friendly)
		} else {
			c.printf("\n>>>> Configure the properties of the %s %q (%s)\n\n", k.Friendly, name, t.Name)
		}
		width := len("Property")
		for _, p := range props {
			width = max(width, len(p.Name))
		}
		c.printf("         %-*s  Value(s)\n", width, "Property")
		c.printf("        %s\n", strings.Repeat("-", width+12))
		for i, p := range props {
			c.printf("   %3d)  %-*s  %s\n", i+1, width, p.Name, display(view, p))
		}
		c.printf("\n")
		if len(pending) > 0 {
			c.printf("   f) finish - apply the %d pending change(s) to the %s\n", len(pending), k.Friendly)
			c.printf("   d) display the equivalent dsconfig command\n")
		}
		var shortcuts []Shortcut
		if c.Shortcuts != nil {
			shortcuts = c.Shortcuts(obj)
		}
		for _, sc := range shortcuts {
			c.printf("   %s) %s\n", sc.Key, sc.Label)
		}
		c.printf("   b) back (pending changes are discarded)\n   q) quit (pending changes are discarded)\n\n")
		s, err := c.Term.Line(ctx, "Enter choice: ")
		if errors.Is(err, errBack) && len(pending) > 0 {
			c.printf("The pending changes were discarded\n")
		}
		if err != nil {
			return err
		}
		args, prompted := setPropArgs(k, name, t, pending)
		ch := Change{Args: args, Prompted: prompted, Created: spot.New}
		switch {
		case s == "f" && len(pending) > 0:
			ok, err := c.confirmAndRun(ctx, ch)
			if err != nil {
				return err
			}
			if ok {
				pending, spot.New = nil, nil
			}
			continue
		case s == "d" && len(pending) > 0:
			c.printf("\n")
			for _, cmd := range commands(ch) {
				c.printf("  %s\n", cmd)
			}
			continue
		}
		if i := slices.IndexFunc(shortcuts, func(sc Shortcut) bool { return sc.Key == s }); i >= 0 {
			if err := c.shortcut(ctx, shortcuts[i], len(pending) > 0); err != nil && !errors.Is(err, errBack) {
				return err
			}
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > len(props) {
			c.printf("Invalid choice %q: enter a property number from 1 to %d, f, d, b or q\n", s, len(props))
			continue
		}
		m, err := c.propertyMenu(ctx, view, props[n-1], spot)
		if errors.Is(err, errBack) {
			continue
		}
		if err != nil {
			return err
		}
		for _, m := range m {
			pending = addPending(pending, m)
		}
	}
}

// shortcut runs a shortcut, after the answer to its question if any.
func (c *Console) shortcut(ctx context.Context, sc Shortcut, pending bool) error {
	answer := ""
	if sc.Ask != "" {
		var err error
		answer, err = c.Term.Ask(ctx, sc.Ask+", or q to quit: ", false, func(s string) (string, error) {
			if s == "" {
				return "", errors.New("nothing was entered")
			}
			return s, nil
		})
		if err != nil {
			return err
		}
	}
	if pending {
		c.printf("\nThe pending changes are not applied yet: this runs with the saved configuration\n")
	}
	args := sc.Args(answer)
	c.printf("\nRunning: %s\n\n", batchfile.Format(args))
	return c.run(ctx, Change{Args: args})
}

// propertyMenu describes one property and asks what to do with it; it
// returns the modifications to add to the pending ones.
func (c *Console) propertyMenu(ctx context.Context, view config.View, p *config.PropertyDef, spot *interactive.Request) ([]config.Mod, error) {
	c.printf("\n>>>> Property %s\n\n%s\n\n  Syntax:    %s\n", p.Name, p.Synopsis, p.Syntax.Describe())
	switch {
	case len(p.Default) > 0:
		c.printf("  Default:   %s\n", strings.Join(p.Default, ", "))
	case p.DefaultText != "":
		c.printf("  Default:   %s\n", p.DefaultText)
	}
	if p.Multi {
		c.printf("  Multi-valued: yes\n")
	}
	if p.Mandatory {
		c.printf("  Mandatory: yes\n")
	}
	if p.Note != "" {
		c.printf("  Note:      %s\n", p.Note)
	}
	c.printf("  Value(s):  %s\n\nWhat would you like to do?\n\n", display(view, p))
	if p.ReadOnly {
		c.printf("The property %s can be set only when the object is created\n", p.Name)
		return nil, errBack
	}
	type action struct {
		label string
		do    func() ([]config.Mod, error)
	}
	var actions []action
	current := view.Values(p.Name)
	actions = append(actions, action{"Change the value", func() ([]config.Mod, error) {
		v, err := c.askValue(ctx, p, spot)
		return []config.Mod{{Op: config.OpSet, Property: p.Name, Value: v}}, err
	}})
	if p.Multi && !p.Sensitive {
		actions = append(actions, action{"Add a value", func() ([]config.Mod, error) {
			v, err := c.askValue(ctx, p, spot)
			return []config.Mod{{Op: config.OpAdd, Property: p.Name, Value: v}}, err
		}})
		if len(current) > 0 && !p.Sensitive {
			actions = append(actions, action{"Remove a value", func() ([]config.Mod, error) {
				c.printf("\nSelect the value to remove:\n\n")
				i, err := c.menu(ctx, current, true)
				if err != nil {
					return nil, err
				}
				return []config.Mod{{Op: config.OpRemove, Property: p.Name, Value: current[i]}}, nil
			}})
		}
	}
	if !p.Mandatory && view.Object.Values[p.Name] != nil {
		actions = append(actions, action{"Reset to the default", func() ([]config.Mod, error) {
			return []config.Mod{{Op: config.OpReset, Property: p.Name}}, nil
		}})
	}
	var items []string
	for _, a := range actions {
		items = append(items, a.label)
	}
	i, err := c.menu(ctx, items, true)
	if err != nil {
		return nil, err
	}
	return actions[i].do()
}

// askValue reads one value of p, hidden when it is sensitive, and checks
// it at once against the property's syntax.
func (c *Console) askValue(ctx context.Context, p *config.PropertyDef, spot *interactive.Request) (string, error) {
	if ref, ok := p.Syntax.(config.Reference); ok {
		return c.askReference(ctx, p, ref, spot)
	}
	return c.Term.Ask(ctx, fmt.Sprintf("Enter a value of %s, or q to quit: ", p.Name), p.Sensitive, func(s string) (string, error) {
		return p.Syntax.Parse(s)
	})
}

// askReference offers the objects a reference property may name
// (interactive.Candidates, with those created on the spot for the pending
// changes), and a new one, added to spot (interactive.CreateNew). The store checks the
// reference again when the change is applied.
func (c *Console) askReference(ctx context.Context, p *config.PropertyDef, ref config.Reference, spot *interactive.Request) (string, error) {
	snap, err := c.Snapshot()
	if err != nil {
		return "", err
	}
	objs := interactive.Candidates(snap, spot, ref)
	var items []string
	for _, o := range objs {
		items = append(items, o.Name+"  ("+o.Label+")")
	}
	c.printf("\nSelect the value of %s:\n\n", p.Name)
	i, err := c.menu(ctx, append(items, "Create a new "+c.Registry.Kind(ref.Kind).Friendly), true)
	if err != nil {
		return "", err
	}
	if i < len(objs) {
		return objs[i].Name, nil
	}
	return interactive.CreateNew(ctx, c.Term, snap, spot, p, ref)
}

// withMods returns a copy of o with the pending modifications applied,
// for display only: the store applies them for real.
func withMods(o *config.Object, mods []config.Mod, t *config.Type) *config.Object {
	c := o.Clone()
	for _, m := range mods {
		switch m.Op {
		case config.OpReset:
			delete(c.Values, m.Property)
		case config.OpSet:
			c.Values[m.Property] = []string{m.Value}
		case config.OpAdd:
			vals := slices.Clone(config.View{Object: c, Type: t}.Values(m.Property))
			if !slices.Contains(vals, m.Value) {
				vals = append(vals, m.Value)
			}
			c.Values[m.Property] = vals
		case config.OpRemove:
			vals := slices.DeleteFunc(slices.Clone(config.View{Object: c, Type: t}.Values(m.Property)), func(v string) bool { return v == m.Value })
			if len(vals) == 0 {
				delete(c.Values, m.Property)
			} else {
				c.Values[m.Property] = vals
			}
		}
	}
	return c
}

// addPending adds m to the pending modifications. A new value or a reset
// replaces what was pending for the property; adding a value whose removal
// is pending cancels the removal, and the other way round.
func addPending(pending []config.Mod, m config.Mod) []config.Mod {
	if m.Op == config.OpSet || m.Op == config.OpReset {
		return append(slices.DeleteFunc(pending, func(old config.Mod) bool { return old.Property == m.Property }), m)
	}
	opposite := config.OpAdd
	if m.Op == config.OpAdd {
		opposite = config.OpRemove
	}
	i := slices.Index(pending, config.Mod{Op: opposite, Property: m.Property, Value: m.Value})
	if i >= 0 {
		return slices.Delete(pending, i, i+1)
	}
	if slices.Contains(pending, m) {
		return pending
	}
	return append(pending, m)
}

// commands are the equivalent commands of ch: those that create the
// objects created on the spot, then ch's own.
func commands(ch Change) []string {
	return append(interactive.NewCommands(ch.Created), batchfile.Format(ch.Args))
}

func display(v config.View, p *config.PropertyDef) string {
	vals := v.Values(p.Name)
	if p.Sensitive && len(vals) > 0 {
		return config.Mask
	}
	if len(vals) == 0 {
		return "-"
	}
	return strings.Join(vals, ", ")
}

// setPropArgs renders the pending modifications as a set-X-prop command
// line, in the documented order (resets, sets, removes, adds). A
// sensitive value becomes --set PROP (or --add PROP) and is returned in
// prompted instead.
func setPropArgs(k *config.Kind, name string, t *config.Type, pending []config.Mod) ([]string, []config.Mod) {
	args := []string{"set-" + k.Name + "-prop"}
	if !k.Singleton() {
		args = append(args, "--"+k.NamingArg, name)
	}
	var prompted []config.Mod
	for _, op := range []config.Op{config.OpReset, config.OpSet, config.OpRemove, config.OpAdd} {
		for _, m := range pending {
			if m.Op != op {
				continue
			}
			flag := map[config.Op]string{config.OpReset: "--reset", config.OpSet: "--set", config.OpRemove: "--remove", config.OpAdd: "--add"}[op]
			p := t.Property(m.Property)
			switch {
			case op == config.OpReset:
				args = append(args, flag, m.Property)
			case p != nil && p.Sensitive && op == config.OpSet:
				args = append(args, flag, m.Property)
				prompted = append(prompted, m)
			default:
				args = append(args, flag, m.Property+":"+m.Value)
			}
		}
	}
	return args, prompted
}
