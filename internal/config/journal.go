package config

import "slices"

// A journal remembers, for each Put and Delete, the object that was there
// before. Objects in a State are never changed in place (Modify works on a
// clone), so keeping the old pointer is enough. A batch uses it to roll
// back one failed line and to learn what each line changed, without
// copying the whole state for every line.

type journal struct {
	entries []journalEntry
	off     bool // set while rolling back, so the undo is not recorded
}

type journalEntry struct {
	kind, name string
	old        *Object // nil when there was none
}

// Change is what happened to one object: Old is nil for a creation, New is
// nil for a deletion.
type Change struct {
	Old, New *Object
}

// Record starts the journal. It is off by default, so that loading and
// cloning cost nothing extra.
func (s *State) Record() {
	if s.journal == nil {
		s.journal = &journal{}
	}
}

// Mark returns a position in the journal for Since and Rollback.
func (s *State) Mark() int {
	if s.journal == nil {
		return 0
	}
	return len(s.journal.entries)
}

func (s *State) note(kind, name string) {
	if j := s.journal; j != nil && !j.off {
		j.entries = append(j.entries, journalEntry{kind, name, s.Get(kind, name)})
	}
}

// Since returns the objects changed since mark, in the order they were
// first touched, each with its value at mark and its value now. Objects
// that ended as they started are left out.
func (s *State) Since(mark int) []Change {
	if s.journal == nil {
		return nil
	}
	type key struct{ kind, name string }
	seen := map[key]bool{}
	var out []Change
	for _, e := range s.journal.entries[mark:] {
		k := key{e.kind, e.name}
		if seen[k] {
			continue
		}
		seen[k] = true
		if cur := s.Get(e.kind, e.name); !sameObject(e.old, cur) {
			out = append(out, Change{Old: e.old, New: cur})
		}
	}
	return out
}

// Rollback undoes every Put and Delete since mark.
func (s *State) Rollback(mark int) {
	j := s.journal
	if j == nil {
		return
	}
	j.off = true
	for i := len(j.entries) - 1; i >= mark; i-- {
		e := j.entries[i]
		if e.old == nil {
			s.Delete(e.kind, e.name)
		} else {
			s.Put(e.old)
		}
	}
	j.entries = j.entries[:mark]
	j.off = false
}

// sameObject reports whether a and b hold the same type and values. An
// empty singleton is the same as none: the store does not write it.
func sameObject(a, b *Object) bool {
	if a == nil || b == nil {
		o := a
		if o == nil {
			o = b
		}
		return o == nil || (o.Name == "" && o.Type == "" && len(o.Values) == 0)
	}
	if a.Type != b.Type || len(a.Values) != len(b.Values) {
		return false
	}
	for k, va := range a.Values {
		vb, ok := b.Values[k]
		if !ok || !slices.Equal(va, vb) {
			return false
		}
	}
	return true
}

// CheckChanged validates the objects one change touched: each on its own
// and its references, and, for an object now disabled, the objects that
// refer to it. It is the part of Validate that a change can affect, so a
// batch can check every line without validating the whole store each
// time.
func (r *Registry) CheckChanged(s *State, changed []*Object) []ObjectProblem {
	var out []ObjectProblem
	add := func(o *Object, errs []error) {
		for _, err := range errs {
			out = append(out, ObjectProblem{o, err})
		}
	}
	for _, o := range changed {
		add(o, r.CheckObject(o))
		add(o, r.checkRefs(s, o))
		if !explicitlyDisabled(o) {
			continue
		}
		for _, ref := range r.Referrers(s, o.Kind, o.Name) {
			add(ref.Object, r.checkRefs(s, ref.Object))
		}
	}
	return out
}
