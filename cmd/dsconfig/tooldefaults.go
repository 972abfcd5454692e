package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Tool defaults give global options values that are not on the command
// line, as PingDirectory's config/tools.properties does. The precedence is
// flag > DSCONFIG_* environment variable > tools.properties > built-in
// default. In the file, "dsconfig.NAME=VALUE" beats "NAME=VALUE", and
// names that are not dsconfig global options (options of other tools, LDAP
// connection options) are ignored, so one file can serve every tool.

// ToolsPropertiesName is the tool-defaults file in the configuration
// directory.
const ToolsPropertiesName = "tools.properties"

// noDefaults are the global options that tool defaults do not set: the
// configuration directory has its own DSCONFIG_CONFIG_DIR and holds the
// file, --no-properties-file switches the file off, and a reason belongs
// to one change.
var noDefaults = map[string]bool{"config-dir": true, "no-properties-file": true, "help": true, "reason": true}

// envName is the environment variable for a global option.
func envName(flag string) string {
	return "DSCONFIG_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// preRun runs before every command. In a batch line it guards the batch;
// otherwise it fills global options from the tool defaults.
func (f *factory) preRun(cmd *cobra.Command) error {
	if f.tx != nil {
		return checkBatchLine(cmd)
	}
	if strings.ContainsAny(f.Global.Reason, "\r\n\x00") {
		return usagef("--reason must be one line: it is written as a comment in the config audit log")
	}
	return f.applyToolDefaults(cmd)
}

func (f *factory) applyToolDefaults(cmd *cobra.Command) error {
	file, err := f.loadToolsProperties(cmd)
	if err != nil {
		return err
	}
	var errs []error
	cmd.Root().PersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || noDefaults[fl.Name] {
			return
		}
		if err := setDefault(fl, f.Getenv(envName(fl.Name)), "environment variable "+envName(fl.Name)); err != nil || fl.Changed {
			errs = append(errs, err)
			return
		}
		errs = append(errs, setDefault(fl, lookupDefault(file, fl.Name), ToolsPropertiesName))
	})
	return errors.Join(errs...)
}

// setDefault gives fl the value v from source, if v is not empty. It marks
// the flag changed, so that lower layers leave it alone.
func setDefault(fl *pflag.Flag, v, source string) error {
	if v == "" {
		return nil
	}
	if err := fl.Value.Set(v); err != nil {
		return usagef("invalid value %q for --%s in %s: %v", v, fl.Name, source, err)
	}
	fl.Changed = true
	return nil
}

func lookupDefault(v *viper.Viper, name string) string {
	if v == nil {
		return ""
	}
	if k := "dsconfig." + name; v.IsSet(k) {
		return v.GetString(k)
	}
	return v.GetString(name)
}

// loadToolsProperties reads tools.properties from the configuration
// directory, or returns nil when there is none or it is switched off.
func (f *factory) loadToolsProperties(cmd *cobra.Command) (*viper.Viper, error) {
	off := f.Global.NoPropertiesFile
	if !cmd.Root().PersistentFlags().Changed("no-properties-file") {
		off = off || f.Getenv(envName("no-properties-file")) == "true"
	}
	dir, err := f.configDir()
	if off || err != nil {
		return nil, nil // without a directory there is no file; the command reports it if it matters
	}
	path := filepath.Join(dir, ToolsPropertiesName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err // unreadable: exit 1, like any file that cannot be read
	}
	codecs := viper.NewCodecRegistry()
	codecs.RegisterCodec("properties", propertiesCodec{path})
	v := viper.NewWithOptions(viper.WithDecoderRegistry(codecs))
	v.SetConfigType("properties")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		// Our codec's error already names the file and line; viper's
		// "While parsing config:" would only repeat that.
		var fe *flagError
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, usagef("%s: %v", path, err)
	}
	return v, nil
}

// propertiesCodec reads PingDirectory tools.properties files, which are
// Java properties files: the name ends at the first unescaped "=", ":" or
// white space (so "bindPassword secret" is a name and a value), # and !
// start comments, a line ending in an odd number of backslashes continues
// on the next, and backslash escapes (\t, \n, \uXXXX, \=, ...) are
// read as Java reads them. A dotted name such as dsconfig.no-prompt
// applies to one tool. Errors name the line and the name, never the
// value: the file usually holds other tools' passwords.
type propertiesCodec struct{ path string }

func (c propertiesCodec) Encode(map[string]any) ([]byte, error) {
	return nil, errors.New("tools.properties is read-only")
}

func (c propertiesCodec) Decode(b []byte, out map[string]any) error {
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for n := 0; n < len(lines); n++ {
		start := n + 1
		line := strings.TrimLeft(lines[n], " \t\f")
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		for continued(line) && n+1 < len(lines) {
			n++
			line = line[:len(line)-1] + strings.TrimLeft(lines[n], " \t\f")
		}
		rawKey, rawValue := splitProperty(line)
		key, err := unescapeProperty(rawKey)
		if err != nil {
			return usagef("%s:%d: the name is malformed: %v", c.path, start, err)
		}
		value, err := unescapeProperty(rawValue)
		if err != nil {
			return usagef("%s:%d: the value of %q is malformed: %v", c.path, start, key, err)
		}
		if key != "" {
			putDotted(out, strings.ToLower(key), value)
		}
	}
	return nil
}

// continued reports whether a properties line ends in an odd number of
// backslashes, which joins it with the next line.
func continued(line string) bool {
	n := len(line) - len(strings.TrimRight(line, "\\"))
	return n%2 == 1
}

// splitProperty splits a logical line into its raw name and value: the
// name ends at the first unescaped "=", ":" or white space; then white
// space, at most one "=" or ":", and more white space are skipped.
func splitProperty(line string) (key, value string) {
	i := 0
	for ; i < len(line); i++ {
		if line[i] == '\\' {
			i++
			continue
		}
		if strings.IndexByte("=: \t\f", line[i]) >= 0 {
			break
		}
	}
	key, rest := line[:min(i, len(line))], line[min(i, len(line)):]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return key, rest
}

// unescapeProperty reads backslash escapes as java.util.Properties does:
// \t \n \r \f, \uXXXX, and a backslash before any other character
// stands for that character. The error never repeats the text.
func unescapeProperty(s string) (string, error) {
	if !strings.Contains(s, "\\") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			r, err := strconv.ParseUint(s[i+1:min(i+5, len(s))], 16, 16)
			if err != nil || i+5 > len(s) {
				return "", errors.New("a \\u escape needs four hex digits")
			}
			b.WriteRune(rune(r))
			i += 4
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
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
