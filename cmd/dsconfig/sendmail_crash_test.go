package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
	"github.com/dsconfig-smtp/dsconfig/internal/spool"
)

const (
	crashChildEnv = "DSCONFIG_TEST_QUEUE_WRITER"
	crashBody     = 200 << 10 // octets of body per queued message
)

// crashMessage is the n-th message the writer queues.
func crashMessage(id string) []byte {
	return []byte("From: alerts@example.com\r\nTo: ops@example.com\r\nSubject: " + id + "\r\n\r\n" +
		strings.Repeat(strings.Repeat("x", 78)+"\r\n", crashBody/80))
}

// TestQueueWriterChild is the process TestQueueCrash kills: it queues
// messages into the spool named by crashChildEnv until it is killed.
func TestQueueWriterChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("run by TestQueueCrash")
	}
	s := &spool.Spool{Dir: dir}
	fmt.Println("ready")
	for n := 0; ; n++ {
		id := fmt.Sprintf("<%d.%d@crash>", os.Getpid(), n)
		m := crashMessage(id)
		if _, err := s.Add(&spool.Envelope{Recipients: []string{"ops@example.com"}, MessageID: id, Queued: time.Now()}, m, m); err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueueCrash kills a process that writes to the queue (SIGKILL) at
// random points, again and again. Afterwards the queue holds only whole
// entries: list-queued-mail lists them, send-queued-mail sends each once
// and removes the temporaries the kills left once they are stale.
func TestQueueCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	e := newMailEnv(t, sandbox.Options{RequireTLS: true})
	e.provision()
	qdir := filepath.Join(e.dir, "queue")
	for range 12 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestQueueWriterChild$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+qdir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if l, _ := bufio.NewReader(out).ReadString('\n'); l != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("writer: %q", l)
		}
		time.Sleep(time.Duration(rand.IntN(40_000)) * time.Microsecond)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Wait(); err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("writer ended with %v, not killed", err)
		}
	}

	// Every entry is whole; count the temporaries the kills left.
	des, err := os.ReadDir(qdir)
	if err != nil {
		t.Fatal(err)
	}
	whole := map[string]bool{}
	var temps []string
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".tmp-") {
			temps = append(temps, de.Name())
			continue
		}
		whole[de.Name()] = true
	}
	t.Logf("%d whole entries, %d interrupted writes", len(whole), len(temps))
	if len(whole) == 0 {
		t.Fatal("no entry was written before the kills")
	}
	code, out, errOut := e.run("list-queued-mail", "--script-friendly")
	if code != 0 {
		t.Fatalf("list-queued-mail: exit %d\n%s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(whole) {
		t.Fatalf("list-queued-mail lists %d entries, the queue holds %d", len(lines), len(whole))
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if size, _ := strconv.Atoi(f[4]); !whole[f[0]] || f[1] != "queued" || size < crashBody {
			t.Errorf("entry %q", l)
		}
	}
	// A recent temporary may be a write in progress: it stays; old ones go.
	old := time.Now().Add(-2 * spool.StaleAfter)
	for _, n := range temps {
		os.Chtimes(filepath.Join(qdir, n), old, old)
	}
	fresh := filepath.Join(qdir, ".tmp-in-progress")
	if err := os.Mkdir(fresh, 0o700); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = e.run("send-queued-mail")
	if code != 0 {
		t.Fatalf("send-queued-mail: exit %d\n%s", code, errOut)
	}
	msgs := e.sb.Messages()
	if len(msgs) != len(whole) {
		t.Errorf("%d messages sent, %d were queued", len(msgs), len(whole))
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		subj := strings.TrimPrefix(strings.Split(string(m.Data), "\r\n")[2], "Subject: ")
		if seen[subj] || string(m.Data) != string(crashMessage(subj)) {
			t.Errorf("message %q sent twice or changed (%d octets)", subj, len(m.Data))
		}
		seen[subj] = true
	}
	des, _ = os.ReadDir(qdir)
	if len(des) != 1 || des[0].Name() != ".tmp-in-progress" {
		var names []string
		for _, de := range des {
			names = append(names, de.Name())
		}
		t.Errorf("queue after send-queued-mail: %q, want only the fresh temporary", names)
	}
}
