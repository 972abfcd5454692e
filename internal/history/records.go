package history

import (
	"slices"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Every change is described as dsconfig commands: the command that makes
// it and the command that undoes it. They are derived from what changed in
// the store, object by object, not from the command line that was typed,
// so a create, a batch line, a restore and a config-diff all log the same
// way, and the log replays exactly.

// command is one dsconfig invocation as its arguments, without the
// leading "dsconfig".
type command []string

// String renders the command on one line, quoting only the arguments that
// need it, as PingDirectory's config-audit.log does.
func (c command) String() string {
	return batchfile.Format(c)
}

// record is one change of one object and its undo, rendered.
type record = config.Record

// Records describes one object's change as audit records. Usually that is one record; an
// object that must be created and then adjusted (see createBase) or
// replaced (a new type) needs two.
func Records(r *config.Registry, ch config.Change) []record {
	k := r.Kind(ch.Object().Kind)
	if k.Singleton() {
		old, new := orEmpty(ch.Old, k), orEmpty(ch.New, k)
		return modifyRecord(r, k, old, new)
	}
	switch {
	case ch.Old == nil:
		return createRecords(r, k, ch.New)
	case ch.New == nil:
		return reverse(createRecords(r, k, ch.Old))
	case r.MustReplace(ch.Old, ch.New):
		return append(reverse(createRecords(r, k, ch.Old)), createRecords(r, k, ch.New)...)
	}
	return modifyRecord(r, k, ch.Old, ch.New)
}

func orEmpty(o *config.Object, k *config.Kind) *config.Object {
	if o == nil {
		return &config.Object{Kind: k.Name, Values: map[string][]string{}}
	}
	return o
}

// reverse turns the records that create an object into the records that
// delete it: the same steps, undone, in the opposite order.
func reverse(recs []record) []record {
	out := make([]record, len(recs))
	for i, rec := range recs {
		out[len(recs)-1-i] = record{Forward: rec.Undo, Undo: rec.Forward}
	}
	return out
}

func createRecords(r *config.Registry, k *config.Kind, o *config.Object) []record {
	base := createBase(o)
	recs := []record{{Forward: createCommand(r, k, base).String(), Undo: deleteCommand(k, o.Name).String()}}
	return append(recs, modifyRecord(r, k, base, o)...)
}

// createBase is o without the properties explicitly set to no value: a
// create command cannot express those, a following set-prop can.
func createBase(o *config.Object) *config.Object {
	b := o.Clone()
	for p, vs := range b.Values {
		if len(vs) == 0 {
			delete(b.Values, p)
		}
	}
	return b
}

func createCommand(r *config.Registry, k *config.Kind, o *config.Object) command {
	c := command{"create-" + k.Name, "--" + k.NamingArg, o.Name, "--type", o.Type}
	for _, p := range r.TypeOf(o).AllProperties() {
		for _, v := range o.Values[p.Name] {
			c = append(c, "--set", p.Name+":"+v)
		}
	}
	return c
}

func deleteCommand(k *config.Kind, name string) command {
	return command{"delete-" + k.Name, "--" + k.NamingArg, name}
}

func modifyRecord(r *config.Registry, k *config.Kind, old, new *config.Object) []record {
	fwd, undo := modifyCommand(r, k, old, new), modifyCommand(r, k, new, old)
	if fwd == nil || undo == nil {
		return nil
	}
	return []record{{Forward: fwd.String(), Undo: undo.String()}}
}

// modifyCommand is the set-prop command that turns old into new, or nil
// when there is nothing to say.
func modifyCommand(r *config.Registry, k *config.Kind, old, new *config.Object) command {
	var mods []string
	for _, p := range r.TypeOf(new).AllProperties() {
		mods = append(mods, propertyMods(p, old, new)...)
	}
	if len(mods) == 0 {
		return nil
	}
	c := command{"set-" + k.Name + "-prop"}
	if !k.Singleton() {
		c = append(c, "--"+k.NamingArg, new.Name)
	}
	return append(c, mods...)
}

// propertyMods are the arguments that take one property from its value in
// old to its value in new.
func propertyMods(p *config.PropertyDef, old, new *config.Object) []string {
	ov, oset := old.Values[p.Name]
	nv, nset := new.Values[p.Name]
	if oset == nset && slices.Equal(ov, nv) {
		return nil
	}
	var mods []string
	switch {
	case !nset:
		mods = append(mods, "--reset", p.Name)
	case len(nv) > 0:
		for _, v := range nv {
			mods = append(mods, "--set", p.Name+":"+v)
		}
	default:
		// An explicitly empty list: remove what is there now.
		cur := ov
		if !oset {
			cur = p.Default
		}
		for _, v := range cur {
			mods = append(mods, "--remove", p.Name+":"+v)
		}
	}
	return mods
}
