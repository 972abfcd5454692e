package prompt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrQuit is returned when the person answers "q": they left, and nothing
// must be applied.
var ErrQuit = errors.New("quit at the prompt; nothing was changed")

// ErrBack is returned when the person answers "b" to a Terminal whose
// Back is set: they want the menu above, and nothing must be applied.
var ErrBack = errors.New("back at the prompt; nothing was changed")

// Terminal asks a person questions on a terminal: Out shows the questions
// (standard error, so that standard output stays the command's), FD is
// the terminal read from. Every answer may be "q", which returns ErrQuit;
// a cancelled context (Ctrl-C) returns its error.
type Terminal struct {
	Out io.Writer
	FD  int
	// Back makes a visible answer "b" return ErrBack (the menu console).
	Back bool
}

// Line prints question and reads one line, echoed as typed, trimmed.
func (t *Terminal) Line(ctx context.Context, question string) (string, error) {
	fmt.Fprint(t.Out, question)
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := readLine(t.FD)
		ch <- result{s, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			if r.err == io.EOF {
				fmt.Fprintln(t.Out)
			}
			return "", r.err
		}
		s := strings.TrimSpace(r.s)
		if s == "q" {
			return "", ErrQuit
		}
		if s == "b" && t.Back {
			return "", ErrBack
		}
		return s, nil
	case <-ctx.Done():
		fmt.Fprintln(t.Out)
		return "", ctx.Err()
	}
}

// Hidden prints question and reads one line without echo (see
// ReadHidden). "q" quits here too: a secret of one letter "q" is not one.
func (t *Terminal) Hidden(ctx context.Context, question string) (string, error) {
	s, err := ReadHidden(ctx, t.Out, t.FD, question)
	if err != nil {
		return "", err
	}
	if s == "q" {
		return "", ErrQuit
	}
	return s, nil
}

// Ask reads a line until check accepts it; a rejected answer is reported
// with check's reason and asked again. check returns the value to use
// (e.g. the canonical form, or the default for an empty answer).
func (t *Terminal) Ask(ctx context.Context, question string, hidden bool, check func(string) (string, error)) (string, error) {
	for {
		read := t.Line
		if hidden {
			read = t.Hidden
		}
		s, err := read(ctx, question)
		if err != nil {
			return "", err
		}
		v, err := check(s)
		if err == nil {
			return v, nil
		}
		fmt.Fprintf(t.Out, "Invalid value: %v; try again, or q to quit\n", err)
	}
}

// Choice is one entry of a numbered list.
type Choice struct {
	Name     string
	Synopsis string
}

// Choose prints title and the choices as "  N) NAME  synopsis" and reads
// the answer, a number or a name, until it is one of them. It returns the
// index of the choice.
func (t *Terminal) Choose(ctx context.Context, title string, choices []Choice) (int, error) {
	fmt.Fprintf(t.Out, "\n%s\n\n", title)
	width := 0
	for _, c := range choices {
		width = max(width, len(c.Name))
	}
	for i, c := range choices {
		line := fmt.Sprintf("  %d) %-*s  %s", i+1, width, c.Name, c.Synopsis)
		fmt.Fprintln(t.Out, strings.TrimRight(line, " "))
	}
	fmt.Fprintln(t.Out)
	var picked int
	_, err := t.Ask(ctx, fmt.Sprintf("Enter choice [1-%d, or q to quit]: ", len(choices)), false, func(s string) (string, error) {
		i, err := pick(s, choices)
		picked = i
		return "", err
	})
	return picked, err
}

func pick(s string, choices []Choice) (int, error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= len(choices) {
			return n - 1, nil
		}
		return 0, fmt.Errorf("%d is not a choice: enter a number from 1 to %d, or a name", n, len(choices))
	}
	for i, c := range choices {
		if c.Name == s {
			return i, nil
		}
	}
	if s == "" {
		return 0, fmt.Errorf("nothing was entered: enter a number from 1 to %d, or a name", len(choices))
	}
	return 0, fmt.Errorf("%q is not a choice: enter a number from 1 to %d, or a name", s, len(choices))
}

// Confirm asks a yes-or-no question whose default is no.
func (t *Terminal) Confirm(ctx context.Context, question string) (bool, error) {
	v, err := t.Ask(ctx, question+" [y/N]: ", false, func(s string) (string, error) {
		switch strings.ToLower(s) {
		case "y", "yes":
			return "y", nil
		case "", "n", "no":
			return "n", nil
		}
		return "", errors.New("answer y or n")
	})
	return v == "y", err
}
