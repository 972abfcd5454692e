package batchfile

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzQuote checks that Quote followed by the lexer gives back the
// argument, for every argument a batch file can hold: valid UTF-8
// without a line break. The empty argument is in the seed corpus
// (testdata/fuzz/FuzzQuote): Quote("") used to return "", so that the
// argument vanished from audit records.
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"", "plain", "a b", `it's "q" $HOME \ `, "#x", "\r", "a\rb\r", "~", "dsconfig", "\x00\x1b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		if !utf8.ValidString(arg) || strings.ContainsRune(arg, '\n') {
			t.Skip("a batch file cannot hold it")
		}
		args := []string{"set-x-prop", arg, arg}
		line := Format(args)
		got, err := Parse("f", strings.NewReader(line+"\n"))
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0].Args, args) {
			t.Errorf("Parse(Format(%q)) = %+v, %v; line %q", args, got, err, line)
		}
	})
}

// FuzzParse checks the lexer: a file that parses, written back with
// Format one command per line, parses to the same commands.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a b\n", "# c\n\na \\\n b\n", `a "q\"b\\c\$d\e" 'x y' ""`, "a\r\nb", "dsconfig dsconfig x", "a b\\\r\nc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		lines, err := Parse("f", strings.NewReader(src))
		if err != nil {
			return
		}
		var b strings.Builder
		for _, l := range lines {
			b.WriteString(Format(l.Args) + "\n")
		}
		again, err := Parse("f", strings.NewReader(b.String()))
		if err != nil || len(again) != len(lines) {
			t.Fatalf("the formatted file does not parse back: %v\n%s", err, b.String())
		}
		for i := range lines {
			if !reflect.DeepEqual(again[i].Args, lines[i].Args) {
				t.Errorf("command %d: %q became %q", i, lines[i].Args, again[i].Args)
			}
		}
	})
}
