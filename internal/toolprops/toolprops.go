// Package toolprops reads tools.properties, the file that gives global
// options values that are not on the command line, as PingDirectory's
// config/tools.properties does.
//
// The file is a Java properties file, read by github.com/magiconair/properties
// through a viper codec: the name ends at the first unescaped "=", ":" or
// white space (so "bindPassword secret" is a name and a value), # and !
// start comments, a line ending in an odd number of backslashes continues
// on the next, and backslash escapes (\t, \n, \uXXXX, \=, ...) are read
// as Java reads them. ${...} is not expanded: values are read as written.
// "dsconfig.NAME=VALUE" beats "NAME=VALUE", and names that are not
// dsconfig options are ignored, so one file can serve every tool. Errors
// name the line, never a value: the file usually holds other tools'
// passwords.
package toolprops

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/magiconair/properties"
	"github.com/spf13/viper"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// FileName is the tool-defaults file in the configuration directory.
const FileName = "tools.properties"

// maxSize bounds the file: a few dozen defaults take a few KiB.
const maxSize = 1 << 20

// Defaults are the values of one tools.properties file.
type Defaults struct{ v *viper.Viper }

// parse reads the contents of a tools.properties file; path is used in
// errors.
func parse(path string, data []byte) (*Defaults, error) {
	codecs := viper.NewCodecRegistry()
	if err := codecs.RegisterCodec("properties", codec{}); err != nil {
		return nil, err
	}
	v := viper.NewWithOptions(viper.WithDecoderRegistry(codecs))
	v.SetConfigType("properties")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		// viper's "While parsing config:" would only repeat what the
		// line number says.
		var se *syntaxError
		if errors.As(err, &se) {
			se.Path = path
			return nil, se
		}
		return nil, &syntaxError{Path: path, Msg: err.Error()}
	}
	return &Defaults{v}, nil
}

// Lookup returns the value for dsconfig's option name, or "" if the file
// has none: "dsconfig.NAME" if set, else "NAME".
func (d *Defaults) Lookup(name string) string {
	if d == nil {
		return ""
	}
	if k := "dsconfig." + name; d.v.IsSet(k) {
		return d.v.GetString(k)
	}
	return d.v.GetString(name)
}

// syntaxError is a malformed tools.properties. It names the line, not the
// text, and is a usage error (exit 2).
type syntaxError struct {
	Path string
	Line int // 0 if unknown
	Msg  string
}

func (e *syntaxError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.Path, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
}

func (e *syntaxError) Is(target error) bool { return target == config.ErrUsage }

// codec is viper's decoder for Java properties. viper has had no
// properties codec of its own since v1.20; the maintained one,
// github.com/go-viper/encoding/javaproperties, calls properties.Load,
// which expands ${...} and fails on an undefined name, naming it (part
// of a value). This one loads with DisableExpansion instead.
type codec struct{}

var _ viper.Codec = codec{}

func (codec) Encode(map[string]any) ([]byte, error) {
	return nil, errors.New("tools.properties is read-only")
}

// lineRE parses the errors of magiconair/properties, "properties: Line 3:
// invalid unicode literal", whose messages never quote the text.
var lineRE = regexp.MustCompile(`^properties: Line (\d+): (.*)$`)

func (codec) Decode(b []byte, out map[string]any) error {
	l := &properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}
	p, err := l.LoadBytes(b)
	if err != nil {
		m := lineRE.FindStringSubmatch(err.Error())
		if m == nil {
			return &syntaxError{Msg: "malformed"}
		}
		n, _ := strconv.Atoi(m[1])
		return &syntaxError{Line: n, Msg: "the line is malformed: " + describe(m[2])}
	}
	for _, k := range p.Keys() {
		v, _ := p.Get(k)
		if k != "" {
			putDotted(out, strings.ToLower(k), v)
		}
	}
	return nil
}

// describe words the library's few lexer errors in the house tone.
func describe(msg string) string {
	if msg == "invalid unicode literal" {
		return "a \\u escape needs four hex digits"
	}
	return msg
}

// putDotted stores "tool.name" as out[tool][name], the nesting viper's
// dotted keys look up.
func putDotted(out map[string]any, key, value string) {
	tool, name, ok := strings.Cut(key, ".")
	if !ok {
		out[key] = value
		return
	}
	m, _ := out[tool].(map[string]any)
	if m == nil {
		m = map[string]any{}
		out[tool] = m
	}
	putDotted(m, name, value)
}
