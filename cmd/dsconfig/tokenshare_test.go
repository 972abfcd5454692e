package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

// TestSendTestMailSharesOneToken is target P4 of docs/performance.md:
// 20 send-test-mail processes of the real binary, within one token
// lifetime, cost one token request between them, whether they run one
// after another or all at once; with maximum-token-lifetime:1 s each
// send costs one. The token requests are counted by the sandbox's token
// endpoint, and every message must arrive.
func TestSendTestMailSharesOneToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs 80 processes")
	}
	bin := filepath.Join(t.TempDir(), "dsconfig")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 20
	for _, c := range []struct {
		name       string
		extra      []string
		concurrent bool
		want       int
	}{
		{"one after another", nil, false, 1},
		{"all at once", nil, true, 1},
		{"one after another, maximum-token-lifetime 1 s", []string{"--set", "maximum-token-lifetime:1 s"}, false, n},
		{"all at once, maximum-token-lifetime 1 s", []string{"--set", "maximum-token-lifetime:1 s"}, true, n},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newMailEnv(t, sandbox.Options{RequireTLS: true})
			e.provision()
			e.provisionClient(c.extra...)
			env := []string{"HOME=" + e.dir, "PATH=" + os.Getenv("PATH")}
			for k, v := range e.env {
				env = append(env, k+"="+v)
			}
			send := func(i int) error {
				cmd := exec.Command(bin, "--config-dir", e.dir, "send-test-mail", "--to", fmt.Sprintf("ops%d@example.com", i))
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					return fmt.Errorf("send %d: %v\n%s", i, err, out)
				}
				if s := string(out); strings.Contains(s, e.sb.ClientSecret()) {
					return fmt.Errorf("send %d: the client secret is in the output", i)
				}
				return nil
			}
			errs := make([]error, n)
			if c.concurrent {
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() { errs[i] = send(i) })
				}
				wg.Wait()
			} else {
				for i := range n {
					errs[i] = send(i)
				}
			}
			for _, err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if got, m := e.sb.TokenRequests(), len(e.sb.Messages()); got != c.want || m != n {
				t.Errorf("%d sends made %d token requests and delivered %d messages, want %d and %d", n, got, m, c.want, n)
			}
		})
	}
}
