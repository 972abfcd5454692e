// Package complete computes the candidates of shell completion that
// depend on the registry and the stored configuration: object names,
// the properties valid for an object's type, enumerated values,
// references, and the values an object holds. The command layer wires
// them to cobra's completion functions.
package complete

import (
	"slices"
	"strings"
	"sync"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Directive says what the shell does besides offering the candidates.
type Directive int

const (
	// Done: the candidates are whole words; no file names.
	Done Directive = iota
	// ValueFollows: no space after a candidate, which ends in a colon.
	ValueFollows
	// FileName: complete a file name instead.
	FileName
)

// Source completes from the registry and the stored configuration.
type Source struct {
	Registry *config.Registry
	// State is the stored configuration, or nil when it cannot be loaded.
	State func() *config.State
}

// LoadOnce returns a function that loads the store on its first call and
// returns the same state (nil if it could not be loaded) afterwards, so
// that one completion reads and validates the store at most once.
func LoadOnce(load func() (*config.State, error)) func() *config.State {
	return sync.OnceValue(func() *config.State {
		st, err := load()
		if err != nil {
			return nil
		}
		return st
	})
}

// Types are the types the command's object can have: for create, the
// type given so far (typeName), else all; for the others, the type of the
// object named name, else all.
func (s Source) Types(k *config.Kind, creating bool, typeName, name string) []*config.Type {
	if creating {
		if t := k.Type(typeName); t != nil {
			return []*config.Type{t}
		}
		return k.Types()
	}
	if k.Singleton() {
		return k.Types()
	}
	if st := s.State(); st != nil {
		if o := st.Get(k.Name, name); o != nil {
			if t := s.Registry.TypeOf(o); t != nil {
				return []*config.Type{t}
			}
		}
	}
	return k.Types()
}

// Sensitive completes --set-from-file's PROP: with the sensitive
// properties of types; after the colon comes a file name, and types,
// which may load the store, is not called.
func Sensitive(types func() []*config.Type, prefix string) ([]string, Directive) {
	if strings.Contains(prefix, ":") {
		return nil, FileName
	}
	var out []string
	for _, p := range propertiesOf(types()) {
		if p.Sensitive {
			out = append(out, p.Name+":")
		}
	}
	return WithPrefix(out, prefix), ValueFollows
}

// Property completes PROP: with the properties of types, or, after the
// colon, the property's values; nameOnly completes the name alone, as
// --reset PROP takes it.
func (s Source) Property(types []*config.Type, nameOnly bool, prefix string) ([]string, Directive) {
	name, value, hasColon := strings.Cut(prefix, ":")
	if !hasColon || nameOnly {
		var out []string
		for _, p := range propertiesOf(types) {
			if nameOnly {
				out = append(out, p.Name)
			} else {
				out = append(out, p.Name+":")
			}
		}
		if nameOnly {
			return WithPrefix(out, prefix), Done
		}
		return WithPrefix(out, prefix), ValueFollows // the value follows the colon
	}
	for _, t := range types {
		if p := t.Property(name); p != nil {
			if _, ok := p.Syntax.(config.Path); ok {
				return nil, FileName
			}
			var out []string
			for _, v := range s.values(p, value) {
				out = append(out, name+":"+v)
			}
			return out, Done
		}
	}
	return nil, Done
}

// CurrentValues completes --remove PROP: with the values the object of
// kind k named name holds, which are the only ones worth removing.
func (s Source) CurrentValues(k *config.Kind, name, prefix string) []string {
	st := s.State()
	if st == nil {
		return nil
	}
	o := st.Get(k.Name, name)
	if o == nil {
		return nil
	}
	prop, _, _ := strings.Cut(prefix, ":")
	if t := s.Registry.TypeOf(o); t == nil || t.Property(prop) == nil || t.Property(prop).Sensitive {
		return nil // a sealed value is not offered
	}
	var out []string
	for _, v := range o.Values[prop] {
		out = append(out, prop+":"+v)
	}
	return WithPrefix(out, prefix)
}

// propertiesOf lists the distinct properties of types, read-only ones
// included (they can be set at creation).
func propertiesOf(types []*config.Type) []*config.PropertyDef {
	seen := map[string]bool{}
	var out []*config.PropertyDef
	for _, t := range types {
		for _, p := range t.SortedProperties() {
			if !seen[p.Name] {
				seen[p.Name] = true
				out = append(out, p)
			}
		}
	}
	return out
}

// values are the values worth offering for p: enumerated ones,
// booleans, or the names of the objects a reference may name.
func (s Source) values(p *config.PropertyDef, prefix string) []string {
	switch syn := p.Syntax.(type) {
	case config.Enum:
		return WithPrefix(syn.Values, prefix)
	case config.Boolean:
		return WithPrefix([]string{"true", "false"}, prefix)
	case config.Reference:
		return s.ObjectNames(syn.Kind, syn.Types, prefix)
	}
	return nil
}

// ObjectNames lists the stored objects of kind, of one of types if given.
func (s Source) ObjectNames(kind string, types []string, prefix string) []string {
	st := s.State()
	if st == nil {
		return nil
	}
	var out []string
	for _, o := range st.List(kind) {
		if len(types) == 0 || slices.Contains(types, o.Type) {
			out = append(out, o.Name)
		}
	}
	return WithPrefix(out, prefix)
}

// WithPrefix keeps the candidates that begin with prefix.
func WithPrefix(list []string, prefix string) []string {
	var out []string
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// TypeNames lists the types of kind, or of every kind when kind is empty
// or unknown, once each, sorted.
func TypeNames(r *config.Registry, kind string) []string {
	if k := r.Kind(kind); k != nil {
		return k.TypeNames()
	}
	var out []string
	for _, k := range r.Kinds() {
		if !k.Singleton() {
			out = append(out, k.TypeNames()...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
