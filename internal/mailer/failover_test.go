package mailer

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"dsconfig/internal/sandbox"
)

func TestFailover(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	deadPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	dead := func(context.Context) (*Server, error) {
		return &Server{Host: "127.0.0.1", Port: deadPort, Security: SecurityNone, Timeout: time.Second}, nil
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
