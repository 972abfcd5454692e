package config

import (
	"fmt"
	"slices"
	"strings"
)

// ObjectProblem is a problem found in one object during whole-store
// validation.
type ObjectProblem struct {
	Object *Object
	Err    error
}

// Describe names an object for messages: `HTTP Authorization Method "x"`,
// or `the Global Configuration` for a singleton.
func (r *Registry) Describe(o *Object) string {
	k := r.Kind(o.Kind)
	if k == nil {
		return fmt.Sprintf("%s %q", o.Kind, o.Name)
	}
	if k.Singleton() {
		return "the " + k.Friendly
	}
	return fmt.Sprintf("%s %q", k.Friendly, o.Name)
}

// Validate checks the whole state: every object on its own (see
// CheckObject) and every reference between objects.
func (r *Registry) Validate(s *State) []ObjectProblem {
	s.decodeAll()
	if r.valid(s) {
		return nil
	}
	var out []ObjectProblem
	for _, k := range r.kinds {
		for _, o := range s.List(k.Name) {
			for _, err := range r.CheckObject(o) {
				out = append(out, ObjectProblem{o, err})
			}
			for _, err := range r.checkRefs(s, o) {
				out = append(out, ObjectProblem{o, err})
			}
		}
	}
	for kind, objs := range s.objects {
		if r.Kind(kind) == nil {
			for _, o := range objs {
				out = append(out, ObjectProblem{o, problem("", "%q is not a known kind of configuration object", kind)})
			}
		}
	}
	return out
}

// maxReferrerScans is the most names validateChanged looks for in the
// file; see there.
const maxReferrerScans = 32

// validateChanged is Validate for a state changed since it was loaded.
// A state loaded whole is validated whole. One backed by a raw file
// (rawstore.go) was valid as loaded, and an object's problems depend only
// on itself and the objects it refers to (CheckObject, checkRefs); so it
// suffices to check what was put, and what refers to anything put or
// deleted. Every object that refers to one by name holds the name in its
// text, written as it is when plainSafe; the objects decoded so far are
// checked too, which costs little and includes everything put.
//
// Each name is found by reading the whole file, so a change to more than
// maxReferrerScans objects (a large batch) is validated whole instead: one
// decode of the file then costs less than that many reads of it.
func (r *Registry) validateChanged(s *State) []ObjectProblem {
	if s.raw == nil {
		return r.Validate(s)
	}
	names := map[string]bool{}
	for _, key := range s.touched {
		if key.name != "" {
			names[key.name] = true
		}
	}
	if len(names) > maxReferrerScans {
		return r.Validate(s)
	}
	for name := range names {
		if !plainSafe(name) {
			return r.Validate(s)
		}
	}
	for name := range names {
		s.decodeContaining(name)
	}
	var out []ObjectProblem
	for _, k := range r.kinds {
		names := make([]string, 0, len(s.objects[k.Name]))
		for name := range s.objects[k.Name] {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			o := s.objects[k.Name][name]
			for _, err := range r.CheckObject(o) {
				out = append(out, ObjectProblem{o, err})
			}
			for _, err := range r.checkRefs(s, o) {
				out = append(out, ObjectProblem{o, err})
			}
		}
	}
	return out
}

// valid reports whether Validate would find nothing. It is Validate
// without the sorting that gives its problems a stable order, which is
// most of its cost on a large store that has no problem.
func (r *Registry) valid(s *State) bool {
	for kind, objs := range s.objects {
		if r.Kind(kind) == nil {
			return false
		}
		for _, o := range objs {
			if len(r.CheckObject(o)) > 0 || len(r.checkRefs(s, o)) > 0 {
				return false
			}
		}
	}
	return true
}

// CheckObject checks one object without looking at others: its type,
// that every property is known, every stored value is valid, mandatory
// properties are present, single-valued ones have one value, and the
// type's own rules hold.
func (r *Registry) CheckObject(o *Object) []error {
	k := r.Kind(o.Kind)
	if k == nil {
		return nil // reported by Validate
	}
	t := k.Type(o.Type)
	if t == nil {
		return []error{problem("", "The sub-type %q is not a recognized type of %s. It should be one of: %s",
			o.Type, k.Friendly, strings.Join(k.TypeNames(), ", "))}
	}
	var errs []error
	for name, vals := range o.Values {
		p := t.Property(name)
		if p == nil {
			errs = append(errs, UnknownProperty(t, name))
			continue
		}
		errs = append(errs, checkValues(p, vals)...)
	}
	for _, p := range t.AllProperties() {
		if p.Mandatory && len(o.Values[p.Name]) == 0 {
			errs = append(errs, &MissingError{problem(fmt.Sprintf("add --set %s:VALUE", p.Name), "The %q property must be specified as it is mandatory", p.Name), p.Name})
		}
	}
	if t.Check != nil && len(errs) == 0 {
		errs = append(errs, t.Check(View{o, t})...)
	}
	return errs
}

func checkValues(p *PropertyDef, vals []string) []error {
	var errs []error
	if !p.Multi && len(vals) > 1 {
		errs = append(errs, problem("", "The %q property must not contain more than one value", p.Name))
	}
	if !p.Multi && len(vals) == 0 {
		errs = append(errs, problem("", "the %q property takes a single value, but has an empty list of values", p.Name))
	}
	for _, v := range vals {
		if p.Sensitive {
			if !IsSealed(v) {
				errs = append(errs, problem(fmt.Sprintf("set it again with dsconfig --set %s:VALUE so that it is stored encrypted", p.Name),
					"the %q property holds a value that is not in encrypted form", p.Name))
			}
			continue
		}
		if c, err := p.Syntax.Parse(v); err != nil || c != v {
			if err == nil {
				err = fmt.Errorf("not in canonical form %q", c)
			}
			errs = append(errs, &propertyError{classed{ErrRejected}, p, maskIf(p, v), err})
		}
	}
	return errs
}

func (r *Registry) checkRefs(s *State, o *Object) []error {
	t := r.TypeOf(o)
	if t == nil {
		return nil
	}
	var errs []error
	for _, p := range t.AllProperties() {
		ref, ok := p.Syntax.(Reference)
		if !ok {
			continue
		}
		for _, name := range o.Values[p.Name] {
			if err := r.checkRef(s, o, p, ref, name); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

func (r *Registry) checkRef(s *State, from *Object, p *PropertyDef, ref Reference, name string) error {
	k := r.Kind(ref.Kind)
	target := s.Get(ref.Kind, name)
	if target == nil {
		return problem(r.danglingHint(s, p, k, name),
			"The value %q for the %q property does not exist: there is no %s with that name", name, p.Name, k.Friendly)
	}
	if len(ref.Types) > 0 && !slices.Contains(ref.Types, target.Type) {
		return problem("", "the %q property refers to the %s %q of type %s, but it must be of type %s",
			p.Name, k.Friendly, name, target.Type, strings.Join(ref.Types, " or "))
	}
	if isEnabled(from) && explicitlyDisabled(target) {
		return problem(fmt.Sprintf("enable it with 'dsconfig set-%s-prop --%s %q --set enabled:true'", k.Name, k.NamingArg, name),
			"the %q property refers to the %s %q, which is disabled", p.Name, k.Friendly, name)
	}
	return nil
}

// danglingHint helps with a reference to a missing object of kind k: an
// object of another kind with that very name is the likeliest mistake,
// then a near name, else the object has yet to be created.
func (r *Registry) danglingHint(s *State, p *PropertyDef, k *Kind, name string) string {
	for _, other := range r.kinds {
		if other != k && s.Get(other.Name, name) != nil {
			return fmt.Sprintf("%q is %s; the %q property takes the name of %s",
				name, withArticle(other.Friendly), p.Name, withArticle(k.Friendly))
		}
	}
	if sim := suggest(name, names(s.List(k.Name))); sim != "" {
		return fmt.Sprintf("did you mean %q?", sim)
	}
	return fmt.Sprintf("create it first with 'dsconfig create-%s --%s %q ...'", k.Name, k.NamingArg, name)
}

// withArticle puts "a" or "an" before a friendly kind name; "HTTP" is
// read "aitch".
func withArticle(friendly string) string {
	if strings.ContainsRune("AEIOU", rune(friendly[0])) || strings.HasPrefix(friendly, "HTTP") {
		return "an " + friendly
	}
	return "a " + friendly
}

func isEnabled(o *Object) bool {
	v, ok := o.Values[PropEnabled]
	return !ok || (len(v) == 1 && v[0] == "true")
}

func explicitlyDisabled(o *Object) bool {
	v, ok := o.Values[PropEnabled]
	return ok && len(v) == 1 && v[0] == "false"
}

// Referrer is an object property that names another object.
type Referrer struct {
	Object   *Object
	Property string
}

// Referrers lists the objects that refer to the named object, so that a
// delete can be refused with every one of them named.
func (r *Registry) Referrers(s *State, kind, name string) []Referrer {
	var out []Referrer
	for _, k := range r.kinds {
		for _, o := range s.List(k.Name) {
			t := r.TypeOf(o)
			if t == nil {
				continue
			}
			for _, p := range t.AllProperties() {
				if ref, ok := p.Syntax.(Reference); ok && ref.Kind == kind && slices.Contains(o.Values[p.Name], name) {
					out = append(out, Referrer{o, p.Name})
				}
			}
		}
	}
	return out
}

func names(objs []*Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Name)
	}
	return out
}

// ChangeError words the problems a change would cause: problems of the
// objects it changed as they are, problems it causes in other objects
// prefixed with the object they are in.
func (r *Registry) ChangeError(action string, ps []ObjectProblem, changed []*Object) error {
	var errs []error
	for _, p := range ps {
		if slices.Contains(changed, p.Object) {
			errs = append(errs, p.Err)
			continue
		}
		errs = append(errs, problem(HintOf(p.Err), "%s: %v", r.Describe(p.Object), p.Err))
	}
	if action == "" {
		action = "The change was rejected"
	}
	return &validationError{Action: action, Problems: errs}
}

// Record is one change as the audit log writes it: the command that makes
// it and the command that undoes it.
type Record struct {
	Forward, Undo string
}
