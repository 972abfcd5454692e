package render

import (
	"fmt"
	"slices"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// HasEnabled reports whether the objects of k have the enabled property,
// which list-K shows.
func HasEnabled(k *config.Kind) bool {
	return slices.ContainsFunc(k.Common, func(p *config.PropertyDef) bool { return p.Name == config.PropEnabled })
}

// Columns are the columns list-K shows after the name and the type:
// enabled, when k has it, then the properties named with --property. A
// name that no type of k has is refused: a typo would otherwise show as
// a column of "-".
func Columns(k *config.Kind, names []string) ([]string, error) {
	for _, name := range names {
		known := false
		for _, t := range k.Types() {
			known = known || t.Property(name) != nil
		}
		if !known {
			return nil, config.Usagef(fmt.Sprintf("run 'dsconfig list-properties --object-type %s' to see the valid properties", k.Name),
				"The property %q is not a recognized property of any type of %s", name, k.Friendly)
		}
	}
	cols := []string{}
	if HasEnabled(k) {
		cols = append(cols, config.PropEnabled)
	}
	for _, p := range names {
		if !slices.Contains(cols, p) { // enabled is there already
			cols = append(cols, p)
		}
	}
	return cols, nil
}

// List renders the objects of list-K: a table row each, with the name,
// the type and the columns cols, and their JSON, which holds what
// get-K-prop shows plus the properties of cols.
func List(r *config.Registry, objs []*config.Object, cols []string, script bool) ([][]string, []Object) {
	var rows [][]string
	js := []Object{}
	for _, obj := range objs {
		v := r.View(obj)
		row := []string{display(obj.Name), obj.Type}
		props, _ := Shown(v.Type, nil, false)
		for _, c := range cols {
			p := v.Type.Property(c)
			if p == nil {
				row = append(row, "-") // the property does not apply to this type
				continue
			}
			if !slices.Contains(props, p) {
				props = append(props, p)
			}
			row = append(row, cell(values(v, p), script))
		}
		rows = append(rows, row)
		js = append(js, ObjectJSON(v, props))
	}
	return rows, js
}

// Shown picks the properties get-K-prop shows, in name order: those
// named, or else all but the advanced ones, unless advanced is set.
func Shown(t *config.Type, names []string, advanced bool) ([]*config.PropertyDef, error) {
	if len(names) == 0 {
		var out []*config.PropertyDef
		for _, p := range t.SortedProperties() {
			if advanced || !p.Advanced {
				out = append(out, p)
			}
		}
		return out, nil
	}
	var out []*config.PropertyDef
	for _, name := range names {
		p := t.Property(name)
		if p == nil {
			return nil, config.UnknownProperty(t, name)
		}
		out = append(out, p)
	}
	return out, nil
}

// PropRows are get-K-prop's table rows: a property and its values each.
func PropRows(v config.View, props []*config.PropertyDef, script bool) [][]string {
	var rows [][]string
	for _, p := range props {
		rows = append(rows, []string{p.Name, cell(values(v, p), script)})
	}
	return rows
}
