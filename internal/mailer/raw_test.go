package mailer

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"
)

// scripted runs a minimal SMTP server on loopback that offers ext in its
// EHLO, records what it reads, and, with dropAfterData, closes the
// connection after the body's final dot instead of replying.
func scripted(t *testing.T, ext string, dropAfterData bool) (*Server, chan string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	got := make(chan string, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				var rec strings.Builder
				r := bufio.NewReader(c)
				w := func(s string) { c.Write([]byte(s + "\r\n")) }
				w("220 test")
				inData := false
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						got <- rec.String()
						return
					}
					rec.WriteString(l)
					switch {
					case inData && l == ".\r\n":
						if dropAfterData {
							got <- rec.String()
							return
						}
						inData = false
						w("250 queued")
					case inData:
					case strings.HasPrefix(l, "EHLO"):
						w("250-test")
						if ext != "" {
							w("250-" + ext)
						}
						w("250 SIZE 100000")
					case strings.HasPrefix(l, "DATA"):
						inData = true
						w("354 go ahead")
					case strings.HasPrefix(l, "QUIT"):
						w("221 bye")
						got <- rec.String()
						return
					default:
						w("250 ok")
					}
				}
			}()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	return &Server{Name: "scripted", Host: "127.0.0.1", Port: p, Security: SecurityNone, Timeout: 5 * time.Second}, got
}

func rawMsg() *Message {
	return &Message{From: "a@example.com", To: []string{"b@example.com"}, MessageID: "<x@y>",
		Raw: []byte("Subject: é\r\n\r\n.dot\r\ncaf\xc3\xa9\r\n"), Raw7Bit: []byte("Subject: e\r\n\r\n.dot\r\ncaf=C3=A9\r\n")}
}

func TestRaw8BitMIME(t *testing.T) {
	for _, c := range []struct {
		ext, mail, body string
	}{
		{"8BITMIME", "MAIL FROM:<a@example.com> BODY=8BITMIME", "caf\xc3\xa9"},
		{"", "MAIL FROM:<a@example.com>\r\n", "caf=C3=A9"},
	} {
		s, got := scripted(t, c.ext, false)
		if _, err := Send(context.Background(), s, rawMsg(), &Options{}); err != nil {
			t.Fatal(err)
		}
		rec := <-got
		if !strings.Contains(rec, c.mail) || !strings.Contains(rec, c.body) || !strings.Contains(rec, "\r\n..dot\r\n") {
			t.Errorf("8BITMIME %q: the server read:\n%s", c.ext, rec)
		}
	}
}

// TestNoFailoverAfterBody: the connection drops after the body was sent;
// the error says delivery is unknown and the second server is not tried.
func TestNoFailoverAfterBody(t *testing.T) {
	s1, got1 := scripted(t, "", true)
	s2, _ := scripted(t, "", false)
	tried := 0
	cand := func(s *Server) Candidate {
		return Candidate{Name: s.Name, Resolve: func(context.Context) (*Server, error) { tried++; return s, nil }}
	}
	_, err := SendFailover(context.Background(), []Candidate{cand(s1), cand(s2)}, rawMsg(), &Options{Failover: func(error) bool { return true }})
	e := asError(t, err)
	if !e.Unknown || !e.BodyStarted || tried != 1 {
		t.Errorf("unknown %v, body started %v, servers tried %d: %v", e.Unknown, e.BodyStarted, tried, err)
	}
	<-got1
}
