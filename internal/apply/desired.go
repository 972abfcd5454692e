package apply

import (
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/batchfile"
	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Desired is the configuration a desired file describes.
type Desired struct {
	State *config.State
	// Kinds are the kinds the file mentions, those --prune applies to.
	Kinds map[string]bool
	// where is the command that created each object, for errors.
	where map[objectKey]batchfile.Line
}

type objectKey struct{ kind, name string }

// command is one line of the desired file, read.
type command struct {
	kind     *config.Kind
	create   bool
	name     string
	typeName string
	set      []string
	add      []string
	remove   []string
	reset    []string
}

// Read builds the desired configuration from the commands of a desired
// file, in order, on an empty state. It refuses the first command that is
// not a create-X or set-X-prop, that gives a sensitive property, or that
// fails, with the file and line.
func Read(r *config.Registry, lines []batchfile.Line) (*Desired, error) {
	d := &Desired{State: config.NewState(), Kinds: map[string]bool{}, where: map[objectKey]batchfile.Line{}}
	tx := &config.Tx{Registry: r, State: d.State, Sealer: noSealer{}}
	for _, l := range lines {
		if err := d.run(r, tx, l); err != nil {
			return nil, &lineError{l, err}
		}
	}
	return d, nil
}

func (d *Desired) run(r *config.Registry, tx *config.Tx, l batchfile.Line) error {
	c, err := parse(r, l.Args)
	if err != nil {
		return err
	}
	mods, err := r.ParseMods(c.set, c.add, c.remove, c.reset)
	if err != nil {
		return err
	}
	d.Kinds[c.kind.Name] = true
	if c.create {
		t, err := config.LookupType(c.kind, c.typeName)
		if err != nil {
			return err
		}
		if _, err := tx.Create(t, c.name, mods); err != nil {
			return err
		}
		d.where[objectKey{c.kind.Name, c.name}] = l
		return nil
	}
	if d.State.Get(c.kind.Name, c.name) == nil {
		// A built-in object is changed from its shipped form, as
		// export-config writes it.
		if b := r.Builtin(c.kind.Name, c.name); b != nil {
			d.State.Put(b)
		}
	}
	if _, err := tx.Modify(c.kind, c.name, mods); err != nil {
		return err
	}
	if _, ok := d.where[objectKey{c.kind.Name, c.name}]; !ok {
		d.where[objectKey{c.kind.Name, c.name}] = l
	}
	return nil
}

// parse reads one command: its name, the naming argument, --type and the
// property arguments, as export-config writes them.
func parse(r *config.Registry, args []string) (*command, error) {
	c, err := commandOf(r, args[0])
	if err != nil {
		return nil, err
	}
	for i := 1; i < len(args); i++ {
		opt, val, inline := strings.Cut(args[i], "=")
		if !strings.HasPrefix(opt, "--") {
			return nil, usagef("give each value with its option, as export-config writes them",
				"unexpected argument #%d (not shown, as it may be a secret)", i)
		}
		if !inline {
			if i+1 == len(args) {
				return nil, usagef("", "the option %q needs a value", opt)
			}
			i++
			val = args[i]
		}
		if err := c.option(r, opt[2:], val); err != nil {
			return nil, err
		}
	}
	return c, c.complete()
}

// commandOf reads the command name: create-X or set-X-prop.
func commandOf(r *config.Registry, name string) (*command, error) {
	for _, k := range r.Kinds() {
		if name == "set-"+k.Name+"-prop" {
			return &command{kind: k}, nil
		}
		if name == "create-"+k.Name && !k.Singleton() {
			return &command{kind: k, create: true}, nil
		}
	}
	return nil, usagef("a desired file holds the create-* and set-*-prop commands that export-config writes",
		"apply-config cannot use %q in a desired file", name)
}

func (c *command) option(r *config.Registry, opt, val string) error {
	if prop, _, _ := strings.Cut(val, ":"); opt != "type" && sensitive(c.kind, prop) {
		return &secretError{Property: prop}
	}
	switch {
	case opt == c.kind.NamingArg && opt != "":
		c.name = val
	case opt == "type" && c.create:
		c.typeName = val
	case opt == "set":
		c.set = append(c.set, val)
	case opt == "add" && !c.create:
		c.add = append(c.add, val)
	case opt == "remove" && !c.create:
		c.remove = append(c.remove, val)
	case opt == "reset" && !c.create:
		c.reset = append(c.reset, val)
	default:
		return usagef(c.allowed(), "apply-config cannot use the option --%s in a desired file", opt)
	}
	return nil
}

// allowed lists the options the command takes in a desired file.
func (c *command) allowed() string {
	var opts []string
	if !c.kind.Singleton() {
		opts = append(opts, "--"+c.kind.NamingArg)
	}
	if c.create {
		return "create-" + c.kind.Name + " takes " + strings.Join(append(opts, "--type", "--set"), ", ")
	}
	return "set-" + c.kind.Name + "-prop takes " + strings.Join(append(opts, "--set", "--add", "--remove", "--reset"), ", ")
}

func (c *command) complete() error {
	switch {
	case !c.kind.Singleton() && c.name == "":
		return usagef(c.allowed(), "the option --%s is missing", c.kind.NamingArg)
	case c.create && c.typeName == "":
		return usagef(c.allowed(), "the option --type is missing")
	}
	return nil
}

// sensitive reports whether prop is a sensitive property of some type of
// k. It is checked before the type is known, so that a secret is refused
// whatever else is wrong with its line.
func sensitive(k *config.Kind, prop string) bool {
	for _, t := range k.Types() {
		if p := t.Property(prop); p != nil && p.Sensitive {
			return true
		}
	}
	return false
}

// noSealer refuses to seal: a desired file holds no secrets, and Read
// refuses them before any value is applied.
type noSealer struct{}

func (noSealer) Seal(property, _ string) (string, error) {
	return "", &secretError{Property: property}
}

var _ config.Sealer = noSealer{}

// lineOf returns where o was described in the file, if it was.
func (d *Desired) lineOf(o *config.Object) (batchfile.Line, bool) {
	l, ok := d.where[objectKey{o.Kind, o.Name}]
	return l, ok
}
