package mailer

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dsconfig-smtp/dsconfig/internal/sandbox"
)

func TestFailover(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	deadPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dead := func(context.Context) (*Server, error) {
		return &Server{Host: "127.0.0.1", Port: deadPort, Security: SecurityNone, Timeout: time.Second, User: "alerts@example.com"}, nil
	}
	broken := func(context.Context) (*Server, error) {
		return nil, errors.New(`passphrase provider "x": the environment variable X is not set or empty`)
	}
	good := func(context.Context) (*Server, error) { return server(t, sb, newEndpointSource(sb)), nil }
	st := &steps{}
	res, err := SendFailover(context.Background(),
		[]Candidate{{"first", dead}, {"second", broken}, {"third", good}}, msg(), opts(st))
	if err != nil {
		t.Fatal(err)
	}
	if res.Server != "third" || len(sb.Messages()) != 1 {
		t.Fatalf("sent through %q", res.Server)
	}
	var tried []string
	for _, s := range st.all {
		if s.Stage == StageConfig {
			tried = append(tried, s.Server)
		}
	}
	if strings.Join(tried, ",") != "first,second,third" {
		t.Errorf("config steps for %v", tried)
	}

	_, err = SendFailover(context.Background(), []Candidate{{"first", dead}, {"second", broken}}, msg(), opts(&steps{}))
	var fe *FailoverError
	if !errors.As(err, &fe) || len(fe.Errors) != 2 {
		t.Fatalf("got %v", err)
	}
	if e := asError(t, err); e.Stage != StageConfig || e.Server != "second" {
		t.Errorf("last failure %+v", e)
	}
	if !strings.Contains(err.Error(), `all 2 servers failed`) || !strings.Contains(err.Error(), `connect failed with "first"`) {
		t.Errorf("message %v", err)
	}
}

func TestFailoverNoServers(t *testing.T) {
	_, err := SendFailover(context.Background(), nil, msg(), opts(&steps{}))
	if e := asError(t, err); e.Stage != StageConfig || !strings.Contains(e.ErrorHint(), "smtp-server") {
		t.Fatalf("got %v", err)
	}
}

// An interrupted send (Ctrl-C cancels the context, which closes the
// connection) reports the step as interrupted, not as the closed
// connection it saw, and its error unwraps to context.Canceled.
func TestSendInterrupted(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// A server that accepts and never greets; the user gives up.
		if c, err := l.Accept(); err == nil {
			defer c.Close()
			cancel()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	s := &Server{Name: "hangs", Host: "127.0.0.1", Port: port, Security: SecurityNone, Timeout: 10 * time.Second}
	var steps []Step
	o := &Options{Report: func(st Step) { steps = append(steps, st) }}
	_, err = Send(ctx, s, &Message{From: "alerts@example.com", To: []string{"a@example.com"}}, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want one that is context.Canceled", err)
	}
	want := `smtp: interrupted during connect with "hangs"`
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if len(steps) != 1 || steps[0].OK || steps[0].Detail != want {
		t.Errorf("steps = %+v, want one failed connect step %q", steps, want)
	}
}
