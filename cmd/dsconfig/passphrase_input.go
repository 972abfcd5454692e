package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
	"golang.org/x/term"
)

// Sensitive values must not have to appear in argv, where ps and shell
// history see them. Two ways keep them out:
//
//	--set PROP                 a sensitive PROP with no value: prompt
//	                           without echo (needs a terminal)
//	--set-from-file PROP:PATH  read the value from PATH, or from standard
//	                           input when PATH is "-" (for scripts)
//	--set PROP<PATH            PingDirectory's form of the same, also
//	--add PROP<PATH            for --add
//
// A separate option, rather than a marker inside --set such as
// "PROP:@file", keeps --set PROP:VALUE literal: a password may well begin
// with "@" or be "-".

// maxInputSize bounds a value read from a file or standard input.
const maxInputSize = 64 << 10

const secretInputHelp = `
Sensitive values (marked "sensitive" above) should not be typed on the
command line, where process lists and shell history keep them:
  --set PROP                  with no value, prompts for it without echo
                              (needs a terminal; confirms it once)
  --set-from-file PROP:PATH   reads the value from the file PATH, one line,
                              a trailing newline is ignored
  --set-from-file PROP:-      reads the value from standard input, for scripts
  --set PROP<PATH             PingDirectory's form of --set-from-file (quote
                              it: the shell reads < as a redirection); also
                              --add PROP<PATH
`

// hasSensitive reports whether any type of k has a sensitive property,
// so that help mentions secret input only where it applies.
func hasSensitive(k *config.Kind) bool {
	for _, t := range k.Types() {
		if slices.ContainsFunc(t.AllProperties(), func(p *config.PropertyDef) bool { return p.Sensitive }) {
			return true
		}
	}
	return false
}

// argvSecretWarning is the warning for a sensitive value typed on the
// command line, or "" when there is none. It still works (PingDirectory's
// examples do it), but ps and the shell history have seen the value. The
// advice depends on whether this dsconfig could have prompted. A value in
// encrypted form (replayed from the audit log or export-config) reveals
// nothing and gets no warning.
func (u ui) argvSecretWarning(k *config.Kind, t *config.Type, args []string) string {
	for _, a := range args {
		name, value, ok := strings.Cut(a, ":")
		if name = strings.TrimSpace(name); !ok || !k.IsSensitive(t, name) || config.IsSealed(value) {
			continue
		}
		if u.Global.inBatch {
			// A batch line is not on any command line: the file keeps it.
			return fmt.Sprintf("the value of the sensitive property %s is in the batch file in clear text; keep the file private, or use --set-from-file %s:FILE", name, name)
		}
		advice := fmt.Sprintf("next time use --set-from-file %s:FILE, or --set-from-file %s:- to read standard input", name, name)
		if _, tty := u.stdinTerminal(); tty && !u.Global.NoPrompt {
			advice = fmt.Sprintf("next time give --set %s without a value to be prompted for it, or use --set-from-file %s:FILE", name, name)
		}
		return fmt.Sprintf("the value of the sensitive property %s was given on the command line, where process lists and shell history keep it; %s", name, advice)
	}
	return ""
}

// promptedProps separates the --set arguments that name a sensitive
// property without a value; the others are returned unchanged.
func promptedProps(k *config.Kind, t *config.Type, set []string) (rest, prompted []string) {
	for _, a := range set {
		if !strings.Contains(a, ":") && k.IsSensitive(t, strings.TrimSpace(a)) {
			prompted = append(prompted, strings.TrimSpace(a))
			continue
		}
		rest = append(rest, a)
	}
	return rest, prompted
}

// fileArg is a value to read from a file or standard input: a
// --set-from-file PROP:PATH, or PingDirectory's --set PROP<PATH and
// --add PROP<PATH.
type fileArg struct {
	Op         config.Op
	Prop, Path string
}

// fileRefs separates the PROP<PATH arguments of one option; the others
// are returned unchanged.
func fileRefs(op config.Op, args []string) (rest []string, files []fileArg) {
	for _, a := range args {
		if prop, path, ok := config.FileRef(a); ok {
			files = append(files, fileArg{op, prop, path})
			continue
		}
		rest = append(rest, a)
	}
	return rest, files
}

func fromFileArgs(args []string) ([]fileArg, error) {
	var files []fileArg
	for _, a := range args {
		prop, path, err := parseFromFile(a)
		if err != nil {
			return nil, err
		}
		files = append(files, fileArg{config.OpSet, prop, path})
	}
	return files, nil
}

// secretMods reads the values of prompted properties and of values read
// from files. It runs before the store is locked, so a person typing does
// not hold up other invocations.
func (u ui) secretMods(ctx context.Context, prompted []string, fromFile []fileArg) ([]config.Mod, error) {
	var mods []config.Mod
	for _, prop := range prompted {
		v, err := u.promptSecret(ctx, prop)
		if err != nil {
			return nil, err
		}
		mods = append(mods, config.Mod{Op: config.OpSet, Property: prop, Value: v})
	}
	stdinUsed := false
	for _, f := range fromFile {
		if f.Path == "" {
			return nil, usagef("invalid value file for %q: give a path, as %s<PATH", f.Prop, f.Prop)
		}
		if f.Path == "-" {
			if stdinUsed {
				return nil, usagef("%s: standard input can give only one value per command", f.Prop)
			}
			stdinUsed = true
		}
		v, err := u.readValue(ctx, f.Prop, f.Path)
		if err != nil {
			return nil, err
		}
		mods = append(mods, config.Mod{Op: f.Op, Property: f.Prop, Value: v})
	}
	return mods, nil
}

func parseFromFile(arg string) (prop, path string, err error) {
	prop, path, ok := strings.Cut(arg, ":")
	prop = strings.TrimSpace(prop)
	if !ok || prop == "" || path == "" {
		return "", "", usagef("invalid --set-from-file %q: it must be PROP:PATH, or PROP:- to read standard input", arg)
	}
	return prop, path, nil
}

// readValue reads one value from path, or from standard input for "-".
// A terminal on standard input gets the hidden prompt instead, so the
// value is not echoed.
func (u ui) readValue(ctx context.Context, prop, path string) (string, error) {
	if path == "-" {
		if _, ok := u.stdinTerminal(); ok {
			return u.promptSecret(ctx, prop)
		}
		return readLimited(u.IO.In, prop, "standard input")
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", usagef("cannot read the value of %q: %v", prop, err)
	}
	defer fh.Close()
	return readLimited(fh, prop, path)
}

func readLimited(r io.Reader, prop, from string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInputSize+1))
	if err != nil {
		return "", usagef("cannot read the value of %q from %s: %v", prop, from, err)
	}
	if len(data) > maxInputSize {
		return "", usagef("the value of %q from %s is larger than %d KiB", prop, from, maxInputSize>>10)
	}
	v := strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return "", usagef("the value of %q from %s is empty", prop, from)
	}
	return v, nil
}

// stdinTerminal returns standard input's descriptor when it is a terminal.
func (u ui) stdinTerminal() (int, bool) {
	fd, ok := u.IO.In.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(fd.Fd())) {
		return 0, false
	}
	return int(fd.Fd()), true
}

// errNoTerminal explains the alternatives when a value cannot be prompted
// for.
func errNoTerminal(prop string) error {
	return &flagError{&config.UsageError{
		Msg:  fmt.Sprintf("the property argument %q has no value, and it can be prompted for only at a terminal", prop),
		Hint: fmt.Sprintf("give it with --set-from-file %s:FILE, or --set-from-file %s:- to read standard input", prop, prop),
	}}
}

// promptSecret asks for a value twice, without echo, on the terminal.
func (u ui) promptSecret(ctx context.Context, prop string) (string, error) {
	fd, ok := u.stdinTerminal()
	if !ok || u.Global.NoPrompt {
		return "", errNoTerminal(prop)
	}
	first, err := readHidden(ctx, u.IO.ErrOut, fd, fmt.Sprintf("Enter the value of %s: ", prop))
	if err != nil {
		return "", err
	}
	if first == "" {
		return "", usagef("no value was entered for %q", prop)
	}
	again, err := readHidden(ctx, u.IO.ErrOut, fd, fmt.Sprintf("Confirm the value of %s: ", prop))
	if err != nil {
		return "", err
	}
	if again != first {
		return "", usagef("the two values entered for %q differ; nothing was changed", prop)
	}
	return first, nil
}

// readHidden reads one hidden line from the terminal; the end of input
// is a usage error, as a missing value is.
func readHidden(ctx context.Context, w io.Writer, fd int, msg string) (string, error) {
	v, err := prompt.ReadHidden(ctx, w, fd, msg)
	if errors.Is(err, io.EOF) {
		return "", usagef("no value was entered: end of input")
	}
	return v, err
}
