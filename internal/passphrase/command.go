package passphrase

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
)

// maxStderrShown bounds how much of a failed command's error output an
// error message repeats.
const maxStderrShown = 1024

// fromCommand runs the provider's program directly (no shell, so nothing
// in the arguments is interpreted) and takes the first line of its
// standard output. The program inherits dsconfig's environment, which is
// how clients such as vault or op find their own login.
func (r *Resolver) fromCommand(ctx context.Context, v config.View) (string, error) {
	path := v.String(propCommandPath)
	prog, err := r.program(path)
	if err != nil {
		return "", err
	}
	timeout := v.Duration(propCommandTimeout)
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(cctx, prog, v.Values(propCommandArgument)...)
	// One byte over the limit, so that a first line longer than a secret
	// may be is refused by checkSecret rather than silently cut short.
	stdout := &capped{max: maxSecretSize + 1}
	stderr := &capped{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A grandchild that keeps the pipes open must not keep us waiting
	// past the timeout.
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	secret, _, _ := strings.Cut(stdout.String(), "\n")
	secret = strings.TrimSuffix(secret, "\r")
	errOut := redact(stderr.String(), stdout.String())
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err() // interrupted by the user: not the command's fault
	case cctx.Err() != nil:
		return "", fail(ErrCommandFailed, "raise command-timeout if the program needs longer, or run it by hand to see where it waits",
			"the command %s did not finish within %s and was stopped%s", path, config.FormatDuration(timeout), errOut)
	case runErr != nil:
		return "", commandError(path, runErr, errOut)
	case secret == "":
		return "", fail(ErrEmpty, "run the program by hand: it must print the secret on the first line of its standard output",
			"the command %s printed nothing on the first line of its standard output%s", path, errOut)
	}
	return secret, nil
}

// program finds the executable: a bare name in PATH, a relative path with
// a slash in the configuration directory.
func (r *Resolver) program(path string) (string, error) {
	p := path
	if strings.ContainsRune(path, filepath.Separator) {
		p = r.Config.Path(path)
	}
	full, err := exec.LookPath(p)
	if err != nil {
		var ee *exec.Error
		reason := err
		if errors.As(err, &ee) {
			reason = ee.Err
		}
		return "", &failure{reason: ErrCommandFailed, cause: err,
			msg:  fmt.Sprintf("the command %s cannot be run: %v", p, reason),
			hint: "set command-path to an executable program: a full path, or a name found in PATH"}
	}
	return full, nil
}

func commandError(path string, err error, errOut string) error {
	var ee *exec.ExitError
	what := fmt.Sprintf("could not be run: %v", err)
	if errors.As(err, &ee) {
		what = fmt.Sprintf("failed (%s)", ee.ProcessState) // "exit status 2" or "signal: killed"
		if ee.ExitCode() >= 0 {
			what = fmt.Sprintf("failed with exit code %d", ee.ExitCode())
		}
	}
	return &failure{reason: ErrCommandFailed, cause: err,
		msg:  fmt.Sprintf("the command %s %s%s", path, what, errOut),
		hint: "run the program by hand as the same user, with the same environment, to see what it needs"}
}

// redact prepares a command's error output for an error message: it
// masks every line the command printed on standard output (the secret
// among them) by config.Redact's rule, keeps the tail, and quotes it so
// that control characters cannot reach the terminal.
func redact(errOut, out string) string {
	var lines []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	errOut = strings.TrimSpace(config.Redact(errOut, lines...))
	if errOut == "" {
		return ""
	}
	if len(errOut) > maxStderrShown {
		errOut = "..." + errOut[len(errOut)-maxStderrShown:]
	}
	return fmt.Sprintf("; its error output: %q", errOut)
}

// capped is a buffer that keeps the first max bytes and drops the rest, so
// that a runaway program cannot exhaust memory.
type capped struct {
	buf bytes.Buffer
	max int
}

func (c *capped) Write(p []byte) (int, error) {
	if room := c.max - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }
