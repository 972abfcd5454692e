package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsconfig-smtp/dsconfig/internal/pingargs"
	"github.com/dsconfig-smtp/dsconfig/internal/toolprops"
)

// Tool defaults give global options values that are not on the command
// line, as PingDirectory's config/tools.properties does. The precedence
// is flag > DSCONFIG_* environment variable > tools.properties > built-in
// default; internal/toolprops reads the file and applies it.

// noDefaults are the global options that tool defaults do not set: the
// configuration directory has its own DSCONFIG_CONFIG_DIR and holds the
// file, --no-properties-file switches the file off, and a reason belongs
// to one change.
var noDefaults = map[string]bool{"config-dir": true, "no-properties-file": true, "propertiesFilePath": true, "help": true, "reason": true}

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
	return toolprops.Apply(cmd.Root().PersistentFlags(), getenv, file, noDefaults)
}

// loadToolsProperties reads tools.properties from the configuration
// directory, or returns nil when there is none or it is switched off.
func loadToolsProperties(cmd *cobra.Command, getenv func(string) string, g *globalOptions) (*toolprops.Defaults, error) {
	off := g.NoPropertiesFile
	if !cmd.Root().PersistentFlags().Changed("no-properties-file") {
		off = off || getenv(toolprops.EnvName("no-properties-file")) == "true"
	}
	if g.PropertiesFile != "" {
		if off {
			return nil, usagef("--propertiesFilePath and --no-properties-file cannot be used together")
		}
		return toolprops.Load(g.PropertiesFile, true)
	}
	dir, err := configDir(getenv, g)
	if off || err != nil {
		return nil, nil // without a directory there is no file; the command reports it if it matters
	}
	return toolprops.Load(filepath.Join(dir, toolprops.FileName), false)
}
