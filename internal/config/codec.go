package config

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// formatVersion is the store format this build reads and writes.
const formatVersion = 1

const storeHeader = `dsconfig configuration store. Change it with dsconfig: hand edits are
checked when the file is loaded, and a broken file is never overwritten.
Sensitive values are encrypted with the key in the file "encryption-key".`

// lineError is a decode problem tied to a line of the store file.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return e.err.Error() }
func (e *lineError) Unwrap() error { return e.err }

func atLine(n *yaml.Node, format string, args ...any) error {
	return &lineError{n.Line, fmt.Errorf(format, args...)}
}

// Encode writes s in the store format: kinds in registry order, objects
// sorted by name, properties in registry order, only explicitly set values.
// The output is byte-for-byte deterministic, so the file diffs cleanly.
//
// It writes the lines itself where yaml would write a plain scalar, and
// has yaml encode anything else one property at a time, indented into
// place. yaml's emitter keeps every event of a document until the
// document ends, so encoding a large store as one document costs time and
// memory out of proportion to its size. The bytes are the same as the
// whole document's (without line folding nothing depends on the column;
// TestEncodeAsOneDocument).
func (r *Registry) Encode(s *State) ([]byte, error) {
	p, err := r.encodeFile(s, 0)
	if err != nil {
		return nil, err
	}
	return p.join(), nil
}

// encodeFile is Encode as pieces. A state loaded whole is encoded into
// a buffer made for about size bytes (the size of the previous version of
// the store, say): a buffer that grows by doubling copies and touches
// twice the memory of a large store. One backed by a raw file keeps the
// sections and runs of objects it did not touch as they are.
func (r *Registry) encodeFile(s *State, size int) (pieces, error) {
	root := mapping()
	root.HeadComment = storeHeader
	addPair(root, "version", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: fmt.Sprint(formatVersion)})
	w := &fileWriter{}
	if s.raw != nil {
		w.raw = s.raw.data
		size = 0
	}
	w.Grow(size + size/8 + 4096)
	if err := encodeNode(&w.Buffer, root, ""); err != nil {
		return nil, err
	}
	for _, k := range r.kinds {
		if err := r.encodeSection(w, s, k); err != nil {
			return nil, err
		}
	}
	return w.pieces(), nil
}

// encodeSection writes kind k's section, or the singleton k.
func (r *Registry) encodeSection(w *fileWriter, s *State, k *Kind) error {
	switch {
	case s.raw != nil && s.unchanged(k):
		sec := s.raw.sections[k.Name]
		w.keep(sec.start, sec.end)
		return nil
	case s.raw != nil && !k.Singleton() && !s.whole[k.Name]:
		return r.encodeMerged(w, s, k)
	case k.Singleton():
		if o := s.Get(k.Name, ""); o != nil && len(o.Values) > 0 {
			return r.encodeObject(&w.Buffer, k.Name, o, "")
		}
		return nil
	}
	objs := s.List(k.Name)
	if len(objs) == 0 {
		return nil
	}
	w.WriteString(k.Plural + ":\n")
	for _, o := range objs {
		if err := r.encodeObject(&w.Buffer, o.Name, o, "  "); err != nil {
			return err
		}
	}
	return nil
}

// encodeMerged writes the section of kind k of a state backed by a raw
// file, when only some of its objects have been decoded, put or deleted:
// the runs of objects in between are kept as the file has them, and the
// others encoded, each where name order puts it. An object decoded and
// left as it was encodes to the bytes it was decoded from, so the result
// is what encoding the whole state would give.
func (r *Registry) encodeMerged(w *fileWriter, s *State, k *Kind) error {
	var names []string
	for name := range s.objects[k.Name] {
		names = append(names, name)
	}
	for name := range s.gone[k.Name] {
		names = append(names, name)
	}
	slices.Sort(names)
	body := s.raw.body(k)
	// The header goes in once something follows it: a section whose
	// objects were all deleted is not written.
	header := false
	emit := func() {
		if !header {
			w.WriteString(k.Plural + ":\n")
			header = true
		}
	}
	keep := func(start, end int) {
		if start < end {
			emit()
			w.keep(start, end)
		}
	}
	pos := body.start
	for _, name := range names {
		at, found := s.raw.seek(k, pos, body.end, name)
		keep(pos, at)
		pos = at
		if found {
			pos = s.raw.objectEnd(at, body.end)
		}
		if o := s.objects[k.Name][name]; o != nil {
			emit()
			if err := r.encodeObject(&w.Buffer, name, o, "  "); err != nil {
				return err
			}
		}
	}
	keep(pos, body.end)
	return nil
}

// encodeObject writes "key:" and o's values below it.
func (r *Registry) encodeObject(buf *bytes.Buffer, key string, o *Object, indent string) error {
	if r.encodePlain(buf, key, o, indent) {
		return nil
	}
	m := r.encodeValues(o)
	if !plainKey(key) || len(m.Content) == 0 {
		return encodePair(buf, key, m, indent)
	}
	buf.WriteString(indent + key + ":\n")
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if v.Kind == yaml.ScalarNode && plainKey(k.Value) {
			switch {
			case plainSafe(v.Value):
				buf.WriteString(indent + "  " + k.Value + ": " + v.Value + "\n")
				continue
			case v.Value == "true" || v.Value == "false":
				buf.WriteString(indent + "  " + k.Value + ": \"" + v.Value + "\"\n")
				continue
			}
		}
		if err := encodePair(buf, k.Value, v, indent+"  "); err != nil {
			return err
		}
	}
	return nil
}

// encodePlain writes o as encodeObject would when every line is plain
// (the common case), without building yaml nodes, and reports whether it
// did; it writes nothing when it does not.
func (r *Registry) encodePlain(buf *bytes.Buffer, key string, o *Object, indent string) bool {
	t := r.TypeOf(o)
	if t == nil || !plainKey(key) || o.Type != "" && !plainSafe(o.Type) {
		return false
	}
	n := 0
	for _, p := range t.AllProperties() {
		vals, ok := o.Values[p.Name]
		if !ok {
			continue
		}
		if p.Multi || len(vals) != 1 || !plainKey(p.Name) || !plainValue(vals[0]) {
			return false
		}
		n++
	}
	if n != len(o.Values) || n == 0 && o.Type == "" {
		return false // values of no property of t, or nothing at all
	}
	line := func(k, v string) {
		buf.WriteString(indent)
		buf.WriteString("  ")
		buf.WriteString(k)
		buf.WriteString(": ")
		if v == "true" || v == "false" {
			v = `"` + v + `"`
		}
		buf.WriteString(v)
		buf.WriteByte('\n')
	}
	buf.WriteString(indent)
	buf.WriteString(key)
	buf.WriteString(":\n")
	if o.Type != "" {
		line("type", o.Type)
	}
	for _, p := range t.AllProperties() {
		if vals, ok := o.Values[p.Name]; ok {
			line(p.Name, vals[0])
		}
	}
	return true
}

// plainValue reports whether v is written on its line as it is, or
// quoted as "true" or "false".
func plainValue(v string) bool { return plainSafe(v) || v == "true" || v == "false" }

// plainSafe reports whether yaml writes the string v plain, as it is: a
// letter or slash, then letters, digits and ._/@+- with single spaces
// between words, and not a word that YAML 1.1 or 1.2 reads as a boolean
// or null. It may answer false for strings that yaml writes plain too;
// those go through yaml.
func plainSafe(v string) bool {
	if v == "" || !(isLetter(v[0]) || v[0] == '/') || v[len(v)-1] == ' ' {
		return false
	}
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case isLetter(c) || c >= '0' && c <= '9' || strings.IndexByte("._/@+-", c) >= 0:
		case c == ' ' && v[i-1] != ' ':
		default:
			return false
		}
	}
	if len(v) > len("false") {
		return true // longer than any word below: spare the lowercase copy
	}
	switch strings.ToLower(v) {
	case "true", "false", "yes", "no", "on", "off", "y", "n", "null":
		return false
	}
	return true
}

// maxPlainKey is the longest key written here: yaml writes longer ones
// as "? key".
const maxPlainKey = 100

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// encodePair writes the one-pair mapping key: v, indented.
func encodePair(buf *bytes.Buffer, key string, v *yaml.Node, indent string) error {
	m := mapping()
	addPair(m, key, v)
	return encodeNode(buf, m, indent)
}

// encodeNode writes n as a document, every non-empty line indented by
// indent (the emitter writes no indentation on the empty lines of a
// literal block either).
func encodeNode(buf *bytes.Buffer, n *yaml.Node, indent string) error {
	var one bytes.Buffer
	enc := yaml.NewEncoder(&one)
	enc.SetIndent(2)
	if err := enc.Encode(&yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{n}}); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	for line := range bytes.Lines(one.Bytes()) {
		if len(line) > 1 {
			buf.WriteString(indent)
		}
		buf.Write(line)
	}
	return nil
}

func (r *Registry) encodeValues(o *Object) *yaml.Node {
	m := mapping()
	if o.Type != "" {
		addPair(m, "type", scalar(o.Type))
	}
	t := r.TypeOf(o)
	for _, p := range t.AllProperties() {
		vals, ok := o.Values[p.Name]
		if !ok {
			continue
		}
		if !p.Multi && len(vals) == 1 {
			addPair(m, p.Name, scalar(vals[0]))
			continue
		}
		// A single-valued property with no or several values is
		// invalid and never validated; should one get here anyway, it
		// is written as the list it is, which Validate will reject on
		// load, rather than crash or lose values.
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		if len(vals) == 0 {
			seq.Style = yaml.FlowStyle
		}
		for _, v := range vals {
			seq.Content = append(seq.Content, scalar(v))
		}
		addPair(m, p.Name, seq)
	}
	return m
}

func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

// scalar tags every value as a string, so "true" or "25" round-trips as
// text and the encoder quotes it where YAML would read it otherwise.
func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func addPair(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, scalar(key), v)
}

// Decode reads a store file. Errors carry the line they refer to. It
// checks the structure only; Validate checks the content.
func (r *Registry) Decode(data []byte) (*State, error) {
	s := NewState()
	if len(bytes.TrimSpace(data)) == 0 {
		return s, nil
	}
	if fast, ok := r.decodeFast(data); ok {
		return fast, nil
	}
	return r.decodeYAML(data)
}

// decodeYAML is Decode through a yaml node tree, for any YAML.
func (r *Registry) decodeYAML(data []byte) (*State, error) {
	s := NewState()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return s, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, atLine(root, "the file must be a mapping with a version and one section per kind of object")
	}
	sawVersion := false
	err := eachPair(root, func(key *yaml.Node, v *yaml.Node) error {
		if key.Value == "version" {
			sawVersion = true
			return checkVersion(v)
		}
		return r.decodeSection(s, key.Value, v)
	})
	if err == nil && !sawVersion {
		err = atLine(root, "the file has no format version (expected \"version: %d\")", formatVersion)
	}
	return s, err
}

func checkVersion(v *yaml.Node) error {
	if v.Kind != yaml.ScalarNode || v.Value != fmt.Sprint(formatVersion) {
		return atLine(v, "unsupported store format version %q; this dsconfig reads version %d", v.Value, formatVersion)
	}
	return nil
}

func (r *Registry) decodeSection(s *State, key string, v *yaml.Node) error {
	for _, k := range r.kinds {
		if k.Singleton() && key == k.Name {
			o := &Object{Kind: k.Name, Values: map[string][]string{}, line: v.Line}
			s.Put(o)
			return decodeValues(o, v)
		}
		if !k.Singleton() && key == k.Plural {
			return eachPair(v, func(name *yaml.Node, ov *yaml.Node) error {
				return decodeObject(s, k, name, ov)
			})
		}
	}
	return atLine(v, "unknown section %q", key)
}

func decodeObject(s *State, k *Kind, key *yaml.Node, v *yaml.Node) error {
	name := key.Value
	if name == "" {
		return atLine(key, "%s with an empty name", k.Friendly)
	}
	if err := CheckName(k, name); err != nil {
		// A hand edit can put there what no command accepts, and what the
		// audit log and export-config could not write back.
		return atLine(key, "%v", err)
	}
	o := &Object{Kind: k.Name, Name: name, Values: map[string][]string{}, line: key.Line}
	if err := decodeValues(o, v); err != nil {
		return err
	}
	t := o.Values["type"]
	if len(t) != 1 {
		return atLine(key, "%s %q has no type", k.Friendly, name)
	}
	o.Type = t[0]
	delete(o.Values, "type")
	s.Put(o)
	return nil
}

func decodeValues(o *Object, v *yaml.Node) error {
	return eachPair(v, func(key *yaml.Node, pv *yaml.Node) error {
		prop := key.Value
		switch pv.Kind {
		case yaml.ScalarNode:
			o.Values[prop] = []string{pv.Value}
		case yaml.SequenceNode:
			vals := []string{}
			for _, item := range pv.Content {
				if item.Kind != yaml.ScalarNode {
					return atLine(item, "property %q: values must be plain strings", prop)
				}
				vals = append(vals, item.Value)
			}
			o.Values[prop] = vals
		default:
			return atLine(pv, "property %q: expected a value or a list of values", prop)
		}
		return nil
	})
}

// eachPair walks a mapping node in file order and refuses duplicate keys,
// which YAML would otherwise resolve silently.
func eachPair(m *yaml.Node, fn func(key *yaml.Node, v *yaml.Node) error) error {
	if m.Kind != yaml.MappingNode {
		return atLine(m, "expected a mapping")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k := m.Content[i]
		if k.Kind != yaml.ScalarNode {
			return atLine(k, "expected a name")
		}
		if seen[k.Value] {
			return atLine(k, "%q appears twice", k.Value)
		}
		seen[k.Value] = true
		if err := fn(k, m.Content[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// sortedProblems orders problems by the line of their object, for stable
// messages.
func sortedProblems(ps []ObjectProblem) []ObjectProblem {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Object.line < ps[j].Object.line })
	return ps
}

// yamlProblem splits a yaml.v3 error into the line it names (0 if none)
// and the message without yaml's own "yaml: line N: " prefix, which the
// StoreError would otherwise repeat after its own "file:N:".
func yamlProblem(err error) (int, string) {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return 0, msg
	}
	var n int
	if _, scanErr := fmt.Sscanf(msg, "line %d:", &n); scanErr == nil {
		return n, strings.TrimSpace(strings.TrimPrefix(msg, fmt.Sprintf("line %d:", n)))
	}
	return 0, msg
}
