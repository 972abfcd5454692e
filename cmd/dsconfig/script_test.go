package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.uber.org/goleak"
)

var update = flag.Bool("update", false, "rewrite golden files and script expectations")

func TestMain(m *testing.M) {
	testscript.Main(leakChecked{m}, map[string]func(){
		"dsconfig": func() { os.Exit(Main(os.Args[1:], systemIO(), os.Getenv)) },
	})
}

// leakChecked runs the tests, then fails them if a goroutine was left
// behind (a connection, a listener, a session not closed). testscript
// runs the dsconfig command in a child process through the same binary
// without calling Run, so only the tests themselves are checked.
type leakChecked struct{ m *testing.M }

func (l leakChecked) Run() int {
	code := l.m.Run()
	if code != 0 {
		return code
	}
	if err := goleak.Find(); err != nil {
		fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
		return 1
	}
	return 0
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
