package config

import "path/filepath"

// Dir resolves the configuration directory: given (--config-dir), then
// $DSCONFIG_CONFIG_DIR, then $XDG_CONFIG_HOME/dsconfig, then
// ~/.config/dsconfig. The environment is read through getenv, so that
// tests can give their own.
func Dir(given string, getenv func(string) string) (string, error) {
	if given != "" {
		return given, nil
	}
	if d := getenv("DSCONFIG_CONFIG_DIR"); d != "" {
		return d, nil
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" {
		return filepath.Join(d, "dsconfig"), nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config", "dsconfig"), nil
	}
	return "", usageErr("", "cannot find the configuration directory: give --config-dir, or set DSCONFIG_CONFIG_DIR or HOME")
}
