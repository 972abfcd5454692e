package config

import (
	"fmt"
	"slices"
	"strings"
)

// Op is a kind of property modification. The constants are in the order
// in which one command applies them: resets, then sets, then removes, then
// adds, as in the dsconfig family.
type Op int

const (
	OpReset Op = iota
	OpSet
	OpRemove
	OpAdd
)

var opFlags = [...]string{"reset", "set", "remove", "add"}

func (op Op) String() string { return opFlags[op] }

// Mod is one --set, --add, --remove or --reset argument.
type Mod struct {
	Op       Op
	Property string
	Value    string // empty for OpReset
}

// ParseMods reads property arguments. Each is split on its first colon
// only, so that values may contain colons (URLs) and commas. Errors show
// no part of a malformed argument: without the registry nothing tells a
// property name from a secret; Registry.ParseMods can tell.
func ParseMods(set, add, remove, reset []string) ([]Mod, error) {
	return parseMods(func(string) bool { return false }, set, add, remove, reset)
}

// ParseMods is the package ParseMods whose errors may repeat the part of a
// malformed argument that is a property name of some type in r.
func (r *Registry) ParseMods(set, add, remove, reset []string) ([]Mod, error) {
	return parseMods(r.IsPropertyName, set, add, remove, reset)
}

// IsPropertyName reports whether name is a property of any type in r.
func (r *Registry) IsPropertyName(name string) bool {
	for _, k := range r.kinds {
		for _, t := range k.types {
			if t.Property(name) != nil {
				return true
			}
		}
	}
	return false
}

// parseMods parses the arguments; known says which words are property
// names, the only part of a malformed argument an error may repeat.
func parseMods(known func(string) bool, set, add, remove, reset []string) ([]Mod, error) {
	var mods []Mod
	for _, r := range reset {
		if name, _, ok := strings.Cut(r, ":"); ok {
			if !known(name) {
				name = ""
			}
			// The value is left out: it may be a secret.
			return nil, usageErr("write --reset with the property name alone, or use --set to give a value",
				"%q: the argument \"--reset\" resets the property to its default value; it cannot be used to set a property to a given value", "--reset "+name+":...")
		}
		mods = append(mods, Mod{Op: OpReset, Property: r})
	}
	for _, group := range []struct {
		op   Op
		args []string
	}{{OpSet, set}, {OpRemove, remove}, {OpAdd, add}} {
		for _, a := range group.args {
			m, err := parseMod(known, group.op, a)
			if err != nil {
				return nil, err
			}
			mods = append(mods, m)
		}
	}
	return mods, nil
}

func parseMod(known func(string) bool, op Op, arg string) (Mod, error) {
	name, value, ok := strings.Cut(arg, ":")
	const syntax = "The argument should have the following syntax: property:value"
	switch {
	case !ok:
		return Mod{}, usageErr("", "The property argument %q does not contain a name/value separator. %s", shownArg(known, arg), syntax)
	case name == "":
		return Mod{}, usageErr("", "The property argument %q does not contain a property name. %s", shownArg(known, arg), syntax)
	case value == "":
		hint := ""
		if op == OpSet && known(name) {
			hint = fmt.Sprintf("to remove every value, use --reset %s", name)
		}
		return Mod{}, usageErr(hint, "The property argument %q does not contain a property value. %s", shownArg(known, arg), syntax)
	}
	return Mod{Op: op, Property: strings.TrimSpace(name), Value: value}, nil
}

// shownArg is what an error may repeat of a malformed property argument:
// the part that can be a property name, up to the first "=", space or
// ":". What follows may be a secret typed with the wrong separator
// (password=hunter2) or without a name (:hunter2), so it becomes "...".
// A part that is not a known property name may be a secret that lost its
// name (--set hunter2xyz): it is not shown either.
func shownArg(known func(string) bool, arg string) string {
	i := strings.IndexAny(arg, "= :")
	if i < 0 {
		i = len(arg)
	}
	name, rest := arg[:i], arg[i:]
	if !known(name) {
		name = ""
	}
	switch {
	case rest == "" && name != "":
		return name
	case rest == ":" && name != "":
		return arg
	case strings.HasPrefix(rest, ":"):
		return name + ":..."
	}
	return name + "..."
}

// Sealer turns a sensitive clear-text value into the form the store keeps.
type Sealer interface {
	Seal(property, plain string) (string, error)
}

// Apply performs mods on o, which is of type t. creating allows read-only
// properties to be set. Usage errors (unknown properties, conflicting
// modifications) are returned at once; every other problem is collected
// into a validationError so the user sees them all.
func Apply(t *Type, o *Object, mods []Mod, creating bool, sealer Sealer) error {
	if err := checkModTargets(t, mods); err != nil {
		return err
	}
	a := applier{t: t, o: o, sealer: sealer, creating: creating, setOnce: map[string]bool{}}
	for _, m := range mods {
		a.apply(m)
	}
	if len(a.problems) > 0 {
		return &validationError{Problems: a.problems}
	}
	return nil
}

func checkModTargets(t *Type, mods []Mod) error {
	setProps := map[string]bool{}
	for _, m := range mods {
		if m.Property == "type" {
			return usageErr("the type is chosen with --type when the object is created; delete and create it again to change it",
				"the property \"type\" cannot be set or reset")
		}
		if t.Property(m.Property) == nil {
			return UnknownProperty(t, m.Property)
		}
		if m.Op == OpSet {
			setProps[m.Property] = true
		}
	}
	for _, m := range mods {
		if (m.Op == OpAdd || m.Op == OpRemove) && setProps[m.Property] {
			return usageErr("use either --set or --add/--remove for one property in one command",
				"The property modification \"--%s %s:%s\" is incompatible with another modification to the same property",
				m.Op, m.Property, maskIf(t.Property(m.Property), m.Value))
		}
	}
	return nil
}

// UnknownProperty is the usage error for a property that t does not have,
// with a did-you-mean suggestion.
func UnknownProperty(t *Type, name string) error {
	what := t.Name + " " + t.kind.Friendly
	if t.kind.Singleton() {
		what = "the " + t.kind.Friendly
	}
	list := "dsconfig list-properties --object-type " + t.kind.Name
	if t.Name != "" {
		list += " --type " + t.Name
	}
	hint := fmt.Sprintf("run '%s' to see the valid properties", list)
	if s := suggest(name, propertyNames(t.AllProperties())); s != "" {
		hint = fmt.Sprintf("did you mean %q? '%s' lists the valid properties", s, list)
	}
	return usageErr(hint, "The property %q is not a recognized property of %s", name, what)
}

type applier struct {
	t        *Type
	o        *Object
	sealer   Sealer
	creating bool
	setOnce  map[string]bool
	problems []error
}

func (a *applier) fail(hint, format string, args ...any) {
	a.problems = append(a.problems, problem(hint, format, args...))
}

func (a *applier) apply(m Mod) {
	p := a.t.Property(m.Property)
	if p.ReadOnly && !a.creating {
		a.fail("delete the object and create it again with the new value",
			"The %q property must not be modified as it is read-only", p.Name)
		return
	}
	if m.Op == OpReset {
		a.reset(p)
		return
	}
	// A value being removed need only be one the store may hold.
	v, ok := a.parse(p, m.Value, m.Op != OpRemove)
	if !ok {
		return
	}
	switch m.Op {
	case OpSet:
		a.set(p, v)
	case OpRemove:
		a.remove(p, v)
	case OpAdd:
		a.add(p, v)
	}
}

func (a *applier) reset(p *PropertyDef) {
	if p.Mandatory {
		a.fail("use --set to give it a new value", "The %q property is mandatory and cannot be reset", p.Name)
		return
	}
	delete(a.o.Values, p.Name)
}

// parse checks v against the property's syntax (its stricter rule for
// new values when strict) and, for a sensitive property, seals it.
func (a *applier) parse(p *PropertyDef, v string, strict bool) (string, bool) {
	parse := p.Syntax.Parse
	if s, ok := p.Syntax.(StrictSyntax); ok && strict {
		parse = s.ParseNew
	}
	c, err := parse(v)
	if err != nil {
		a.problems = append(a.problems, &propertyError{classed{ErrRejected}, p, maskIf(p, v), err})
		return "", false
	}
	if !p.Sensitive {
		return c, true
	}
	if IsSealed(c) {
		return a.acceptSealed(p, c)
	}
	if a.sealer == nil {
		a.fail("", "the %q property is sensitive and cannot be stored here", p.Name)
		return "", false
	}
	sealed, err := a.sealer.Seal(p.Name, c)
	if err != nil {
		a.fail("", "the %q property could not be encrypted for the store: %v", p.Name, err)
		return "", false
	}
	return sealed, true
}

// opener opens sealed values; the store's KeyFile is one.
type opener interface {
	Open(property, sealed string) (string, error)
}

// acceptSealed takes a value given in sealed form, as the audit log,
// export-config and config-diff write it, so that those files replay. It
// is kept as given only if it opens under this store's key for this
// property: a value sealed elsewhere would be unreadable later.
func (a *applier) acceptSealed(p *PropertyDef, v string) (string, bool) {
	op, ok := a.sealer.(opener)
	if !ok {
		a.fail("", "the %q property cannot take a value in encrypted form here", p.Name)
		return "", false
	}
	if _, err := op.Open(p.Name, v); err != nil {
		a.fail("give the value in clear text, or copy the encryption-key file from the store the value came from",
			"the %q property was given an encrypted value that does not open with this store's key: %v", p.Name, err)
		return "", false
	}
	return v, true
}

func (a *applier) set(p *PropertyDef, v string) {
	if !a.setOnce[p.Name] {
		a.setOnce[p.Name] = true
		a.o.Values[p.Name] = []string{v}
		return
	}
	if !p.Multi {
		a.fail("give the property once; it takes a single value", "The %q property must not contain more than one value", p.Name)
		return
	}
	if !slices.Contains(a.o.Values[p.Name], v) {
		a.o.Values[p.Name] = append(a.o.Values[p.Name], v)
	}
}

func (a *applier) remove(p *PropertyDef, v string) {
	if p.Sensitive {
		a.fail(fmt.Sprintf("use --reset %s", p.Name), "the %q property is sensitive; its value cannot be removed by value", p.Name)
		return
	}
	cur, ok := a.o.Values[p.Name]
	if !ok {
		cur = p.Default
	}
	i := slices.Index(cur, v)
	if i < 0 {
		a.fail("", "The value %q for the %q property does not exist", v, p.Name)
		return
	}
	if !p.Multi {
		// A single-valued property without its value is the property
		// reset: to its default, or refused if it is mandatory.
		a.reset(p)
		return
	}
	a.o.Values[p.Name] = slices.Delete(slices.Clone(cur), i, i+1)
	if len(a.o.Values[p.Name]) == 0 && len(p.Default) == 0 {
		// No values and no default is the unset property: keep one
		// spelling of it, so that every state can be written as commands.
		delete(a.o.Values, p.Name)
	}
}

func (a *applier) add(p *PropertyDef, v string) {
	cur, explicit := a.o.Values[p.Name]
	if !p.Multi && explicit && len(cur) > 0 {
		a.fail(fmt.Sprintf("use --set %s:VALUE to replace it", p.Name), "The %q property must not contain more than one value", p.Name)
		return
	}
	if !explicit {
		cur = slices.Clone(p.Default)
		if !p.Multi {
			cur = nil
		}
	}
	if !slices.Contains(cur, v) {
		cur = append(cur, v)
	}
	a.o.Values[p.Name] = cur
}

// Mask is what output shows in place of a sensitive value.
const Mask = "*****"

// valueMasker is a syntax whose values may hold a secret part that
// messages must not repeat (a password in a URL).
type valueMasker interface{ MaskValue(v string) string }

// maskIf is v as a message may show it: masked whole for a sensitive
// property, with its secret part masked for a syntax that has one.
func maskIf(p *PropertyDef, v string) string {
	if p == nil {
		return v
	}
	if p.Sensitive {
		return Mask
	}
	if m, ok := p.Syntax.(valueMasker); ok {
		return m.MaskValue(v)
	}
	return v
}

// FileRef reports whether a --set or --add argument is PingDirectory's
// PROP<PATH, which reads the value from the file PATH, and splits it. An
// argument whose first ":" comes before its first "<" is PROP:VALUE, so a
// value may contain "<" as before.
func FileRef(arg string) (prop, path string, ok bool) {
	i := strings.IndexByte(arg, '<')
	if i < 0 {
		return "", "", false
	}
	if c := strings.IndexByte(arg, ':'); c >= 0 && c < i {
		return "", "", false
	}
	prop = strings.TrimSpace(arg[:i])
	if prop == "" || strings.ContainsAny(prop, " \t") {
		return "", "", false
	}
	return prop, arg[i+1:], true
}
