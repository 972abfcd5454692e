package main

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/pingargs"
	"github.com/dsconfig-smtp/dsconfig/internal/toolprops"
)

// Tool defaults give global options values that are not on the command
// line, as PingDirectory's config/tools.properties does (the file is read
// by internal/toolprops). The precedence is flag > DSCONFIG_* environment
// variable > tools.properties > built-in default.
//
// The precedence is written here rather than left to viper's BindPFlag,
// SetEnvPrefix("DSCONFIG") and AutomaticEnv, because viper reads the
// environment only through os.LookupEnv: it cannot see the factory's
// injected Getenv, which the in-process tests (dsRunEnv) rely on.
// Writing the value back into the flag also lets the flag's own Set
// validate it (--max-config-archives refuses a negative count) and the
// error name where the value came from.

// noDefaults are the global options that tool defaults do not set: the
// configuration directory has its own DSCONFIG_CONFIG_DIR and holds the
// file, --no-properties-file switches the file off, and a reason belongs
// to one change.
var noDefaults = map[string]bool{"config-dir": true, "no-properties-file": true, "propertiesFilePath": true, "help": true, "reason": true}

// envName is the environment variable for a global option.
func envName(flag string) string {
	return "DSCONFIG_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// preRun runs before every command. In a batch line it guards the batch;
// otherwise it fills global options from the tool defaults.
func preRun(cmd *cobra.Command, getenv func(string) string, g *globalOptions) error {
	if g.inBatch {
		return checkBatchLine(cmd)
	}
	if strings.ContainsAny(g.Reason, "\r\n\x00") {
		return usagef("--reason must be one line: it is written as a comment in the config audit log")
	}
	if err := applyToolDefaults(cmd, getenv, g); err != nil {
		return err
	}
	if len(g.pingIgnored) > 0 {
		if !g.Quiet {
			fmt.Fprintf(cmd.ErrOrStderr(), "dsconfig: warning: %s\n", pingargs.Warning(g.pingIgnored))
		}
	}
	return nil
}

func applyToolDefaults(cmd *cobra.Command, getenv func(string) string, g *globalOptions) error {
	file, err := loadToolsProperties(cmd, getenv, g)
	if err != nil {
		return err
	}
	var errs []error
	cmd.Root().PersistentFlags().VisitAll(func(fl *pflag.Flag) {
		if fl.Changed || noDefaults[fl.Name] {
			return
		}
		if err := setDefault(fl, getenv(envName(fl.Name)), "environment variable "+envName(fl.Name)); err != nil || fl.Changed {
			errs = append(errs, err)
			return
		}
		errs = append(errs, setDefault(fl, file.Lookup(fl.Name), toolprops.FileName))
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

// loadToolsProperties reads tools.properties from the configuration
// directory, or returns nil when there is none or it is switched off.
func loadToolsProperties(cmd *cobra.Command, getenv func(string) string, g *globalOptions) (*toolprops.Defaults, error) {
	off := g.NoPropertiesFile
	if !cmd.Root().PersistentFlags().Changed("no-properties-file") {
		off = off || getenv(envName("no-properties-file")) == "true"
	}
	if g.PropertiesFile != "" {
		if off {
			return nil, usagef("--propertiesFilePath and --no-properties-file cannot be used together")
		}
		data, err := config.ReadRegular(g.PropertiesFile, toolprops.MaxSize)
		if err != nil {
			return nil, usagef("cannot read the properties file %s: %v", g.PropertiesFile, err)
		}
		return toolprops.Parse(g.PropertiesFile, data)
	}
	dir, err := configDir(getenv, g)
	if off || err != nil {
		return nil, nil // without a directory there is no file; the command reports it if it matters
	}
	path := filepath.Join(dir, toolprops.FileName)
	data, err := config.ReadRegular(path, toolprops.MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err // unreadable: exit 1, like any file that cannot be read
	}
	return toolprops.Parse(path, data)
}
