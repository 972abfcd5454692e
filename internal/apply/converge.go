package apply

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// converge changes st into the target that d describes (see target),
// step by step in the planner's order, and returns what changed. st must
// be recording (State.Record). On error st may be half changed: the
// caller discards it, as Store.Update does.
func converge(r *config.Registry, st *config.State, d *Desired, prune bool) ([]Entry, error) {
	target, err := target(r, st, d, prune)
	if err != nil {
		return nil, err
	}
	mark := st.Mark()
	for _, ch := range r.Plan(st, target) {
		if !r.ApplyStep(st, ch) {
			return nil, stepRefused(r, st, target, ch)
		}
	}
	return report(r, st.Since(mark)), nil
}

// stepRefused explains a planned step that cannot be made: an object to
// replace (a new type or read-only property) or to delete is still
// referred to. The audit log replays step by step, so every step must be
// valid on its own.
func stepRefused(r *config.Registry, st, target *config.State, ch config.Change) error {
	o := ch.Object()
	var list []string
	for _, ref := range r.Referrers(st, o.Kind, o.Name) {
		list = append(list, r.Describe(ref.Object))
	}
	sort.Strings(list)
	if ch.New == nil && target.Get(o.Kind, o.Name) != nil {
		return config.Problemf("give the new object another name, or point those objects elsewhere in one apply and replace it in the next",
			"%s must be deleted and created again (its type or a read-only property changes), but it is still referenced by: %s",
			r.Describe(o), strings.Join(list, ", "))
	}
	return config.Problemf("change or delete the objects that refer to it first",
		"%s cannot be changed while other objects refer to it: %s", r.Describe(o), strings.Join(list, ", "))
}

// target is the configuration that st becomes: st with the objects of d
// in place of its own, without the pruned ones, and with the sealed
// values of st kept. It refuses a target that does not validate, naming
// the line of the desired file that describes the object at fault.
func target(r *config.Registry, cur *config.State, d *Desired, prune bool) (*config.State, error) {
	t := cur.Clone()
	for _, k := range r.Kinds() {
		for _, o := range d.State.List(k.Name) {
			o, err := d.withSecretsOf(r, cur, o)
			if err != nil {
				return nil, err
			}
			t.Put(o)
		}
	}
	if prune {
		if err := d.prune(r, cur, t); err != nil {
			return nil, err
		}
	}
	return t, d.validate(r, t)
}

// withSecretsOf returns o with the sensitive values of the object of the
// same name and type in cur. An object whose type needs a sensitive value
// that cur does not have cannot be created from a desired file.
func (d *Desired) withSecretsOf(r *config.Registry, cur *config.State, o *config.Object) (*config.Object, error) {
	o = o.Clone()
	old := cur.Get(o.Kind, o.Name)
	for _, p := range r.TypeOf(o).AllProperties() {
		if !p.Sensitive {
			continue
		}
		if old != nil && old.Type == o.Type && len(old.Values[p.Name]) > 0 {
			o.Values[p.Name] = slices.Clone(old.Values[p.Name])
			continue
		}
		if p.Mandatory {
			l, _ := d.lineOf(o)
			return nil, &lineError{l, config.Problemf(strings.Replace(secretHint, "PROP", p.Name, 1),
				"%s cannot be created by apply-config: its %q is a secret, which a desired file does not hold; an existing one is kept", r.Describe(o), p.Name)}
		}
	}
	return o, nil
}

// prune deletes from t the objects of cur of the kinds d mentions that d
// does not describe, and refuses if an object left in t refers to one.
func (d *Desired) prune(r *config.Registry, cur, t *config.State) error {
	var gone []*config.Object
	for _, k := range r.Kinds() {
		if !d.Kinds[k.Name] || k.Singleton() {
			continue
		}
		for _, o := range cur.List(k.Name) {
			if d.State.Get(k.Name, o.Name) == nil && r.Builtin(k.Name, o.Name) == nil {
				t.Delete(k.Name, o.Name)
				gone = append(gone, o)
			}
		}
	}
	for _, o := range gone {
		if refs := r.Referrers(t, o.Kind, o.Name); len(refs) > 0 {
			return pruneRefused(r, o, refs)
		}
	}
	return nil
}

func pruneRefused(r *config.Registry, o *config.Object, refs []config.Referrer) error {
	var list []string
	for _, ref := range refs {
		list = append(list, fmt.Sprintf("%s (property %q)", r.Describe(ref.Object), ref.Property))
	}
	sort.Strings(list)
	return config.Problemf("add it to the desired file, or remove the reference too",
		"--prune would delete %s, which is still referenced by: %s; nothing was changed", r.Describe(o), strings.Join(list, ", "))
}

// validate checks the target as the store will, and names the line of the
// desired file for a problem with one of its objects.
func (d *Desired) validate(r *config.Registry, t *config.State) error {
	ps := r.Validate(t)
	if len(ps) == 0 {
		return nil
	}
	p := ps[0]
	err := r.ChangeError("The desired configuration is not valid", ps[:1], nil)
	if l, ok := d.lineOf(p.Object); ok {
		return &lineError{l, err}
	}
	return err
}
