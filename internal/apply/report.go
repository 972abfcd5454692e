package apply

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The actions of an Entry.
const (
	actionCreate  = "create"
	actionModify  = "modify"
	actionDelete  = "delete"
	actionReplace = "replace" // deleted and created again: its type or a read-only property changed
)

// Entry is what happened to one object. Properties are the names of the
// properties it was created with, or that changed; never their values.
type Entry struct {
	Action     string   `json:"action"`
	Kind       string   `json:"kind"`
	Name       string   `json:"name"`
	Properties []string `json:"properties"`
}

// Result is apply-config's JSON output, for configuration-management
// tools: whether anything changed (or would, in a dry run), and what.
type Result struct {
	Changed bool    `json:"changed"`
	DryRun  bool    `json:"dry-run"`
	Objects []Entry `json:"objects"`
}

// NewResult returns the result of entries; Objects is never null.
func NewResult(entries []Entry, dryRun bool) Result {
	if entries == nil {
		entries = []Entry{}
	}
	return Result{Changed: len(entries) > 0, DryRun: dryRun, Objects: entries}
}

// report describes changes, one entry per object, in their order.
func report(r *config.Registry, changes []config.Change) []Entry {
	var out []Entry
	for _, ch := range changes {
		o := ch.Object()
		out = append(out, Entry{Action: action(r, ch), Kind: o.Kind, Name: o.Name, Properties: changedProperties(r, ch)})
	}
	return out
}

func action(r *config.Registry, ch config.Change) string {
	switch {
	case r.Kind(ch.Object().Kind).Singleton():
		return actionModify // it always exists, with its defaults
	case ch.Old == nil:
		return actionCreate
	case ch.New == nil:
		return actionDelete
	case r.MustReplace(ch.Old, ch.New):
		return actionReplace
	}
	return actionModify
}

// changedProperties names the properties whose values differ between the
// old and the new object, in the type's order; for a deletion, none. The
// global configuration is never deleted: it returns to its defaults.
func changedProperties(r *config.Registry, ch config.Change) []string {
	names := []string{}
	o := ch.Object()
	if ch.New == nil && !r.Kind(o.Kind).Singleton() {
		return names
	}
	old, new := map[string][]string{}, map[string][]string{}
	if ch.Old != nil && (ch.New == nil || ch.Old.Type == ch.New.Type) {
		old = ch.Old.Values
	}
	if ch.New != nil {
		new = ch.New.Values
	}
	for _, p := range r.TypeOf(o).AllProperties() {
		ov, oset := old[p.Name]
		nv, nset := new[p.Name]
		if oset != nset || !slices.Equal(ov, nv) {
			names = append(names, p.Name)
		}
	}
	return names
}

var pastTense = map[string]string{actionCreate: "created", actionModify: "modified", actionDelete: "deleted", actionReplace: "replaced"}

// WriteText writes one line per entry, then a summary; with dryRun the
// lines say what would be done.
func WriteText(w io.Writer, entries []Entry, dryRun bool) {
	for _, e := range entries {
		verb := pastTense[e.Action]
		if dryRun {
			verb = "would " + e.Action
		}
		line := verb + " " + e.Kind
		if e.Name != "" {
			line += " " + strconv.Quote(e.Name)
		}
		if len(e.Properties) > 0 {
			line += ": " + strings.Join(e.Properties, ", ")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, summary(len(entries), dryRun))
}

func summary(n int, dryRun bool) string {
	switch {
	case n == 0:
		return "no changes: the configuration is as desired"
	case dryRun:
		return fmt.Sprintf("%s would change (dry run: nothing was changed)", objects(n))
	}
	return objects(n) + " changed"
}

func objects(n int) string {
	if n == 1 {
		return "1 object"
	}
	return fmt.Sprintf("%d objects", n)
}
