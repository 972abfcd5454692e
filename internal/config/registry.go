package config

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// PropertyDef defines one property: its name, what it means and which
// values it takes. It is the single source of that knowledge: parsing,
// validation, help, completion, docs, output order and redaction all read
// it from here.
type PropertyDef struct {
	Name     string
	Synopsis string // one sentence
	Syntax   Syntax

	Multi     bool     // multi-valued
	Ordered   bool     // multi-valued and the order matters (failover lists)
	Mandatory bool     // must have a value; has no default
	ReadOnly  bool     // can be set at creation only
	Advanced  bool     // shown only with --advanced
	Sensitive bool     // stored sealed, shown masked
	Default   []string // canonical default values, if any
	// DefaultText describes the behaviour when no value is set and there
	// is no default value, e.g. "the system trust store".
	DefaultText string
	// Note is an extra remark for the reference docs, e.g. a difference
	// from PingDirectory.
	Note string
}

// Kind is a kind of configuration object with its own subcommands, such as
// passphrase-provider. Its concrete Types are contributed by the domain
// packages.
type Kind struct {
	Name      string // passphrase-provider
	Plural    string // passphrase-providers
	Friendly  string // Passphrase Provider
	NamingArg string // provider-name; empty for a singleton
	Synopsis  string
	// Common properties are shared by every type of the kind.
	Common []*PropertyDef

	types []*Type
}

// Singleton reports whether there is exactly one object of this kind, with
// no name and no type (the global configuration).
func (k *Kind) Singleton() bool { return k.NamingArg == "" }

// Types returns the concrete types of the kind in registration order.
func (k *Kind) Types() []*Type { return k.types }

// IsSensitive reports whether prop is a sensitive property of t, or, when
// t is nil (set-prop learns an object's type only from the store), of
// some type of k.
func (k *Kind) IsSensitive(t *Type, prop string) bool {
	types := k.types
	if t != nil {
		types = []*Type{t}
	}
	for _, t := range types {
		if p := t.Property(prop); p != nil && p.Sensitive {
			return true
		}
	}
	return false
}

// Type returns the named type, or nil.
func (k *Kind) Type(name string) *Type {
	for _, t := range k.types {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// TypeNames lists the names of the kind's types.
func (k *Kind) TypeNames() []string {
	var names []string
	for _, t := range k.types {
		names = append(names, t.Name)
	}
	return names
}

// Type is a concrete type of a Kind, the value of --type.
type Type struct {
	Kind       string // the Kind's name
	Name       string // environment-variable; empty for a singleton
	Synopsis   string
	Properties []*PropertyDef // in addition to the kind's common ones
	// Warning is shown whenever an object of this type is created, e.g.
	// for a trust manager that trusts everything.
	Warning string
	// Check enforces rules that involve more than one property of one
	// object. It returns one error per problem.
	Check func(v View) []error

	kind *Kind
	// byName indexes AllProperties; addType builds it. Property is called
	// for every value in Validate and View, so it must not allocate. A
	// Type made outside a Registry has none and is scanned instead.
	byName map[string]*PropertyDef
	// all is AllProperties, built by addType: Validate asks for it for
	// every object.
	all []*PropertyDef
}

// Of returns the Kind the type belongs to.
func (t *Type) Of() *Kind { return t.kind }

// AllProperties returns the kind's common properties and then the type's
// own, which is the order used in the store. The slice is shared: callers
// must not modify it.
func (t *Type) AllProperties() []*PropertyDef {
	if t.all != nil {
		return slices.Clip(t.all)
	}
	var common []*PropertyDef
	if t.kind != nil { // nil for a Type made outside a Registry
		common = t.kind.Common
	}
	return append(append([]*PropertyDef(nil), common...), t.Properties...)
}

// SortedProperties returns AllProperties sorted by name, the order of
// get-prop output.
func (t *Type) SortedProperties() []*PropertyDef {
	ps := slices.Clone(t.AllProperties())
	sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	return ps
}

// Property returns the named property or nil.
func (t *Type) Property(name string) *PropertyDef {
	if t.byName != nil {
		return t.byName[name]
	}
	for _, p := range t.AllProperties() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Registry holds every kind and type. It is built once per process from
// the domain packages' types and never changes afterwards.
type Registry struct {
	kinds    []*Kind
	builtins []*Object // see builtin.go
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// NewRegistry builds a registry from the kinds and the types contributed
// for them. It refuses broken definitions, so that a mistake fails at
// start-up and in tests rather than in front of a user.
func NewRegistry(kinds []*Kind, types ...[]*Type) (*Registry, error) {
	r := &Registry{}
	for _, k := range kinds {
		if err := checkKind(k); err != nil {
			return nil, err
		}
		if r.Kind(k.Name) != nil {
			return nil, fmt.Errorf("registry: kind %q registered twice", k.Name)
		}
		kc := *k
		kc.types = nil
		r.kinds = append(r.kinds, &kc)
	}
	for _, ts := range types {
		for _, t := range ts {
			if err := r.addType(t); err != nil {
				return nil, err
			}
		}
	}
	return r, r.checkReferences()
}

func checkKind(k *Kind) error {
	for _, n := range []string{k.Name, k.Plural} {
		if !nameRE.MatchString(n) {
			return fmt.Errorf("registry: bad kind name %q", n)
		}
	}
	if k.Friendly == "" || k.Synopsis == "" {
		return fmt.Errorf("registry: kind %q needs a friendly name and a synopsis", k.Name)
	}
	return checkProperties(k.Name, k.Common, nil)
}

func (r *Registry) addType(t *Type) error {
	k := r.Kind(t.Kind)
	if k == nil {
		return fmt.Errorf("registry: type %q names unknown kind %q", t.Name, t.Kind)
	}
	if k.Singleton() != (t.Name == "") {
		return fmt.Errorf("registry: type %q of kind %q: only singletons have unnamed types", t.Name, k.Name)
	}
	if t.Name != "" && !nameRE.MatchString(t.Name) {
		return fmt.Errorf("registry: bad type name %q", t.Name)
	}
	if k.Type(t.Name) != nil || (k.Singleton() && len(k.types) > 0) {
		return fmt.Errorf("registry: type %q of kind %q registered twice", t.Name, k.Name)
	}
	if err := checkProperties(k.Name+"/"+t.Name, t.Properties, k.Common); err != nil {
		return err
	}
	tc := *t
	tc.kind = k
	tc.byName = map[string]*PropertyDef{}
	tc.all = append(append([]*PropertyDef(nil), k.Common...), t.Properties...)
	for _, p := range tc.AllProperties() {
		tc.byName[p.Name] = p
	}
	k.types = append(k.types, &tc)
	return nil
}

func checkProperties(where string, ps, inherited []*PropertyDef) error {
	seen := map[string]bool{}
	for _, p := range inherited {
		seen[p.Name] = true
	}
	for _, p := range ps {
		if err := checkProperty(p); err != nil {
			return fmt.Errorf("registry: %s: %w", where, err)
		}
		if seen[p.Name] || p.Name == "type" {
			return fmt.Errorf("registry: %s: property %q defined twice or reserved", where, p.Name)
		}
		seen[p.Name] = true
	}
	return nil
}

func checkProperty(p *PropertyDef) error {
	switch {
	case !nameRE.MatchString(p.Name):
		return fmt.Errorf("bad property name %q", p.Name)
	case p.Syntax == nil:
		return fmt.Errorf("property %q has no syntax", p.Name)
	case !isSentence(p.Synopsis):
		return fmt.Errorf("property %q: synopsis must be one sentence ending in a period", p.Name)
	case p.Mandatory && len(p.Default) > 0:
		return fmt.Errorf("property %q: mandatory properties have no default", p.Name)
	case p.Ordered && !p.Multi:
		return fmt.Errorf("property %q: only multi-valued properties can be ordered", p.Name)
	case len(p.Default) > 1 && !p.Multi:
		return fmt.Errorf("property %q: more than one default for a single-valued property", p.Name)
	}
	if _, ok := p.Syntax.(Secret); ok != p.Sensitive {
		return fmt.Errorf("property %q: sensitive exactly when its syntax is Secret", p.Name)
	}
	for _, d := range p.Default {
		if c, err := p.Syntax.Parse(d); err != nil || c != d {
			return fmt.Errorf("property %q: default %q is not in canonical form", p.Name, d)
		}
	}
	return nil
}

func isSentence(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && strings.HasSuffix(s, ".") && !strings.Contains(strings.TrimSuffix(s, "."), ". ")
}

func (r *Registry) checkReferences() error {
	for _, k := range r.kinds {
		if len(k.types) == 0 {
			return fmt.Errorf("registry: kind %q has no types", k.Name)
		}
		for _, t := range k.types {
			for _, p := range t.AllProperties() {
				if err := r.checkReference(p); err != nil {
					return fmt.Errorf("registry: %s/%s: %w", k.Name, t.Name, err)
				}
			}
		}
	}
	return nil
}

func (r *Registry) checkReference(p *PropertyDef) error {
	ref, ok := p.Syntax.(Reference)
	if !ok {
		return nil
	}
	k := r.Kind(ref.Kind)
	if k == nil {
		return fmt.Errorf("property %q refers to unknown kind %q", p.Name, ref.Kind)
	}
	for _, tn := range ref.Types {
		if k.Type(tn) == nil {
			return fmt.Errorf("property %q refers to unknown type %q of %q", p.Name, tn, ref.Kind)
		}
	}
	return nil
}

// Kinds returns every kind in registration order.
func (r *Registry) Kinds() []*Kind { return r.kinds }

// Kind returns the named kind, or nil.
func (r *Registry) Kind(name string) *Kind {
	for _, k := range r.kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// TypeOf returns the registered type of o, or nil when the store holds an
// object of a type this build does not know.
func (r *Registry) TypeOf(o *Object) *Type {
	k := r.Kind(o.Kind)
	if k == nil {
		return nil
	}
	return k.Type(o.Type)
}
