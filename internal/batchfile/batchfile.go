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
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

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

// Limits on what a batch file may hold. A store of 100,000 objects
// exports to about 11 MB and 100,000 commands; the limits leave room for
// several times that, and bound the memory a batch takes whatever is fed
// to it (`yes | dsconfig --batch-file -` stops at maxCommands).
const (
	maxFileSize    = 64 << 20 // bytes in the whole file
	maxCommands    = 500_000  // commands in the whole file
	maxCommandSize = 4 << 20  // bytes in one command, continuation lines included
)

// maxSize is maxFileSize; tests lower it.
var maxSize int64 = maxFileSize

// syntaxError is a malformed batch file, with the line it is on.
type syntaxError struct {
	File string
	Line int
	Msg  string
	Hint string // what to do; empty gives the hint about quoting
}

func (e *syntaxError) Error() string        { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }
func (e *syntaxError) Is(target error) bool { return target == config.ErrUsage }
func (e *syntaxError) ErrorHint() string {
	if e.Hint != "" {
		return e.Hint
	}
	return "quote values that contain spaces or special characters, and end a continued line with a single \\"
}

// Parse reads a whole batch file, which may be a pipe. name is used in
// errors. It reads as it goes, and stops with a *syntaxError at the first
// malformed line or the first limit passed (maxSize, maxCommands,
// maxCommandSize), without reading the rest.
func Parse(name string, r io.Reader) ([]Line, error) {
	lx := &lexer{file: name, in: bufio.NewReader(&limited{r: r, left: maxSize}), line: 1}
	if err := lx.lines(); err != nil {
		return nil, err
	}
	return lx.out, nil
}

// limited passes at most maxSize bytes of r, then fails with errTooLarge.
type limited struct {
	r    io.Reader
	left int64
}

var errTooLarge = errors.New("too large")

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// Read one byte more to tell a file of exactly maxSize bytes
		// from a longer one.
		var b [1]byte
		if n, err := l.r.Read(b[:]); n == 0 {
			return 0, err
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

type lexer struct {
	file string
	in   *bufio.Reader
	la   rune // the next character, when hasLA
	eof  bool // nothing more to read (or a read error, kept in err)
	err  error
	line int // current physical line

	hasLA    bool
	args     []string
	word     strings.Builder
	inWord   bool // a word has started, even if it is empty ("")
	cmdLine  int  // where the current command started
	cmdBytes int  // size of the current command so far
	out      []Line
}

func (lx *lexer) lines() error {
	for lx.more() {
		if err := lx.step(); err != nil {
			return lx.readError(err)
		}
	}
	if err := lx.readError(nil); err != nil {
		return err
	}
	return lx.endCommand()
}

// readError prefers a failure to read, or a file over maxSize, to err: a
// quote left open by a cut-off read is not the file's fault.
func (lx *lexer) readError(err error) error {
	switch {
	case errors.Is(lx.err, errTooLarge):
		return &syntaxError{File: lx.file, Line: lx.line,
			Msg:  fmt.Sprintf("the batch file is larger than %s, the limit", config.FormatSize(maxSize)),
			Hint: "split it into several batch files"}
	case lx.err != nil:
		return fmt.Errorf("cannot read the batch file %s: %w", lx.file, lx.err)
	}
	return err
}

// more reports whether a character is left to read.
func (lx *lexer) more() bool {
	_, ok := lx.peek()
	return ok
}

// peek returns the next character without consuming it; \r\n reads as
// \n.
func (lx *lexer) peek() (rune, bool) {
	if lx.hasLA {
		return lx.la, true
	}
	if lx.eof {
		return 0, false
	}
	c, _, err := lx.in.ReadRune()
	if err != nil {
		lx.eof = true
		if err != io.EOF {
			lx.err = err
		}
		return 0, false
	}
	if c == '\r' {
		if b, _ := lx.in.Peek(1); len(b) == 1 && b[0] == '\n' {
			lx.in.ReadByte()
			c = '\n'
		}
	}
	lx.la, lx.hasLA = c, true
	return c, true
}

// next consumes the next character; the caller has checked more.
func (lx *lexer) next() rune {
	c, _ := lx.peek()
	lx.hasLA = false
	if c == '\n' {
		lx.line++
	}
	lx.cmdBytes += utf8.RuneLen(c)
	return c
}

func (lx *lexer) step() error {
	c := lx.next()
	if lx.cmdBytes > maxCommandSize {
		return &syntaxError{File: lx.file, Line: lx.cmdLine,
			Msg:  fmt.Sprintf("the command is larger than %s, the limit for one command", config.FormatSize(maxCommandSize)),
			Hint: "check that the command's lines end where they should: a \\ at the end of a line continues the command"}
	}
	switch {
	case c == '\n':
		return lx.endCommand()
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

// skipComment consumes a comment up to its line break. A comment does
// not count toward the command's size; the file's limit bounds it.
func (lx *lexer) skipComment() {
	for c, ok := lx.peek(); ok && c != '\n'; c, ok = lx.peek() {
		lx.hasLA = false
	}
}

// escape handles \ outside quotes: a line continuation before a newline,
// else the next character taken literally.
func (lx *lexer) escape() error {
	if !lx.more() {
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
	for lx.more() {
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
	c, ok := lx.peek()
	if !ok {
		lx.word.WriteRune('\\')
		return
	}
	switch c {
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

func (lx *lexer) endCommand() error {
	lx.endWord()
	args := lx.args
	lx.args = nil
	lx.cmdBytes = 0
	if len(args) > 0 && (args[0] == "dsconfig" || strings.HasSuffix(args[0], "/dsconfig")) {
		args = args[1:]
	}
	if len(args) == 0 {
		return nil
	}
	if len(lx.out) == maxCommands {
		return &syntaxError{File: lx.file, Line: lx.cmdLine,
			Msg:  fmt.Sprintf("the batch file holds more than %d commands, the limit", maxCommands),
			Hint: "split it into several batch files"}
	}
	lx.out = append(lx.out, Line{File: lx.file, Line: lx.cmdLine, Args: args})
	return nil
}

func (lx *lexer) errorf(line int, format string, args ...any) error {
	return &syntaxError{File: lx.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// Quote renders one argument for a batch file line, quoting it only when
// it needs it, as PingDirectory's config-audit.log does. Parse reads it
// back as the same argument, for any valid UTF-8 without a line break
// (a batch file has no way to write one inside a value). The empty
// argument is "", so that it does not vanish from the line.
func Quote(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\r\"'\\$`*?[]{}()<>|&;#~") {
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
