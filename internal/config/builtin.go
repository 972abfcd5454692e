package config

import (
	"fmt"
	"maps"
	"slices"
)

// Built-in objects are the objects every store starts with, as
// PingDirectory ships trust manager providers named "JVM-Default" and
// "Blind Trust" that batch files refer to by name. They are part of the
// initial state: a store with no file yet reads as the built-ins, and the
// first change writes them to the file with itself, so a command that
// changes nothing writes nothing. Once written they are ordinary objects:
// they can be changed, and deleted when nothing refers to them.
//
// export-config writes the difference from the initial state (so an
// untouched built-in is not written, a changed one is a set-*-prop), and
// apply-config reads a set-*-prop of a built-in as a change of its shipped
// form and never prunes one.

// AddBuiltins registers objs as built-in objects. Each must be valid for
// its type.
func (r *Registry) AddBuiltins(objs ...*Object) error {
	for _, o := range objs {
		if r.Builtin(o.Kind, o.Name) != nil {
			return fmt.Errorf("registry: built-in %s %q registered twice", o.Kind, o.Name)
		}
		st := NewState()
		st.Put(o.Clone())
		if ps := r.Validate(st); len(ps) > 0 {
			return fmt.Errorf("registry: built-in %s %q: %v", o.Kind, o.Name, ps[0].Err)
		}
		r.builtins = append(r.builtins, o.Clone())
	}
	return nil
}

// Builtin returns the shipped form of the built-in object of kind named
// name, or nil when there is none. The caller may change the copy.
func (r *Registry) Builtin(kind, name string) *Object {
	i := slices.IndexFunc(r.builtins, func(o *Object) bool { return o.Kind == kind && o.Name == name })
	if i < 0 {
		return nil
	}
	return r.builtins[i].Clone()
}

// InitialState is the configuration of a store that has no file yet: the
// built-in objects.
func (r *Registry) InitialState() *State {
	st := NewState()
	for _, o := range r.builtins {
		st.Put(o.Clone())
	}
	return st
}

// IsPristineBuiltin reports whether o is a built-in object as shipped.
func (r *Registry) IsPristineBuiltin(o *Object) bool {
	b := r.Builtin(o.Kind, o.Name)
	return b != nil && b.Type == o.Type && maps.EqualFunc(b.Values, o.Values, slices.Equal[[]string])
}
