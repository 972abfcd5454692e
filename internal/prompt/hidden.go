// Package prompt reads answers from a person at a terminal.
package prompt

import (
	"context"
	"fmt"
	"io"
)

// ReadHidden prints prompt to w and reads one line from the terminal fd
// without echoing it. Echo is turned off before the prompt is printed, so
// nothing typed after the prompt appears on the screen, however fast it
// comes (a paste, or a script at a pseudo-terminal). The terminal's state
// is restored on every path, Ctrl-C (ctx cancelled) included. It returns
// io.EOF when input ends before a line does.
func ReadHidden(ctx context.Context, w io.Writer, fd int, prompt string) (string, error) {
	restore, err := noEcho(fd)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	fmt.Fprint(w, prompt)
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := readLine(fd)
		ch <- result{s, err}
	}()
	var r result
	select {
	case r = <-ch:
	case <-ctx.Done():
		restore()
		fmt.Fprintln(w)
		return "", ctx.Err()
	}
	restore()
	fmt.Fprintln(w) // the user's Enter was not echoed
	if r.err != nil && r.err != io.EOF {
		return "", fmt.Errorf("reading from the terminal: %w", r.err)
	}
	return r.s, r.err
}
