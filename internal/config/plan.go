package config

import "slices"

// Plan returns the object changes that turn from into to, in an
// order in which every step is valid on its own: an object is created
// before anything refers to it, a reference is dropped before its target
// is deleted or disabled. export-config, config-diff and
// restore-config-archive share it.
//
// The order is found by trying: steps start in registry order (deletions
// in reverse registry order, then creations and modifications), and a
// step that is not valid yet waits until one is done that makes it valid.
// References between kinds are few and acyclic in practice, so the result
// is the registry order with the odd object moved after what it needs,
// and the global configuration last. A step that can never become valid
// is emitted at the end and fails when applied, with the usual error.
func (r *Registry) Plan(from, to *State) []Change {
	st := from.Clone()
	st.Record()
	var out, waiting []Change
	for _, ch := range r.initialSteps(from, to) {
		if !r.tryStep(st, ch) {
			waiting = append(waiting, ch)
			continue
		}
		out = append(out, ch)
		out, waiting = r.retryWaiting(st, out, waiting)
	}
	return append(out, waiting...)
}

// retryWaiting does the waiting steps that have become valid, until none
// has.
func (r *Registry) retryWaiting(st *State, out, waiting []Change) ([]Change, []Change) {
	for progress := true; progress; {
		progress = false
		for i, ch := range waiting {
			if r.tryStep(st, ch) {
				out = append(out, ch)
				waiting = append(waiting[:i:i], waiting[i+1:]...)
				progress = true
				break
			}
		}
	}
	return out, waiting
}

// initialSteps lists the differences: deletions in reverse registry
// order, then creations and modifications in registry order. An object
// whose type or read-only properties differ is deleted and created again.
func (r *Registry) initialSteps(from, to *State) []Change {
	var ups, dels []Change
	for _, k := range r.Kinds() {
		for _, o := range to.List(k.Name) {
			old := from.Get(k.Name, o.Name)
			switch {
			case old == nil:
				ups = append(ups, Change{New: o})
			case sameObject(old, o):
			case !k.Singleton() && r.MustReplace(old, o):
				dels = append(dels, Change{Old: old})
				ups = append(ups, Change{New: o})
			default:
				ups = append(ups, Change{Old: old, New: o})
			}
		}
	}
	kinds := r.Kinds()
	for i := len(kinds) - 1; i >= 0; i-- {
		objs := from.List(kinds[i].Name)
		for j := len(objs) - 1; j >= 0; j-- {
			if o := objs[j]; to.Get(o.Kind, o.Name) == nil && !sameObject(o, nil) {
				dels = append(dels, Change{Old: o})
			}
		}
	}
	// Deletions first: a replaced object must go before its new version
	// can be created; a deletion that is still referred to waits.
	return append(dels, ups...)
}

// tryStep applies ch to st if the result is valid, and reports whether it
// did.
func (r *Registry) tryStep(st *State, ch Change) bool {
	mark := st.Mark()
	if !r.ApplyStep(st, ch) {
		return false
	}
	if ch.New != nil && len(r.CheckChanged(st, []*Object{ch.New})) > 0 {
		st.Rollback(mark)
		return false
	}
	return true
}

// ApplyStep performs one planned change on st; it refuses a creation over
// an existing object and the deletion of an object still referred to.
func (r *Registry) ApplyStep(st *State, ch Change) bool {
	switch {
	case ch.New == nil:
		if len(r.Referrers(st, ch.Old.Kind, ch.Old.Name)) > 0 {
			return false
		}
		st.Delete(ch.Old.Kind, ch.Old.Name)
	case ch.Old == nil && ch.New.Name != "" && st.Get(ch.New.Kind, ch.New.Name) != nil:
		return false
	default:
		st.Put(ch.New)
	}
	return true
}

// MustReplace reports whether old cannot become new by set-prop: the type
// differs or a read-only property changed.
func (r *Registry) MustReplace(old, new *Object) bool {
	if old.Type != new.Type {
		return true
	}
	for _, p := range r.TypeOf(new).AllProperties() {
		if p.ReadOnly && !slices.Equal(old.Values[p.Name], new.Values[p.Name]) {
			return true
		}
	}
	return false
}

// Object is the object the change is about: New, or Old for a deletion.
func (c Change) Object() *Object {
	if c.New != nil {
		return c.New
	}
	return c.Old
}
