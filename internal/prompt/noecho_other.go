//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package prompt

import "golang.org/x/term"

// noEcho leaves the terminal alone here: readLine goes through x/term,
// which hides the input itself (after the prompt is printed).
func noEcho(int) (func(), error) { return func() {}, nil }

func readLine(fd int) (string, error) {
	b, err := term.ReadPassword(fd)
	return string(b), err
}
