// Package helptext renders, from the registry, the help texts and
// examples of the object commands (create-K, set-K-prop, get-K-prop) and
// the property flags that help and list-properties show, so that they
// cannot drift from what the commands accept.
package helptext

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/mailer"
)

// JoinTypes lists the types of k, for help and errors.
func JoinTypes(k *config.Kind) string { return strings.Join(k.TypeNames(), ", ") }

// Create is the help of create-K: the types of k and their properties.
func Create(k *config.Kind) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Creates %s. %s\n\nGive the name with --%s and the type with --type, then each property with\n--set PROP:VALUE. Mandatory properties must be given.\n", AFriendly(k), k.Synopsis, k.NamingArg)
	writeTypeProps(&b, k)
	return b.String()
}

// Modify is the help of set-K-prop.
func Modify(k *config.Kind) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Modifies %s properties. %s\n\nWithin one command resets apply first, then sets, removes and adds. The\nfirst --set of a property replaces its values; further --set of the same\nproperty add values.\n", k.Friendly, k.Synopsis)
	writeTypeProps(&b, k)
	return b.String()
}

func writeTypeProps(b *strings.Builder, k *config.Kind) {
	for _, t := range k.Types() {
		if t.Name != "" {
			fmt.Fprintf(b, "\nType %s: %s\n", t.Name, t.Synopsis)
		} else {
			b.WriteString("\nProperties:\n")
		}
		for _, p := range t.SortedProperties() {
			fmt.Fprintf(b, "  %s%s\n      %s\n", p.Name, propFlagsText(p), p.Synopsis)
		}
	}
}

// propFlagsText is PropertyFlags for help text, e.g.
// " (mandatory, multi-valued, default: 30 s)", or "" when there are none.
func propFlagsText(p *config.PropertyDef) string {
	f := PropertyFlags(p)
	if len(f) == 0 {
		return ""
	}
	return " (" + strings.Join(f, ", ") + ")"
}

// PropertyFlags lists a property's metadata: mandatory, multi-valued,
// read-only, advanced, sensitive and its default.
func PropertyFlags(p *config.PropertyDef) []string {
	var f []string
	if p.Mandatory {
		f = append(f, "mandatory")
	}
	if p.Multi {
		f = append(f, "multi-valued")
		if p.Ordered {
			f[len(f)-1] = "ordered multi-valued"
		}
	}
	if p.ReadOnly {
		f = append(f, "read-only")
	}
	if p.Advanced {
		f = append(f, "advanced")
	}
	if p.Sensitive {
		f = append(f, "sensitive")
	}
	if d := DefaultText(p); d != "" {
		f = append(f, "default: "+d)
	}
	return f
}

// DefaultText is the default of p as help shows it, or "" when it has none.
func DefaultText(p *config.PropertyDef) string {
	if len(p.Default) > 0 {
		return strings.Join(p.Default, ", ")
	}
	return p.DefaultText
}

// exampleValue is a plausible value for p, for examples.
func exampleValue(p *config.PropertyDef) string {
	if len(p.Default) > 0 {
		return p.Default[0]
	}
	switch s := p.Syntax.(type) {
	case config.Enum:
		return s.Values[0]
	case config.Boolean:
		return "true"
	case config.Reference:
		return "NAME"
	}
	return "VALUE"
}

// CreateExample shows the first type of k; for external servers it shows
// the SMTP server first, the case dsconfig exists for, then the others.
func CreateExample(k *config.Kind) string {
	types := k.Types()[:1]
	if i := slices.IndexFunc(k.Types(), func(t *config.Type) bool { return t.Name == mailer.TypeSMTP }); i >= 0 {
		types = append([]*config.Type{k.Types()[i]}, slices.Delete(slices.Clone(k.Types()), i, i+1)...)
	}
	var lines []string
	for _, t := range types {
		line := fmt.Sprintf("  dsconfig create-%s --%s \"My %s\" --type %s", k.Name, k.NamingArg, k.Friendly, t.Name)
		for _, p := range t.AllProperties() {
			if p.Mandatory {
				line += " --set " + batchfile.Quote(p.Name+":"+exampleValue(p))
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// SetPropExample is the example of set-K-prop.
func SetPropExample(k *config.Kind) string {
	name := ""
	if !k.Singleton() {
		name = fmt.Sprintf(" --%s \"My %s\"", k.NamingArg, k.Friendly)
	}
	t := k.Types()[0]
	p := t.SortedProperties()[0]
	return fmt.Sprintf("  dsconfig set-%s-prop%s --set %s\n  dsconfig set-%s-prop%s --reset %s",
		k.Name, name, batchfile.Quote(p.Name+":"+exampleValue(p)), k.Name, name, p.Name)
}

// GetPropExample is the example of get-K-prop.
func GetPropExample(k *config.Kind) string {
	name := ""
	if !k.Singleton() {
		name = fmt.Sprintf(" --%s \"My %s\"", k.NamingArg, k.Friendly)
	}
	return fmt.Sprintf("  dsconfig get-%s-prop%s\n  dsconfig get-%s-prop%s --advanced --output json", k.Name, name, k.Name, name)
}

// AFriendly is the kind's friendly name with its indefinite article: "an
// External Server", "an HTTP Authorization Method" (read "aitch").
func AFriendly(k *config.Kind) string {
	if strings.ContainsRune("AEIOU", rune(k.Friendly[0])) || strings.HasPrefix(k.Friendly, "HTTP") {
		return "an " + k.Friendly
	}
	return "a " + k.Friendly
}
