// Package secretinput keeps sensitive property values out of argv, where
// ps and shell history see them. Two ways do:
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
//
// A value typed on the command line still works (PingDirectory's
// examples do it), with the warning of [ArgvWarning].
package secretinput

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"golang.org/x/term"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/prompt"
)

// maxInputSize bounds a value read from a file or standard input.
const maxInputSize = 64 << 10

// Help is the part of a create-* or set-*-prop help that explains how
// to give sensitive values.
const Help = `
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

// HasSensitive reports whether any type of k has a sensitive property,
// so that help mentions secret input only where it applies.
func HasSensitive(k *config.Kind) bool {
	for _, t := range k.Types() {
		if slices.ContainsFunc(t.AllProperties(), func(p *config.PropertyDef) bool { return p.Sensitive }) {
			return true
		}
	}
	return false
}

// ArgvWarning is the warning for a sensitive value typed on the command
// line, or "" when there is none: ps and the shell history have seen the
// value. The advice depends on whether this dsconfig could have prompted
// (canPrompt); a batch line is in no command line, but in the file. A
// value in encrypted form (replayed from the audit log or export-config)
// reveals nothing and gets no warning.
func ArgvWarning(k *config.Kind, t *config.Type, args []string, inBatch, canPrompt bool) string {
	for _, a := range args {
		name, value, ok := strings.Cut(a, ":")
		if name = strings.TrimSpace(name); !ok || !k.IsSensitive(t, name) || config.IsSealed(value) {
			continue
		}
		if inBatch {
			// A batch line is not on any command line: the file keeps it.
			return fmt.Sprintf("the value of the sensitive property %s is in the batch file in clear text; keep the file private, or use --set-from-file %s:FILE", name, name)
		}
		advice := fmt.Sprintf("next time use --set-from-file %s:FILE, or --set-from-file %s:- to read standard input", name, name)
		if canPrompt {
			advice = fmt.Sprintf("next time give --set %s without a value to be prompted for it, or use --set-from-file %s:FILE", name, name)
		}
		return fmt.Sprintf("the value of the sensitive property %s was given on the command line, where process lists and shell history keep it; %s", name, advice)
	}
	return ""
}

// PromptedProps separates the --set arguments that name a sensitive
// property without a value; the others are returned unchanged.
func PromptedProps(k *config.Kind, t *config.Type, set []string) (rest, prompted []string) {
	for _, a := range set {
		if !strings.Contains(a, ":") && k.IsSensitive(t, strings.TrimSpace(a)) {
			prompted = append(prompted, strings.TrimSpace(a))
			continue
		}
		rest = append(rest, a)
	}
	return rest, prompted
}

// FileArg is a value to read from a file or standard input: a
// --set-from-file PROP:PATH, or PingDirectory's --set PROP<PATH and
// --add PROP<PATH.
type FileArg struct {
	Op         config.Op
	Prop, Path string
}

// FileRefs separates the PROP<PATH arguments of one option; the others
// are returned unchanged.
func FileRefs(op config.Op, args []string) (rest []string, files []FileArg) {
	for _, a := range args {
		if prop, path, ok := config.FileRef(a); ok {
			files = append(files, FileArg{op, prop, path})
			continue
		}
		rest = append(rest, a)
	}
	return rest, files
}

// FromFileArgs reads the --set-from-file arguments.
func FromFileArgs(args []string) ([]FileArg, error) {
	var files []FileArg
	for _, a := range args {
		prop, path, err := parseFromFile(a)
		if err != nil {
			return nil, err
		}
		files = append(files, FileArg{config.OpSet, prop, path})
	}
	return files, nil
}

func parseFromFile(arg string) (prop, path string, err error) {
	prop, path, ok := strings.Cut(arg, ":")
	prop = strings.TrimSpace(prop)
	if !ok || prop == "" || path == "" {
		return "", "", config.Usagef("", "invalid --set-from-file %q: it must be PROP:PATH, or PROP:- to read standard input", arg)
	}
	return prop, path, nil
}

// Reader reads sensitive values: from standard input In, prompting on
// ErrOut when In is a terminal, and from files.
type Reader struct {
	In     io.Reader
	ErrOut io.Writer
	// NoPrompt refuses to prompt, as --no-prompt does.
	NoPrompt bool
}

// Mods reads the values of prompted properties and of values read from
// files. It runs before the store is locked, so a person typing does not
// hold up other invocations.
func (r Reader) Mods(ctx context.Context, prompted []string, fromFile []FileArg) ([]config.Mod, error) {
	var mods []config.Mod
	for _, prop := range prompted {
		v, err := r.promptSecret(ctx, prop)
		if err != nil {
			return nil, err
		}
		mods = append(mods, config.Mod{Op: config.OpSet, Property: prop, Value: v})
	}
	stdinUsed := false
	for _, f := range fromFile {
		if f.Path == "" {
			return nil, config.Usagef("", "invalid value file for %q: give a path, as %s<PATH", f.Prop, f.Prop)
		}
		if f.Path == "-" {
			if stdinUsed {
				return nil, config.Usagef("", "%s: standard input can give only one value per command", f.Prop)
			}
			stdinUsed = true
		}
		v, err := r.readValue(ctx, f.Prop, f.Path)
		if err != nil {
			return nil, err
		}
		mods = append(mods, config.Mod{Op: f.Op, Property: f.Prop, Value: v})
	}
	return mods, nil
}

// readValue reads one value from path, or from standard input for "-".
// A terminal on standard input gets the hidden prompt instead, so the
// value is not echoed.
func (r Reader) readValue(ctx context.Context, prop, path string) (string, error) {
	if path == "-" {
		if _, ok := StdinTerminal(r.In); ok {
			return r.promptSecret(ctx, prop)
		}
		return readLimited(r.In, prop, "standard input")
	}
	fh, err := os.Open(path)
	if err != nil {
		return "", config.Usagef("", "cannot read the value of %q: %v", prop, err)
	}
	defer fh.Close()
	return readLimited(fh, prop, path)
}

func readLimited(r io.Reader, prop, from string) (string, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxInputSize+1))
	if err != nil {
		return "", config.Usagef("", "cannot read the value of %q from %s: %v", prop, from, err)
	}
	if len(data) > maxInputSize {
		return "", config.Usagef("", "the value of %q from %s is larger than %d KiB", prop, from, maxInputSize>>10)
	}
	v := strings.TrimRight(string(data), "\r\n")
	if v == "" {
		return "", config.Usagef("", "the value of %q from %s is empty", prop, from)
	}
	return v, nil
}

// StdinTerminal returns the descriptor of in, standard input, when it is
// a terminal.
func StdinTerminal(in io.Reader) (int, bool) {
	fd, ok := in.(interface{ Fd() uintptr })
	if !ok || !term.IsTerminal(int(fd.Fd())) {
		return 0, false
	}
	return int(fd.Fd()), true
}

// errNoTerminal explains the alternatives when a value cannot be prompted
// for.
func errNoTerminal(prop string) error {
	return config.Usagef(fmt.Sprintf("give it with --set-from-file %s:FILE, or --set-from-file %s:- to read standard input", prop, prop),
		"the property argument %q has no value, and it can be prompted for only at a terminal", prop)
}

// promptSecret asks for a value twice, without echo, on the terminal.
func (r Reader) promptSecret(ctx context.Context, prop string) (string, error) {
	fd, ok := StdinTerminal(r.In)
	if !ok || r.NoPrompt {
		return "", errNoTerminal(prop)
	}
	first, err := readHidden(ctx, r.ErrOut, fd, fmt.Sprintf("Enter the value of %s: ", prop))
	if err != nil {
		return "", err
	}
	if first == "" {
		return "", config.Usagef("", "no value was entered for %q", prop)
	}
	again, err := readHidden(ctx, r.ErrOut, fd, fmt.Sprintf("Confirm the value of %s: ", prop))
	if err != nil {
		return "", err
	}
	if again != first {
		return "", config.Usagef("", "the two values entered for %q differ; nothing was changed", prop)
	}
	return first, nil
}

// readHidden reads one hidden line from the terminal; the end of input
// is a usage error, as a missing value is.
func readHidden(ctx context.Context, w io.Writer, fd int, msg string) (string, error) {
	v, err := prompt.ReadHidden(ctx, w, fd, msg)
	if errors.Is(err, io.EOF) {
		return "", config.Usagef("", "no value was entered: end of input")
	}
	return v, err
}
