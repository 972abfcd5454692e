// Package interactive completes a create-* or set-*-prop command at a
// terminal: it finds what the command lacks (the name, the type, a
// mandatory property), asks for it through prompt, and renders the
// equivalent non-interactive command, with secrets never in clear.
package interactive

import (
	"context"
	"errors"
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
	// Types, when set, are the types a create may pick: those a
	// reference property allows.
	Types []string
	// New are the objects created on the spot for reference properties,
	// each after the objects it refers to. They are created in the same
	// change as the request, so that leaving before it applies nothing.
	New []NewObject

	// parent is the request whose reference property this one creates
	// an object for.
	parent *Request
}

// NewObject is an object created on the spot: its create-* request and
// the values asked for it.
type NewObject struct {
	Request *Request
	Mods    []config.Mod
}

// root returns the request that holds the objects created on the spot.
func (r *Request) root() *Request {
	for r.parent != nil {
		r = r.parent
	}
	return r
}

// taken reports whether an object of kind named name exists or is to be
// created on the spot.
func (r *Request) taken(snap *config.Snapshot, kind, name string) bool {
	if snap.State.Get(kind, name) != nil {
		return true
	}
	return slices.ContainsFunc(r.root().New, func(n NewObject) bool {
		return n.Request.Kind.Name == kind && n.Request.Name == name
	})
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

// Missing returns the properties of t that the request must give and
// does not: the mandatory ones, in the store's order, then those that
// t's own checks require given the values set (a client secret's
// provider with basic-authorization, say).
func (r *Request) Missing(t *config.Type) []*config.PropertyDef {
	return r.missing(t, nil)
}

// missing is Missing once the values asked for so far are added.
func (r *Request) missing(t *config.Type, asked []config.Mod) []*config.PropertyDef {
	given := r.Given()
	for _, m := range asked {
		given = append(given, m.Property)
	}
	var missing []*config.PropertyDef
	for _, p := range t.AllProperties() {
		if p.Mandatory && !slices.Contains(given, p.Name) {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 || t.Check == nil {
		return missing
	}
	obj := &config.Object{Kind: r.Kind.Name, Type: t.Name, Name: r.Name, Values: r.values(t, asked)}
	for _, err := range t.Check(config.View{Object: obj, Type: t}) {
		var m *config.MissingError
		if errors.As(err, &m) && !slices.Contains(given, m.Property) {
			if p := t.Property(m.Property); p != nil {
				missing = append(missing, p)
			}
		}
	}
	return missing
}

// values are the values the request sets, as far as t's checks need
// them: a valid value as given, a value from a file or a prompt as a
// placeholder (its content is not read here), and the values asked for.
func (r *Request) values(t *config.Type, asked []config.Mod) map[string][]string {
	const placeholder = "(given)"
	vals := map[string][]string{}
	add := func(prop, v string) {
		p := t.Property(prop)
		if p == nil {
			return
		}
		if c, err := p.Syntax.Parse(v); err == nil {
			vals[prop] = append(vals[prop], c)
		} else if p.Sensitive {
			vals[prop] = append(vals[prop], placeholder)
		}
	}
	for _, a := range append(append([]string(nil), r.Set...), r.Add...) {
		if prop, _, ok := config.FileRef(a); ok {
			add(prop, placeholder)
			continue
		}
		prop, v, ok := strings.Cut(a, ":")
		if !ok {
			v = placeholder // a sensitive property prompted for
		}
		add(strings.TrimSpace(prop), v)
	}
	for _, a := range r.SetFromFile {
		prop, _, _ := strings.Cut(a, ":")
		add(strings.TrimSpace(prop), placeholder)
	}
	for _, m := range asked {
		add(m.Property, m.Value)
	}
	return vals
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
		var types []*config.Type
		var choices []prompt.Choice
		for _, t := range k.Types() {
			if len(r.Types) == 0 || slices.Contains(r.Types, t.Name) {
				types = append(types, t)
				choices = append(choices, prompt.Choice{Name: t.Name, Synopsis: t.Synopsis})
			}
		}
		i, err := term.Choose(ctx, fmt.Sprintf("Select the type of %s to create:", k.Friendly), choices)
		if err != nil {
			return nil, err
		}
		r.Type = types[i].Name
	}
	t := k.Type(r.Type)
	if t == nil {
		return nil, nil // the command reports the unknown type
	}
	var mods []config.Mod
	// Each round gives at least one more property a value, and an answer
	// can make another property needed (private-key-jwt needs a key).
	for range len(t.AllProperties()) {
		missing := r.missing(t, mods)
		if len(missing) == 0 {
			break
		}
		for _, p := range missing {
			v, err := askProperty(ctx, term, snap, r, p)
			if err != nil {
				return nil, err
			}
			mods = append(mods, config.Mod{Op: config.OpSet, Property: p.Name, Value: v})
		}
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
			if r.taken(snap, k.Name, s) {
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
func askProperty(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, r *Request, p *config.PropertyDef) (string, error) {
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
		return askReference(ctx, term, snap, r, p, ref)
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

// Candidate is an object a reference property may name.
type Candidate struct {
	Name string
	// Label is its type, and whether it is created with this change.
	Label string
}

// Candidates are the objects ref may name, of the types it allows: those
// in snap, then those r's change creates on the spot.
func Candidates(snap *config.Snapshot, r *Request, ref config.Reference) []Candidate {
	var out []Candidate
	offer := func(name, typ, note string) {
		if len(ref.Types) == 0 || slices.Contains(ref.Types, typ) {
			out = append(out, Candidate{Name: name, Label: typ + note})
		}
	}
	for _, o := range snap.State.List(ref.Kind) {
		offer(o.Name, o.Type, "")
	}
	for _, n := range r.root().New {
		if n.Request.Kind.Name == ref.Kind {
			offer(n.Request.Name, n.Request.Type, ", created with this change")
		}
	}
	return out
}

// askReference offers the Candidates of a reference property, and a new
// object, created on the spot (see CreateNew). It returns the name
// picked.
func askReference(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, r *Request, p *config.PropertyDef, ref config.Reference) (string, error) {
	objs := Candidates(snap, r, ref)
	var choices []prompt.Choice
	for _, o := range objs {
		choices = append(choices, prompt.Choice{Name: o.Name, Synopsis: o.Label})
	}
	k := snap.Registry.Kind(ref.Kind)
	choices = append(choices, prompt.Choice{Name: "Create a new " + k.Friendly})
	i, err := term.Choose(ctx, fmt.Sprintf("Select the value of %s:", p.Name), choices)
	if err != nil {
		return "", err
	}
	if i < len(objs) {
		return objs[i].Name, nil
	}
	return CreateNew(ctx, term, snap, r, p, ref)
}

// CreateNew asks for a new object that the reference property p of r may
// name, as create-* would: its name, its type (one ref allows) and its
// mandatory properties, with references of its own offered in turn. It
// adds the object to r's root.New, after any it needs, and returns its
// name. Nothing is created until the root request is applied.
func CreateNew(ctx context.Context, term *prompt.Terminal, snap *config.Snapshot, r *Request, p *config.PropertyDef, ref config.Reference) (string, error) {
	k := snap.Registry.Kind(ref.Kind)
	fmt.Fprintf(term.Out, "\n>>>> Create a new %s for %s\n", k.Friendly, p.Name)
	n := &Request{Kind: k, Create: true, Types: ref.Types, parent: r}
	mods, err := Fill(ctx, term, snap, n)
	if err != nil {
		return "", err
	}
	root := r.root()
	root.New = append(root.New, NewObject{Request: n, Mods: mods})
	fmt.Fprintf(term.Out, "\nThe %s %q will be created with this change\n", k.Friendly, n.Name)
	return n.Name, nil
}

// Commands renders the equivalent non-interactive commands of the
// completed request: those that create the objects created on the spot,
// in order, then the request's own (see command).
func Commands(r *Request, prompted []config.Mod) []string {
	return append(NewCommands(r.New), command(r, prompted))
}

// NewCommands renders the create-* commands of objects created on the
// spot.
func NewCommands(objs []NewObject) []string {
	var out []string
	for _, n := range objs {
		out = append(out, command(n.Request, n.Mods))
	}
	return out
}

// ShowCommands prints the equivalent non-interactive commands before the
// question that applies them.
func ShowCommands(term *prompt.Terminal, cmds []string) {
	if len(cmds) == 1 {
		fmt.Fprintf(term.Out, "\nThe equivalent non-interactive command:\n\n  %s\n\n", cmds[0])
		return
	}
	fmt.Fprintf(term.Out, "\nThe equivalent non-interactive commands, to run in this order:\n\n")
	for _, c := range cmds {
		fmt.Fprintf(term.Out, "  %s\n", c)
	}
	fmt.Fprintln(term.Out)
}

// command renders the equivalent non-interactive command of the
// completed request and the prompted values, as one line for a shell or
// a batch file. A sensitive value is never shown: a prompted or clear
// one becomes --set PROP (which prompts for it), a file reference stays
// one.
func command(r *Request, prompted []config.Mod) string {
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
