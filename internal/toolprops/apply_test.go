package toolprops

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// The environment beats the file, a flag set on the command line beats
// both, and the skipped flags are left alone.
func TestApplyPrecedence(t *testing.T) {
	fl := pflag.NewFlagSet("t", pflag.ContinueOnError)
	a, b, c, d := fl.String("a", "", ""), fl.String("b-b", "", ""), fl.String("c", "", ""), fl.String("d", "", "")
	if err := fl.Parse([]string{"--c", "flag"}); err != nil {
		t.Fatal(err)
	}
	file, err := parse("tools.properties", []byte("a=file\nb-b=file\nc=file\nd=file\n"))
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DSCONFIG_B_B": "env", "DSCONFIG_C": "env"}
	if err := Apply(fl, func(k string) string { return env[k] }, file, map[string]bool{"d": true}); err != nil {
		t.Fatal(err)
	}
	if *a != "file" || *b != "env" || *c != "flag" || *d != "" || !fl.Changed("a") {
		t.Errorf("a=%q b-b=%q c=%q d=%q", *a, *b, *c, *d)
	}
}

func TestApplyNamesTheSource(t *testing.T) {
	fl := pflag.NewFlagSet("t", pflag.ContinueOnError)
	fl.Int("count", 0, "")
	err := Apply(fl, func(string) string { return "many" }, nil, nil)
	want := `invalid value "many" for --count in environment variable DSCONFIG_COUNT: strconv.ParseInt: parsing "many": invalid syntax`
	if err == nil || err.Error() != want || !errors.Is(err, config.ErrUsage) {
		t.Errorf("Apply: %v, want %q", err, want)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, FileName)
	if d, err := Load(missing, false); d != nil || err != nil {
		t.Errorf("a missing file of the directory: %v, %v", d, err)
	}
	if _, err := Load(missing, true); err == nil || !errors.Is(err, config.ErrUsage) {
		t.Errorf("a missing --propertiesFilePath: %v", err)
	}
	if err := os.WriteFile(missing, []byte("script-friendly=true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if d, err := Load(missing, false); err != nil || d.Lookup("script-friendly") != "true" {
		t.Errorf("Load: %v, %v", d, err)
	}
}
