package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var update = flag.Bool("update", false, "rewrite golden files and script expectations")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dsconfig": func() { os.Exit(Main(os.Args[1:], systemIO(), os.Getenv)) },
	})
}

// TestScripts runs the CLI transcripts in testdata/script. Each script
// starts with an empty configuration directory in $CFG.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *update,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CFG", env.WorkDir+"/cfg")
			env.Setenv("DSCONFIG_CONFIG_DIR", env.WorkDir+"/cfg")
			// Scripts cannot write a line break in an argument; $NL is one.
			env.Setenv("NL", "\n")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){"exit": cmdExit},
	})
}

// cmdExit runs a command and checks its exit code: exit N dsconfig ARGS...
// Its output is kept for stdout and stderr assertions, like exec's.
func cmdExit(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exit CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exit: bad code %q", args[0])
	}
	got := 0
	var ee *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("exit: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}
