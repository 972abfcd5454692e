package config

import (
	"sort"
	"strconv"
	"time"
)

// Object is one configuration object. Values holds only the properties
// that were set explicitly, as canonical strings; sensitive values are
// sealed.
type Object struct {
	Kind   string
	Name   string // empty for a singleton
	Type   string // empty for a singleton
	Values map[string][]string

	line int // where the object starts in the store file, for errors
}

// Clone returns a deep copy of o.
func (o *Object) Clone() *Object {
	c := *o
	c.Values = make(map[string][]string, len(o.Values))
	for k, v := range o.Values {
		c.Values[k] = append([]string(nil), v...)
	}
	return &c
}

// State is the whole configuration: every object of every kind.
type State struct {
	objects map[string]map[string]*Object // kind → name → object
	journal *journal                      // see Record; nil when off

	// A State that Load made from a file a validation record vouches for
	// decodes its objects only as they are asked for (rawstore.go).
	// objects then holds what has been decoded, put or created; gone, what
	// has been deleted since; whole, the kinds decoded entirely; touched,
	// every object put or deleted, for validateChange.
	raw     *rawStore
	gone    map[string]map[string]bool
	whole   map[string]bool
	touched []objectKey
}

type objectKey struct{ kind, name string }

// NewState returns an empty configuration.
func NewState() *State { return &State{objects: map[string]map[string]*Object{}} }

// Get returns the named object of kind, or nil. A singleton's name is "".
func (s *State) Get(kind, name string) *Object {
	if o := s.objects[kind][name]; o != nil || s.raw == nil || s.whole[kind] || s.gone[kind][name] {
		return o
	}
	k := s.raw.reg.Kind(kind)
	if k == nil {
		return nil
	}
	o := s.raw.find(k, name)
	if o != nil {
		s.keep(o)
	}
	return o
}

// keep adds an object decoded from the raw file, which is not a change.
func (s *State) keep(o *Object) {
	if s.objects[o.Kind] == nil {
		s.objects[o.Kind] = map[string]*Object{}
	}
	s.objects[o.Kind][o.Name] = o
}

// decodeKind decodes every object of k that is not decoded, put or
// deleted yet.
func (s *State) decodeKind(k *Kind) {
	if s.raw == nil || s.whole[k.Name] {
		return
	}
	for _, o := range s.raw.all(k) {
		if s.objects[k.Name][o.Name] == nil && !s.gone[k.Name][o.Name] {
			s.keep(o)
		}
	}
	s.whole[k.Name] = true
}

// decodeAll decodes the whole file, for what walks every object.
func (s *State) decodeAll() {
	if s.raw == nil {
		return
	}
	for _, k := range s.raw.reg.kinds {
		s.decodeKind(k)
	}
}

// decodeContaining decodes every object whose text in the raw file holds
// text, unless it has been put or deleted since.
func (s *State) decodeContaining(text string) {
	for _, h := range s.raw.containing(text) {
		s.hit(h)
	}
}

// hit returns the object at h as the state has it now: decoded from the
// raw file, or as put since; nil if deleted since.
func (s *State) hit(h rawHit) *Object {
	name := ""
	if !h.k.Singleton() {
		name = s.raw.name(h.k, h.span.start)
	}
	return s.Get(h.k.Name, name)
}

// unchanged reports whether nothing of kind k has been decoded, put or
// deleted, so that its section is written as the raw file has it.
func (s *State) unchanged(k *Kind) bool {
	_, has := s.raw.sections[k.Name]
	return has && len(s.objects[k.Name]) == 0 && len(s.gone[k.Name]) == 0
}

// Put adds or replaces o.
func (s *State) Put(o *Object) {
	s.note(o.Kind, o.Name)
	if s.objects[o.Kind] == nil {
		s.objects[o.Kind] = map[string]*Object{}
	}
	s.objects[o.Kind][o.Name] = o
	if s.raw != nil {
		delete(s.gone[o.Kind], o.Name)
		s.touched = append(s.touched, objectKey{o.Kind, o.Name})
	}
}

// Delete removes the named object.
func (s *State) Delete(kind, name string) {
	s.note(kind, name)
	delete(s.objects[kind], name)
	if s.raw != nil {
		if s.gone[kind] == nil {
			s.gone[kind] = map[string]bool{}
		}
		s.gone[kind][name] = true
		s.touched = append(s.touched, objectKey{kind, name})
	}
}

// List returns the objects of kind sorted by name.
func (s *State) List(kind string) []*Object {
	if s.raw != nil {
		if k := s.raw.reg.Kind(kind); k != nil {
			s.decodeKind(k)
		}
	}
	var out []*Object
	for _, o := range s.objects[kind] {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Clone returns a deep copy of s, so that a batch or a dry run can work on
// it without touching the original.
func (s *State) Clone() *State {
	s.decodeAll()
	c := NewState()
	for _, m := range s.objects {
		for _, o := range m {
			c.Put(o.Clone())
		}
	}
	return c
}

// View reads an object's values with its type's defaults applied. Domain
// packages use it instead of looking at Values, so that defaults live only
// in the registry.
type View struct {
	Object *Object
	Type   *Type
}

// View returns a View of o. It panics if o's type is not registered,
// which cannot happen for a loaded, validated state.
func (r *Registry) View(o *Object) View {
	t := r.TypeOf(o)
	if t == nil {
		panic("config: view of unregistered type " + o.Kind + "/" + o.Type)
	}
	return View{Object: o, Type: t}
}

// Values returns the property's values, or its defaults when unset.
func (v View) Values(prop string) []string {
	p := v.Type.Property(prop)
	if p == nil {
		panic("config: " + v.Type.Kind + "/" + v.Type.Name + " has no property " + prop)
	}
	if vals, ok := v.Object.Values[prop]; ok {
		return vals
	}
	return p.Default
}

// IsSet reports whether the property was set explicitly.
func (v View) IsSet(prop string) bool {
	_, ok := v.Object.Values[prop]
	return ok
}

// String returns the first value, or "".
func (v View) String(prop string) string {
	if vals := v.Values(prop); len(vals) > 0 {
		return vals[0]
	}
	return ""
}

// Bool returns the value as a boolean; unset is false.
func (v View) Bool(prop string) bool { return v.String(prop) == "true" }

// Int returns the value as an integer; unset is 0.
func (v View) Int(prop string) int {
	n, _ := strconv.Atoi(v.String(prop))
	return n
}

// Duration returns the value as a duration; unset is 0 and unlimited is -1.
func (v View) Duration(prop string) time.Duration {
	s := v.String(prop)
	if s == "" {
		return 0
	}
	d, _ := parseDurationValue(s)
	return d
}
