package helptext

import (
	"slices"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Property is one property in list-properties' JSON.
type Property struct {
	ObjectType string   `json:"object-type"`
	Type       string   `json:"type,omitempty"`
	Property   string   `json:"property"`
	Syntax     string   `json:"syntax"`
	Flags      string   `json:"flags,omitempty"`
	Default    []string `json:"default,omitempty"`
	Synopsis   string   `json:"synopsis"`
}

// ListProperties is what list-properties shows: the properties of every
// kind, or of kind, of every type, or of typ, the advanced ones only if
// advanced is set; a table row each, with the synopsis if description is
// set, and the same as JSON. An unknown kind or type is a usage error
// that lists the known ones.
func ListProperties(r *config.Registry, kind, typ string, advanced, description bool) ([][]string, []Property, error) {
	kinds := r.Kinds()
	if kind != "" {
		k := r.Kind(kind)
		if k == nil {
			return nil, nil, config.Usagef("", "unknown --object-type %q; it is one of: %s", kind, kindNames(r))
		}
		kinds = []*config.Kind{k}
	}
	var rows [][]string
	var js []Property
	matched := false
	for _, k := range kinds {
		for _, t := range k.Types() {
			if typ != "" && t.Name != typ {
				continue
			}
			matched = true
			for _, p := range t.SortedProperties() {
				if p.Advanced && !advanced {
					continue
				}
				flags := strings.Join(PropertyFlags(p), ", ")
				row := []string{p.Name, k.Name, typeLabel(t), p.Syntax.Describe(), flags}
				if description {
					row = append(row, p.Synopsis)
				}
				rows = append(rows, row)
				js = append(js, Property{k.Name, t.Name, p.Name, p.Syntax.Describe(), flags, p.Default, p.Synopsis})
			}
		}
	}
	if typ != "" && !matched {
		return nil, nil, config.Usagef("", "unknown --type %q; it is one of: %s", typ, typesOf(kinds))
	}
	return rows, js, nil
}

func typeLabel(t *config.Type) string {
	if t.Name == "" {
		return "-"
	}
	return t.Name
}

func kindNames(r *config.Registry) string {
	var n []string
	for _, k := range r.Kinds() {
		n = append(n, k.Name)
	}
	return strings.Join(n, ", ")
}

// typesOf lists the type names of kinds, for an error about --type.
func typesOf(kinds []*config.Kind) string {
	var names []string
	for _, k := range kinds {
		for _, n := range k.TypeNames() {
			if n != "" && !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return strings.Join(names, ", ")
}
