package sendmail

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// flags are send-mail's long options, as the command defines them.
func flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("send-mail", pflag.ContinueOnError)
	fs.Bool("queue", false, "")
	fs.String("server-name", "", "")
	fs.Int64("max-size", DefaultMaxSize, "")
	fs.BoolP("verbose", "v", false, "")
	return fs
}

func TestParseCommandLine(t *testing.T) {
	for _, c := range []struct {
		args []string
		want Args
	}{
		{[]string{"ops@example.com"}, Args{Recipients: []string{"ops@example.com"}}},
		{[]string{"a@example.com,B <b@example.com>", "c@example.com"}, Args{Recipients: []string{"a@example.com", "b@example.com", "c@example.com"}}},
		{[]string{"-t"}, Args{FromHeader: true}},
		{[]string{"-ti"}, Args{FromHeader: true, IgnoreDots: true}},
		{[]string{"-tif", "me@example.com"}, Args{FromHeader: true, IgnoreDots: true, Sender: "me@example.com"}},
		{[]string{"-fme@example.com", "x@example.com"}, Args{Sender: "me@example.com", Recipients: []string{"x@example.com"}}},
		{[]string{"-f", "<me@example.com>", "-t"}, Args{Sender: "me@example.com", FromHeader: true}},
		{[]string{"-r", "me@example.com", "-t"}, Args{Sender: "me@example.com", FromHeader: true}},
		{[]string{"-FCron Daemon", "-t"}, Args{FullName: "Cron Daemon", FromHeader: true}},
		{[]string{"-F", "Cron Daemon", "-t"}, Args{FullName: "Cron Daemon", FromHeader: true}},
		{[]string{"-i", "-t"}, Args{IgnoreDots: true, FromHeader: true}},
		{[]string{"-oi", "-t"}, Args{IgnoreDots: true, FromHeader: true}},
		{[]string{"-oem", "-odi", "-B8BITMIME", "-t"}, Args{FromHeader: true, Ignored: []string{"-oem", "-odi", "-B8BITMIME"}}},
		{[]string{"-B", "8BITMIME", "-bm", "-t"}, Args{FromHeader: true, Ignored: []string{"-B8BITMIME"}}},
		{[]string{"-v", "-t"}, Args{Verbose: true, FromHeader: true}},
		{[]string{"-t", "--queue", "--server-name", "Exchange"}, Args{FromHeader: true, Long: []string{"--queue", "--server-name", "Exchange"}}},
		{[]string{"--server-name=Exchange", "--verbose", "a@example.com"}, Args{Recipients: []string{"a@example.com"}, Long: []string{"--server-name=Exchange", "--verbose"}}},
		{[]string{"-t", "--", "-odd@example.com"}, Args{FromHeader: true, Recipients: []string{"-odd@example.com"}}},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			got, err := ParseCommandLine(c.args, flags())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, c.want) {
				t.Errorf("got  %+v\nwant %+v", *got, c.want)
			}
		})
	}
}

// TestParseCommandLineLong: the long options reach the flag set.
func TestParseCommandLineLong(t *testing.T) {
	fs := flags()
	if _, err := ParseCommandLine([]string{"-t", "--queue", "--server-name", "Exchange", "--max-size=10", "-v"}, fs); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"queue": "true", "server-name": "Exchange", "max-size": "10"} {
		if got := fs.Lookup(name).Value.String(); got != want {
			t.Errorf("--%s = %q, want %q", name, got, want)
		}
	}
	a, err := ParseCommandLine([]string{"--help"}, flags())
	if err != nil || !a.Help() {
		t.Errorf("--help: %v %v", a, err)
	}
}

func TestParseCommandLineMalformed(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-Z"}, "unknown option -Z"},
		{[]string{"-tZ"}, "unknown option -Z in \"-tZ\""},
		{[]string{"-f"}, "option -f needs a value"},
		{[]string{"-t", "-F"}, "option -F needs a value"},
		{[]string{"-f", "not an address"}, "invalid sender address"},
		{[]string{"-F", "a\nb"}, "it must be one line"},
		{[]string{"-bp"}, "unsupported mode -bp"},
		{[]string{"--nope"}, "unknown option \"--nope\""},
		{[]string{"--server-name"}, "option \"--server-name\" needs a value"},
		{[]string{"--max-size", "lots"}, "invalid argument \"lots\""},
		{[]string{"not an address"}, "invalid recipient"},
		{[]string{""}, "invalid recipient"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, err := ParseCommandLine(c.args, flags())
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err %v (%T), want a *UsageError (exit 64)", err, err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("err %q, want %q", err, c.want)
			}
		})
	}
}
