package config

import "bytes"

// A raw store is a store file that Load did not decode: the file a
// validation record (checked.go) vouches for, byte for byte. Such a file
// is exactly what encodeFile wrote, so its layout is known without
// reading it all:
//
//   - a top-level line (no indent) is "version: 1", a kind's section
//     ("plural:") or a singleton's ("name:"), in the registry's order;
//   - within a section, an object starts at a line indented two spaces,
//     its name, and its lines run to the next such line or the section's
//     end; objects are in name order;
//   - a name yaml writes as a complex key ("? name", for one longer than
//     128 characters) has its values on a line indented two spaces that
//     starts with ":", part of the same object;
//   - every deeper line is indented at least four spaces, block scalars
//     included.
//
// A State backed by one decodes an object when it is asked for it, a kind
// when it is listed, and everything only when something walks it all.
// A command that reads or changes one object out of ten thousand then
// costs about what it costs on a store of one.
type rawStore struct {
	reg      *Registry
	data     []byte
	sections map[string]span // kind name → its section, header line included
}

var (
	newline = []byte("\n")
	indent2 = []byte("\n  ")
	indent4 = []byte("    ")
	// complexValue starts the values of a complex key ("? name").
	complexValue = []byte("  :")
)

// span is a half-open byte range of rawStore.data.
type span struct{ start, end int }

func newRawStore(reg *Registry, data []byte) *rawStore {
	r := &rawStore{reg: reg, data: data, sections: map[string]span{}}
	// Sections are in the registry's order, each from its header line to
	// the next one's.
	var last *Kind
	from := 0
	for _, k := range reg.kinds {
		key := k.Plural
		if k.Singleton() {
			key = k.Name
		}
		i := bytes.Index(data[from:], []byte("\n"+key+":\n"))
		if i < 0 {
			continue
		}
		i += from + 1
		if last != nil {
			r.endSection(last, i)
		}
		r.sections[k.Name] = span{i, len(data)}
		last, from = k, i
	}
	return r
}

func (r *rawStore) endSection(k *Kind, at int) {
	sp := r.sections[k.Name]
	sp.end = at
	r.sections[k.Name] = sp
}

// lineEnd returns the start of the line after the one at i.
func lineEnd(s []byte, i int) int {
	if j := bytes.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

// startsObject reports whether the line at i, in a section, is an
// object's name line. Blank lines belong to the object before (yaml
// writes a block scalar's empty lines without indent), and so do lines
// indented four spaces or more, and the ": " line of a complex key.
func (r *rawStore) startsObject(i int) bool {
	line := r.data[i:]
	return line[0] != '\n' && !bytes.HasPrefix(line, indent4) && !bytes.HasPrefix(line, complexValue)
}

// objectEnd returns where the object whose name line starts at i ends.
func (r *rawStore) objectEnd(i, sectionEnd int) int {
	for i = lineEnd(r.data, i); i < sectionEnd && !r.startsObject(i); i = lineEnd(r.data, i) {
	}
	return min(i, sectionEnd)
}

// find decodes the named object of kind k, or returns nil. It bisects
// the section (seek), so that looking for a name, there or not, reads a
// dozen name lines, not the file.
func (r *rawStore) find(k *Kind, name string) *Object {
	sec, has := r.sections[k.Name]
	switch {
	case !has:
		return nil
	case k.Singleton():
		if name != "" {
			return nil
		}
		return r.decode(k, sec)
	}
	body := r.body(k)
	at, found := r.seek(k, body.start, body.end, name)
	if !found {
		return nil
	}
	return r.decode(k, span{at, r.objectEnd(at, body.end)})
}

// seek returns where, in the section of kind k, the object called name
// is, or would go: the start of the first object from lo on whose name is
// not less than name (end if there is none), and whether it
// is that very object. Objects are in name order, so it bisects the
// section by bytes: each probe reads one name line, and a change to one
// object of ten thousand reads a dozen names, not the section.
func (r *rawStore) seek(k *Kind, lo, end int, name string) (at int, found bool) {
	hi := end
	for lo < hi {
		mid := lo + (hi-lo)/2
		m := r.nextObject(mid, hi)
		if m == hi {
			m = r.enclosing(k, r.sections[k.Name], mid).start
		}
		if r.name(k, m) < name {
			lo = r.objectEnd(m, end)
		} else {
			hi = m
		}
	}
	return lo, lo < end && r.name(k, lo) == name
}

// nextObject returns the start of the first object that starts at or
// after i, or end.
func (r *rawStore) nextObject(i, end int) int {
	if i > 0 && r.data[i-1] != '\n' {
		i = lineEnd(r.data, i)
	}
	for ; i < end; i = lineEnd(r.data, i) {
		if r.startsObject(i) {
			return i
		}
	}
	return end
}

// body returns where the objects of kind k's section start and end: the
// section without its header line; an empty span at the file's end when
// the file has no such section.
func (r *rawStore) body(k *Kind) span {
	sec, has := r.sections[k.Name]
	if !has {
		return span{len(r.data), len(r.data)}
	}
	return span{lineEnd(r.data, sec.start), sec.end}
}

// all decodes every object of kind k.
func (r *rawStore) all(k *Kind) []*Object {
	sec, has := r.sections[k.Name]
	if !has {
		return nil
	}
	st := r.decodeText(r.data[sec.start:sec.end], r.lineOf(sec.start)-2)
	if k.Singleton() {
		return []*Object{st.Get(k.Name, "")}
	}
	return st.List(k.Name)
}

// decode decodes the one object at sp, of kind k.
func (r *rawStore) decode(k *Kind, sp span) *Object {
	text, shift := r.data[sp.start:sp.end], r.lineOf(sp.start)-2
	if !k.Singleton() {
		text, shift = append([]byte(k.Plural+":\n"), text...), shift-1
	}
	st := r.decodeText(text, shift)
	for _, objs := range st.objects {
		for _, o := range objs {
			return o
		}
	}
	panic("config: a validated store file does not decode")
}

// decodeText decodes part of the file as a file of its own, and moves its
// objects' lines by shift to where they are in the whole file.
func (r *rawStore) decodeText(text []byte, shift int) *State {
	st, err := r.reg.Decode(append([]byte("version: 1\n"), text...))
	if err != nil {
		// The record vouched for these bytes: encodeFile wrote them and
		// they were validated. Only a bug gets here.
		panic("config: a validated store file does not decode: " + err.Error())
	}
	for _, objs := range st.objects {
		for _, o := range objs {
			o.line += shift
		}
	}
	return st
}

// lineOf returns the line number of offset i.
func (r *rawStore) lineOf(i int) int { return bytes.Count(r.data[:i], newline) + 1 }

// name returns the name of the object whose name line starts at i.
func (r *rawStore) name(k *Kind, i int) string {
	line := r.data[i:lineEnd(r.data, i)]
	if key, ok := bytes.CutSuffix(line[2:], []byte(":\n")); ok && plainKey(string(key)) {
		return string(key)
	}
	// A name yaml had to quote: decode the object for it. Rare, as no
	// command accepts most such names.
	return r.decode(k, span{i, r.objectEnd(i, r.sections[k.Name].end)}).Name
}

// containing returns the objects, of every kind, whose text holds s, each
// once.
func (r *rawStore) containing(s string) []rawHit {
	var hits []rawHit
	for _, k := range r.reg.kinds {
		sec, has := r.sections[k.Name]
		if !has {
			continue
		}
		for from := lineEnd(r.data, sec.start); from < sec.end; {
			at := bytes.Index(r.data[from:sec.end], []byte(s))
			if at < 0 {
				break
			}
			sp := r.enclosing(k, sec, from+at)
			hits = append(hits, rawHit{k, sp})
			from = sp.end
		}
	}
	return hits
}

// rawHit is an object of kind k at span.
type rawHit struct {
	k    *Kind
	span span
}

// enclosing returns the span of the object of kind k that holds offset
// at, which is past the section's header line.
func (r *rawStore) enclosing(k *Kind, sec span, at int) span {
	if k.Singleton() {
		return sec
	}
	// The object's name line is the last line before at that starts an
	// object; the header line ends with the newline before the first one.
	i := at
	for {
		i = bytes.LastIndex(r.data[sec.start:i], indent2) + sec.start
		if r.startsObject(i + 1) {
			break
		}
	}
	return span{i + 1, r.objectEnd(i+1, sec.end)}
}
