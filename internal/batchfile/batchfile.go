// Package batchfile reads and writes dsconfig batch files.
//
// Batch files use PingDirectory's format: one dsconfig command per line,
// blank lines and # comments, a trailing \ to continue a command on the
// next line, and shell-style quoting. The leading "dsconfig" word is
// optional. The quoting rules are the POSIX shell's, without expansions:
// '...' keeps everything literally; "..." keeps everything except that \
// escapes \, ", $ and `; outside quotes \ escapes any character.
package batchfile

import (
	"fmt"
	"io"
	"strings"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// Line is one command of a batch file.
type Line struct {
	File string
	Line int // the physical line the command starts on
	Args []string
}

// Where is FILE:LINE, for errors.
func (l Line) Where() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// SyntaxError is a malformed batch file, with the line it is on.
type SyntaxError struct {
	File string
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string        { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }
func (e *SyntaxError) Is(target error) bool { return target == config.ErrUsage }
func (e *SyntaxError) ErrorHint() string {
	return "quote values that contain spaces or special characters, and end a continued line with a single \\"
}

// Parse reads a whole batch file. name is used in errors.
func Parse(name string, r io.Reader) ([]Line, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("cannot read the batch file %s: %w", name, err)
	}
	lx := &lexer{file: name, src: []rune(strings.ReplaceAll(string(data), "\r\n", "\n")), line: 1}
	return lx.lines()
}

type lexer struct {
	file string
	src  []rune
	pos  int
	line int // current physical line

	args    []string
	word    strings.Builder
	inWord  bool // a word has started, even if it is empty ("")
	cmdLine int  // where the current command started
	out     []Line
}

func (lx *lexer) lines() ([]Line, error) {
	for lx.pos < len(lx.src) {
		if err := lx.step(); err != nil {
			return nil, err
		}
	}
	lx.endCommand()
	return lx.out, nil
}

func (lx *lexer) next() rune {
	c := lx.src[lx.pos]
	lx.pos++
	if c == '\n' {
		lx.line++
	}
	return c
}

func (lx *lexer) step() error {
	c := lx.next()
	switch {
	case c == '\n':
		lx.endCommand()
	case c == ' ' || c == '\t':
		lx.endWord()
	case c == '#' && !lx.inWord:
		lx.skipComment()
	case c == '\\':
		return lx.escape()
	case c == '\'':
		return lx.quoted('\'')
	case c == '"':
		return lx.quoted('"')
	default:
		lx.add(c)
	}
	return nil
}

func (lx *lexer) add(c rune) {
	if len(lx.args) == 0 && !lx.inWord {
		lx.cmdLine = lx.line
	}
	lx.inWord = true
	lx.word.WriteRune(c)
}

func (lx *lexer) skipComment() {
	for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
		lx.pos++
	}
}

// escape handles \ outside quotes: a line continuation before a newline,
// else the next character taken literally.
func (lx *lexer) escape() error {
	if lx.pos == len(lx.src) {
		return lx.errorf(lx.line, "the file ends with \\ but there is no line to continue on")
	}
	c := lx.next()
	if c == '\n' {
		return nil
	}
	lx.add(c)
	return nil
}

// quoted reads a quoted string up to its closing quote. Values never
// contain line breaks, so a quote still open at the end of the line is
// reported there rather than swallowing the rest of the file.
func (lx *lexer) quoted(q rune) error {
	start := lx.line
	lx.startWord()
	for lx.pos < len(lx.src) {
		c := lx.next()
		switch {
		case c == q:
			return nil
		case c == '\n':
			return lx.errorf(start, "unterminated %s string: it needs a closing %c on the same line", quoteName(q), q)
		case c == '\\' && q == '"':
			lx.dquoteEscape()
		default:
			lx.word.WriteRune(c)
		}
	}
	return lx.errorf(start, "unterminated %s string: it needs a closing %c", quoteName(q), q)
}

func (lx *lexer) startWord() {
	if len(lx.args) == 0 && !lx.inWord {
		lx.cmdLine = lx.line
	}
	lx.inWord = true
}

// dquoteEscape handles \ inside double quotes: it escapes only \ " $ `
// and a line break; before anything else it is a literal backslash.
func (lx *lexer) dquoteEscape() {
	if lx.pos == len(lx.src) {
		lx.word.WriteRune('\\')
		return
	}
	switch c := lx.src[lx.pos]; c {
	case '\\', '"', '$', '`':
		lx.word.WriteRune(lx.next())
	case '\n':
		lx.next()
	default:
		lx.word.WriteRune('\\')
	}
}

func quoteName(q rune) string {
	if q == '"' {
		return "double-quoted"
	}
	return "single-quoted"
}

func (lx *lexer) endWord() {
	if lx.inWord {
		lx.args = append(lx.args, lx.word.String())
	}
	lx.word.Reset()
	lx.inWord = false
}

func (lx *lexer) endCommand() {
	lx.endWord()
	args := lx.args
	lx.args = nil
	if len(args) > 0 && (args[0] == "dsconfig" || strings.HasSuffix(args[0], "/dsconfig")) {
		args = args[1:]
	}
	if len(args) > 0 {
		lx.out = append(lx.out, Line{File: lx.file, Line: lx.cmdLine, Args: args})
	}
}

func (lx *lexer) errorf(line int, format string, args ...any) error {
	return &SyntaxError{File: lx.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Quote renders one argument for a batch file line, quoting it only when
// it needs it, as PingDirectory's config-audit.log does. Parse reads it
// back as the same argument.
func Quote(s string) string {
	if strings.ContainsAny(s, " \t\"'\\$`*?[]{}()<>|&;#~") {
		return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "$", `\$`, "`", "\\`").Replace(s) + `"`
	}
	return s
}

// Format renders one command as a batch file line: "dsconfig" and the
// arguments, each quoted only if it needs it.
func Format(args []string) string {
	words := []string{"dsconfig"}
	for _, a := range args {
		words = append(words, Quote(a))
	}
	return strings.Join(words, " ")
}
