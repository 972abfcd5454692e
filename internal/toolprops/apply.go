package toolprops

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The precedence is flag > DSCONFIG_* environment variable >
// tools.properties > built-in default. It is written here rather than
// left to viper's BindPFlag, SetEnvPrefix("DSCONFIG") and AutomaticEnv,
// because viper reads the environment only through os.LookupEnv: it
// cannot see an injected getenv, which the command layer's in-process
// tests rely on. Writing the value back into the flag also lets the
// flag's own Set validate it (--max-config-archives refuses a negative
// count) and the error name where the value came from.

// EnvName is the environment variable for a global option.
func EnvName(flag string) string {
	return "DSCONFIG_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Load reads the tools.properties file at path. One given on the command
// line (explicit) that cannot be read is a usage error; the one of the
// configuration directory may be missing (nil, nil), and one that cannot
// be read is an ordinary failure, like any file that cannot be read.
func Load(path string, explicit bool) (*Defaults, error) {
	data, err := config.ReadRegular(path, maxSize)
	switch {
	case err != nil && explicit:
		return nil, config.Usagef("", "cannot read the properties file %s: %v", path, err)
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return parse(path, data)
}

// Apply gives the flags of fl that were not set on the command line,
// except those of skip, their values from the environment (getenv), else
// from d, which may be nil. A flag given a value is marked changed.
func Apply(fl *pflag.FlagSet, getenv func(string) string, d *Defaults, skip map[string]bool) error {
	var errs []error
	fl.VisitAll(func(f *pflag.Flag) {
		if f.Changed || skip[f.Name] {
			return
		}
		if err := setDefault(f, getenv(EnvName(f.Name)), "environment variable "+EnvName(f.Name)); err != nil || f.Changed {
			errs = append(errs, err)
			return
		}
		errs = append(errs, setDefault(f, d.Lookup(f.Name), FileName))
	})
	return errors.Join(errs...)
}

// setDefault gives f the value v from source, if v is not empty. It marks
// the flag changed, so that lower layers leave it alone.
func setDefault(f *pflag.Flag, v, source string) error {
	if v == "" {
		return nil
	}
	if err := f.Value.Set(v); err != nil {
		return config.Usagef("", "invalid value %q for --%s in %s: %v", v, f.Name, source, err)
	}
	f.Changed = true
	return nil
}
