package config

import "strings"

// decodeFast reads a store file that has only the lines Encode writes
// without yaml's help: comment and blank lines, "version: 1", section
// lines, object name lines and "prop: value" lines whose names and values
// are plain (plainSafe) or "true"/"false" in double quotes. Building a
// yaml node tree for a large store costs far more than the store's
// objects. On any other line, and on any problem at all, it answers false
// and Decode reads the file with yaml, which accepts all of YAML and
// words the errors, so the fast path changes no result.
func (r *Registry) decodeFast(data []byte) (*State, bool) {
	// yaml refuses invalid UTF-8 and control characters anywhere,
	// comments included; leave anything but printable ASCII to it.
	if !printableASCII(data) {
		return nil, false
	}
	str := string(data)
	s := NewState()
	var kind *Kind // the section being read
	var obj *Object
	children := 0 // of the section: yaml reads an empty one as null
	sawVersion := false
	seen := map[string]bool{} // sections
	finish := func() bool {
		if obj == nil || kind.Singleton() {
			return true
		}
		t := obj.Values["type"]
		if len(t) != 1 {
			return false
		}
		obj.Type = t[0]
		delete(obj.Values, "type")
		return true
	}
	// Every value is a one-element slice of one array: a value per line
	// at most, so it never grows.
	vals := make([]string, 0, strings.Count(str, "\n")+1)
	n := 0
	// One string for the whole file: names and values are slices of it,
	// not a copy of each line.
	for line := range strings.Lines(str) {
		n++
		text := strings.TrimSuffix(line, "\n")
		switch {
		case text == "" || text[0] == '#':
		case text == "version: 1":
			if sawVersion || !finish() || kind != nil && children == 0 {
				return nil, false
			}
			sawVersion, kind, obj = true, nil, nil
		case text[0] != ' ':
			key, ok := strings.CutSuffix(text, ":")
			if !ok || !plainKey(key) || seen[key] || !finish() || kind != nil && children == 0 {
				return nil, false
			}
			seen[key] = true
			kind, obj, children = r.sectionKind(key), nil, 0
			if kind == nil {
				return nil, false
			}
			if kind.Singleton() {
				obj = &Object{Kind: kind.Name, Values: map[string][]string{}}
				s.Put(obj)
			}
		case kind != nil && !kind.Singleton() && len(text) > 2 && text[2] != ' ' && strings.HasPrefix(text, "  "):
			name, ok := strings.CutSuffix(text[2:], ":")
			if !ok || !plainKey(name) || !finish() || s.Get(kind.Name, name) != nil || CheckName(kind, name) != nil {
				return nil, false
			}
			children++
			obj = &Object{Kind: kind.Name, Name: name, Values: map[string][]string{}, line: n}
			s.Put(obj)
		default:
			indent := "    "
			if kind != nil && kind.Singleton() {
				indent = "  "
			}
			rest, ok := strings.CutPrefix(text, indent)
			if !ok || obj == nil || rest == "" || rest[0] == ' ' {
				return nil, false
			}
			prop, v, ok := strings.Cut(rest, ": ")
			if !ok || !plainKey(prop) {
				return nil, false
			}
			if v == `"true"` || v == `"false"` {
				v = v[1 : len(v)-1]
			} else if !plainSafe(v) {
				return nil, false
			}
			if _, dup := obj.Values[prop]; dup {
				return nil, false
			}
			vals = append(vals, v)
			obj.Values[prop] = vals[len(vals)-1 : len(vals) : len(vals)]
			if kind.Singleton() {
				children++
				if obj.line == 0 {
					obj.line = n // yaml's line of the values, as decodeSection has it
				}
			}
		}
	}
	if !sawVersion || !finish() || kind != nil && children == 0 {
		return nil, false
	}
	return s, true
}

// sectionKind returns the kind whose section key is, or nil.
func (r *Registry) sectionKind(key string) *Kind {
	for _, k := range r.kinds {
		if k.Singleton() && key == k.Name || !k.Singleton() && key == k.Plural {
			return k
		}
	}
	return nil
}

// plainKey reports whether key is plainSafe and short enough to be a
// key without "? " (yaml allows implicit keys up to 1024 characters).
func plainKey(key string) bool { return len(key) <= maxPlainKey && plainSafe(key) }

// printableASCII reports whether data holds only printable ASCII, tabs
// and newlines: the only bytes the encoder writes for ASCII values (a
// carriage return is a line break to yaml, and never written).
func printableASCII(data []byte) bool {
	for _, c := range data {
		if (c < 0x20 && c != '\t' && c != '\n') || c >= 0x7f {
			return false
		}
	}
	return true
}
