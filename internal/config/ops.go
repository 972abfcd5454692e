package config

import (
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// The operations behind create-X, set-X-prop and delete-X. They work on a
// Tx, so that one command and a whole batch go through the same code, and
// the store is written once at the end.

// find returns the named object of kind k from s, or a *NotFoundError that
// suggests a near name.
func find(s *State, k *Kind, name string) (*Object, error) {
	if k.Singleton() {
		if o := s.Get(k.Name, ""); o != nil {
			return o, nil
		}
		return &Object{Kind: k.Name, Type: "", Values: map[string][]string{}}, nil
	}
	if o := s.Get(k.Name, name); o != nil {
		return o, nil
	}
	return nil, &NotFoundError{classed{ErrRejected}, k, name, suggest(name, names(s.List(k.Name)))}
}

// CheckName refuses object names that would not survive the store, the
// audit log or a batch file.
func CheckName(k *Kind, name string) error {
	switch {
	case name == "":
		return usageErr("", "the %s name must not be empty", k.Friendly)
	case strings.TrimSpace(name) != name:
		return usageErr("", "the %s name %q must not start or end with white space", k.Friendly, name)
	case strings.ContainsAny(name, "\r\n\x00\t"):
		return usageErr("", "the %s name %q must not contain tabs, line breaks or NUL", k.Friendly, name)
	case !utf8.ValidString(name):
		return usageErr("", "the %s name %q is not valid UTF-8", k.Friendly, name)
	}
	return nil
}

// LookupType returns k's type called name, or a usage error that lists the
// valid ones.
func LookupType(k *Kind, name string) (*Type, error) {
	if t := k.Type(name); t != nil {
		return t, nil
	}
	hint := ""
	if s := suggest(name, k.TypeNames()); s != "" {
		hint = fmt.Sprintf("did you mean %q?", s)
	}
	return nil, usageErr(hint, "The sub-type %q is not a recognized type of %s. It should be one of: %s",
		name, k.Friendly, strings.Join(k.TypeNames(), ", "))
}

// Create adds a new object of type t with the given property values.
func (tx *Tx) Create(t *Type, name string, mods []Mod) (*Object, error) {
	k := t.Of()
	if err := CheckName(k, name); err != nil {
		return nil, err
	}
	tx.Action = fmt.Sprintf("The %s %q could not be created", k.Friendly, name)
	if tx.State.Get(k.Name, name) != nil {
		return nil, &existsError{classed{ErrRejected}, k, name}
	}
	o := &Object{Kind: k.Name, Name: name, Type: t.Name, Values: map[string][]string{}}
	if err := tx.apply(t, o, mods, true); err != nil {
		return nil, err
	}
	tx.State.Put(o)
	return o, nil
}

// Modify changes the named object (or the singleton of k).
func (tx *Tx) Modify(k *Kind, name string, mods []Mod) (*Object, error) {
	tx.Action = fmt.Sprintf("The %s %q could not be modified", k.Friendly, name)
	if k.Singleton() {
		tx.Action = "The " + k.Friendly + " could not be modified"
	}
	cur, err := find(tx.State, k, name)
	if err != nil {
		return nil, err
	}
	o := cur.Clone()
	if err := tx.apply(tx.Registry.TypeOf(o), o, mods, false); err != nil {
		return nil, err
	}
	tx.State.Put(o)
	return o, nil
}

func (tx *Tx) apply(t *Type, o *Object, mods []Mod, creating bool) error {
	tx.Changed = append(tx.Changed, o)
	err := Apply(t, o, mods, creating, tx.Sealer)
	if ve, ok := err.(*validationError); ok {
		ve.Action = tx.Action
	}
	return err
}

// Delete removes the named object. It refuses while other objects refer to
// it and names every one of them. With force, a missing object is not an
// error and nil is returned.
func (tx *Tx) Delete(k *Kind, name string, force bool) (*Object, error) {
	tx.Action = fmt.Sprintf("The %s %q could not be deleted", k.Friendly, name)
	o, err := find(tx.State, k, name)
	if err != nil {
		if force {
			return nil, nil
		}
		return nil, err
	}
	if refs := tx.Registry.Referrers(tx.State, k.Name, name); len(refs) > 0 {
		return nil, tx.referencedError(k, name, refs)
	}
	tx.State.Delete(k.Name, name)
	return o, nil
}

func (tx *Tx) referencedError(k *Kind, name string, refs []Referrer) error {
	var list []string
	for _, r := range refs {
		list = append(list, fmt.Sprintf("%s (property %q)", tx.Registry.Describe(r.Object), r.Property))
	}
	sort.Strings(list)
	return problem("change or delete those objects first",
		"The %s %q could not be deleted because it is referenced by: %s", k.Friendly, name, strings.Join(list, ", "))
}
