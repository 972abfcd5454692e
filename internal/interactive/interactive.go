// Package interactive completes a create-* or set-*-prop command at a
// terminal: it finds what the command lacks (the name, the type, a
// mandatory property), asks for it through prompt, and renders the
// equivalent non-interactive command, with secrets never in clear.
package interactive

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
)

// Request is a create-* (Create true) or set-*-prop command as given on
// the command line.
type Request struct {
	Kind   *config.Kind
	Create bool
	// Name is the object's name; NameGiven is whether the naming
	// argument was on the command line (perhaps empty).
	Name      string
	NameGiven bool
	Type      string
	// Set, Add, Remove, Reset and SetFromFile are the property
	// arguments as given.
	Set, Add, Remove, Reset, SetFromFile []string
}

// Given returns the names of the properties the property arguments set
// or add a value to.
func (r *Request) Given() []string {
	var names []string
	for _, a := range append(append([]string(nil), r.Set...), r.Add...) {
		if p, _, ok := config.FileRef(a); ok {
			names = append(names, p)
			continue
		}
		p, _, _ := strings.Cut(a, ":")
		names = append(names, strings.TrimSpace(p))
	}
	for _, a := range r.SetFromFile {
		p, _, _ := strings.Cut(a, ":")
		names = append(names, strings.TrimSpace(p))
	}
	return names
}

// Missing returns the mandatory properties of t that the request gives
// no value, in the store's order.
func (r *Request) Missing(t *config.Type) []*config.PropertyDef {
	given := r.Given()
	var missing []*config.PropertyDef
	for _, p := range t.AllProperties() {
		if p.Mandatory && !slices.Contains(given, p.Name) {
			missing = append(missing, p)
		}
	}
	return missing
}

// Lacks reports whether the request lacks something a prompt could give:
// the name, or for a create the type or a mandatory property. A type
// that does not exist is not lacking: its error is the answer.
func (r *Request) Lacks() bool {
	if !r.Kind.Singleton() && !r.NameGiven {
		return true
	}
	if !r.Create {
		return false
	}
	if r.Type == "" {
		return true
	}
	t := r.Kind.Type(r.Type)
	return t != nil && len(r.Missing(t)) > 0
}

// Fill asks for what the request lacks and returns the values of the
// mandatory properties asked for; it sets r.Name and r.Type. snap lists
// the existing objects, offered for the name of set-*-prop and for
// reference properties. Answering q returns prompt.ErrQuit.
func Fill(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, r *Request) ([]config.Mod, error) {
	k := r.Kind
	if !k.Singleton() && !r.NameGiven {
		name, err := askName(ctx, term, snap, r)
		if err != nil {
			return nil, err
		}
		r.Name, r.NameGiven = name, true
	}
	if !r.Create {
		return nil, nil
	}
	if r.Type == "" {
		var choices []prompt.Choice
		for _, t := range k.Types() {
			choices = append(choices, prompt.Choice{Name: t.Name, Synopsis: t.Synopsis})
		}
		i, err := term.Choose(ctx, fmt.Sprintf("Select the type of %s to create:", k.Friendly), choices)
		if err != nil {
			return nil, err
		}
		r.Type = k.Types()[i].Name
	}
	t := k.Type(r.Type)
	if t == nil {
		return nil, nil // the command reports the unknown type
	}
	var mods []config.Mod
	for _, p := range r.Missing(t) {
		v, err := askProperty(ctx, term, snap, p)
		if err != nil {
			return nil, err
		}
		mods = append(mods, config.Mod{Op: config.OpSet, Property: p.Name, Value: v})
	}
	return mods, nil
}

func askName(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, r *Request) (string, error) {
	k := r.Kind
	if r.Create {
		fmt.Fprintf(term.Out, "\nThe name of the new %s (--%s).\n", k.Friendly, k.NamingArg)
		return term.Ask(ctx, "Enter the name, or q to quit: ", false, func(s string) (string, error) {
			if err := config.CheckName(k, s); err != nil {
				return "", err
			}
			if snap.State.Get(k.Name, s) != nil {
				return "", fmt.Errorf("the %s %q already exists", k.Friendly, s)
			}
			return s, nil
		})
	}
	objs := snap.State.List(k.Name)
	if len(objs) == 0 {
		return "", fmt.Errorf("there is no %s to modify", k.Friendly)
	}
	var choices []prompt.Choice
	for _, o := range objs {
		choices = append(choices, prompt.Choice{Name: o.Name, Synopsis: o.Type})
	}
	i, err := term.Choose(ctx, fmt.Sprintf("Select the %s to modify (--%s):", k.Friendly, k.NamingArg), choices)
	if err != nil {
		return "", err
	}
	return objs[i].Name, nil
}

// askProperty prompts for one mandatory property, describing it first,
// and checks the answer at once against the property's syntax.
func askProperty(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, p *config.PropertyDef) (string, error) {
	fmt.Fprintf(term.Out, "\nProperty %s: %s\n  Syntax:  %s\n", p.Name, p.Synopsis, p.Syntax.Describe())
	def := ""
	switch {
	case len(p.Default) > 0:
		def = strings.Join(p.Default, ", ")
		fmt.Fprintf(term.Out, "  Default: %s\n", def)
	case p.DefaultText != "":
		fmt.Fprintf(term.Out, "  Default: %s\n", p.DefaultText)
	}
	if ref, ok := p.Syntax.(config.Reference); ok {
		return askReference(ctx, term, snap, p, ref)
	}
	question := fmt.Sprintf("Enter the value of %s, or q to quit: ", p.Name)
	if def != "" {
		question = fmt.Sprintf("Enter the value of %s [%s], or q to quit: ", p.Name, def)
	}
	return term.Ask(ctx, question, p.Sensitive, func(s string) (string, error) {
		if s == "" && def != "" && !p.Multi {
			return p.Default[0], nil
		}
		v, err := p.Syntax.Parse(s)
		if err != nil {
			return "", err
		}
		return v, nil
	})
}

// askReference offers the existing objects a reference property may
// name.
func askReference(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, p *config.PropertyDef, ref config.Reference) (string, error) {
	var objs []*config.Object
	for _, o := range snap.State.List(ref.Kind) {
		if len(ref.Types) == 0 || slices.Contains(ref.Types, o.Type) {
			objs = append(objs, o)
		}
	}
	if len(objs) == 0 {
		return "", fmt.Errorf("%s must be %s, and there is none: create one first", p.Name, ref.Describe())
	}
	var choices []prompt.Choice
	for _, o := range objs {
		choices = append(choices, prompt.Choice{Name: o.Name, Synopsis: o.Type})
	}
	i, err := term.Choose(ctx, fmt.Sprintf("Select the value of %s:", p.Name), choices)
	if err != nil {
		return "", err
	}
	return objs[i].Name, nil
}

// Command renders the equivalent non-interactive command of the
// completed request and the prompted values, as one line for a shell or
// a batch file. A sensitive value is never shown: a prompted or clear
// one becomes --set PROP (which prompts for it), a file reference stays
// one.
func Command(r *Request, prompted []config.Mod) string {
	k := r.Kind
	var t *config.Type
	verb := "set-" + k.Name + "-prop"
	if r.Create {
		verb = "create-" + k.Name
		t = k.Type(r.Type)
	}
	sensitive := func(prop string) bool { return k.IsSensitive(t, prop) }
	args := []string{verb}
	if !k.Singleton() {
		args = append(args, "--"+k.NamingArg, r.Name)
	}
	if r.Create {
		args = append(args, "--type", r.Type)
	}
	for _, a := range r.Reset {
		args = append(args, "--reset", a)
	}
	value := func(op, a string) []string {
		if _, _, ok := config.FileRef(a); ok {
			return []string{op, a}
		}
		prop, v, ok := strings.Cut(a, ":")
		prop = strings.TrimSpace(prop)
		if ok && sensitive(prop) && !config.IsSealed(v) {
			return []string{op, prop}
		}
		return []string{op, a}
	}
	for _, a := range r.Set {
		args = append(args, value("--set", a)...)
	}
	for _, m := range prompted {
		if sensitive(m.Property) {
			args = append(args, "--set", m.Property)
			continue
		}
		args = append(args, "--set", m.Property+":"+m.Value)
	}
	for _, a := range r.SetFromFile {
		args = append(args, "--set-from-file", a)
	}
	for _, a := range r.Remove {
		args = append(args, value("--remove", a)...)
	}
	for _, a := range r.Add {
		args = append(args, value("--add", a)...)
	}
	return batchfile.Format(args)
}
