package main

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
		return nil, err
	}
	codecs := viper.NewCodecRegistry()
	codecs.RegisterCodec("properties", propertiesCodec{path})
	v := viper.NewWithOptions(viper.WithDecoderRegistry(codecs))
	v.SetConfigType("properties")
	return v, v.ReadConfig(bytes.NewReader(data))
}

// propertiesCodec reads PingDirectory tools.properties files: NAME=VALUE
// or NAME: VALUE lines, # and ! comments, blank lines. A dotted name such
// as dsconfig.no-prompt applies to one tool.
type propertiesCodec struct{ path string }

func (c propertiesCodec) Encode(map[string]any) ([]byte, error) {
	return nil, errors.New("tools.properties is read-only")
}

func (c propertiesCodec) Decode(b []byte, out map[string]any) error {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i <= 0 {
			return usagef("%s:%d: expected NAME=VALUE, got %q", c.path, n, line)
		}
		putDotted(out, strings.ToLower(strings.TrimSpace(line[:i])), strings.TrimSpace(line[i+1:]))
	}
	return sc.Err()
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
