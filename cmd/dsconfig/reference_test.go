package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/helptext"
)

// The per-type property reference in docs/reference is rendered from the
// registry, like --help and list-properties, and checked for staleness by
// TestCommandDocsUpToDate.

func writeReference(dir string, reg *config.Registry) error {
	ref := filepath.Join(dir, "reference")
	if err := os.MkdirAll(ref, 0o755); err != nil {
		return err
	}
	var index strings.Builder
	index.WriteString("# Property reference\n\n" + generatedNote + "\n\n")
	for _, k := range reg.Kinds() {
		fmt.Fprintf(&index, "- [%s](%s.md): %s\n", k.Friendly, k.Name, k.Synopsis)
		if err := os.WriteFile(filepath.Join(ref, k.Name+".md"), []byte(kindReference(k)), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(ref, "README.md"), []byte(index.String()), 0o644)
}

const generatedNote = "<!-- Generated from the property registry by `make docs`; do not edit. -->"

func kindReference(k *config.Kind) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n%s\n\n%s\n\n", k.Friendly, generatedNote, k.Synopsis)
	if k.Singleton() {
		fmt.Fprintf(&b, "Subcommands: `get-%[1]s-prop`, `set-%[1]s-prop`.\n", k.Name)
	} else {
		fmt.Fprintf(&b, "Subcommands: `create-%[1]s`, `list-%[2]s`, `get-%[1]s-prop`, `set-%[1]s-prop`, `delete-%[1]s`; the name is given with `--%[3]s`.\n",
			k.Name, k.Plural, k.NamingArg)
	}
	for _, t := range k.Types() {
		if t.Name != "" {
			fmt.Fprintf(&b, "\n## Type `%s`\n\n%s\n", t.Name, t.Synopsis)
		}
		if t.Warning != "" {
			fmt.Fprintf(&b, "\n**Warning:** %s.\n", t.Warning)
		}
		writePropertyTable(&b, t)
	}
	return b.String()
}

func writePropertyTable(b *strings.Builder, t *config.Type) {
	b.WriteString("\n| Property | Description | Syntax | Default | Flags |\n|---|---|---|---|---|\n")
	for _, p := range t.SortedProperties() {
		desc := p.Synopsis
		if p.Note != "" {
			desc += " " + p.Note
		}
		def := helptext.DefaultText(p)
		if def == "" {
			def = "none"
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", p.Name, mdCell(desc), mdCell(p.Syntax.Describe()), mdCell(def), strings.Join(helptext.PropertyFlags(withoutDefault(p)), ", "))
	}
}

// withoutDefault drops the default from the flags column, which has its
// own column here.
func withoutDefault(p *config.PropertyDef) *config.PropertyDef {
	c := *p
	c.Default, c.DefaultText = nil, ""
	return &c
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
