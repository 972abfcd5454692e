package httpauth

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// plantedToken is a token value that hostile bodies carry; it must never
// come back in an error.
const plantedToken = "pLaNtEd-AcCeSs-ToKeN-0123456789"

// Hostile token endpoints. Each case misbehaves on purpose; for each, the
// request fails (or, for a missing token_type, succeeds) with the right
// class and a message that says what happened, within response-timeout
// plus a margin, with a bounded amount of memory allocated, and with
// neither the client secret nor a token in the error or its hint.
//
// The margin is generous because the machine running the tests may be
// loaded: it catches a stall (which the "endless" cases would make
// unbounded), not a slowdown.
func TestHostileTokenEndpoints(t *testing.T) {
	const timeout = 500 * time.Millisecond
	const margin = 5 * time.Second
	const maxAlloc = 32 << 20 // bytes allocated by client and server together
	tests := []struct {
		name    string
		respond func(http.ResponseWriter, *http.Request, int)
		class   ErrorClass // "" for success
		want    []string
		hint    string
	}{
		{"429 with Retry-After seconds", withHeader("Retry-After", "120", respondWith(429, "application/json", `{"error":"slow_down"}`)),
			ClassOAuth, []string{"HTTP 429 Too Many Requests", `"slow_down"`, "it asks to retry after 2 m"}, ""},
		{"429 with Retry-After date, no body", withHeader("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT", respondWith(429, "text/plain", "")),
			ClassHTTP, []string{"HTTP 429 Too Many Requests with an empty body", "it asks to retry after 2026-10-21T07:28:00Z"}, "limiting the rate"},
		{"429 with a bad Retry-After", withHeader("Retry-After", "soon", respondWith(429, "text/plain", "")),
			ClassHTTP, []string{"HTTP 429"}, "limiting the rate"},
		{"500 with text", respondWith(500, "text/plain", "internal error; access_token="+plantedToken),
			ClassHTTP, []string{"HTTP 500 Internal Server Error", "internal error"}, "try again later"},
		{"503 with json error", respondWith(503, "application/json", `{"error":"temporarily_unavailable"}`),
			ClassOAuth, []string{"HTTP 503", "temporarily_unavailable"}, "overloaded"},
		{"malformed json", respondWith(200, "application/json", `{"access_token":"`+plantedToken+`","token_type":`),
			ClassBadResponse, []string{"not a token response"}, ""},
		{"json array", respondWith(200, "application/json", `["`+plantedToken+`"]`),
			ClassBadResponse, []string{"with a JSON array, not a token response object"}, ""},
		{"html page", respondWith(200, "text/html; charset=utf-8", "<!DOCTYPE html><html><title>Sign in</title>\x1b]0;pwned\x07</html>"),
			ClassHTML, []string{`an HTML page, not JSON (HTTP 200 OK, title "Sign in")`}, "login page"},
		{"no access_token", respondWith(200, "application/json", `{"token_type":"Bearer","expires_in":3600}`),
			ClassNoToken, []string{"without an access_token", "fields in the response: expires_in, token_type"}, ""},
		{"empty access_token", respondWith(200, "application/json", `{"access_token":"","token_type":"Bearer"}`),
			ClassNoToken, []string{"without an access_token"}, ""},
		{"no token_type", respondWith(200, "application/json", `{"access_token":"`+plantedToken+`","expires_in":3600}`),
			"", nil, ""},
		{"huge json body", hugeBody(200, `{"access_token":"`+plantedToken+`","pad":"`, 4<<20, `"}`),
			ClassTooLarge, []string{"HTTP 200 OK with a body larger than 1024 KiB, the limit", `"application/json"`}, "a few KiB"},
		{"huge error body", hugeBody(500, `{"error":"server_error","error_description":"`, 4<<20, `"}`),
			ClassTooLarge, []string{"HTTP 500 Internal Server Error with a body larger than 1024 KiB"}, ""},
		{"endless body", hugeBody(200, `{"access_token":"`+plantedToken+`","pad":"`, -1, ""),
			ClassTooLarge, []string{"larger than 1024 KiB"}, ""},
		{"exactly the limit", hugeBody(200, `{"access_token":"`+plantedToken+`","pad":"`, maxResponseSize-len(`{"access_token":"`+plantedToken+`","pad":"`)-2, `"}`),
			"", nil, ""},
		{"headers never sent", stall(nil),
			ClassTimeout, []string{"no answer within 500 ms (response-timeout)"}, "raise response-timeout"},
		{"body never finished", stall([]byte(`{"access_token":"` + plantedToken)),
			ClassTimeout, []string{"HTTP 200 OK but did not finish the body within 500 ms (response-timeout)"}, "raise response-timeout"},
		{"body dripping forever", drip(),
			ClassTimeout, []string{"did not finish the body within 500 ms"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newIdP(t, false)
			p.respond = tt.respond
			f := newFixture(t, p.URL+"/token", map[string][]string{propResponseTimeout: {"500 ms"}})
			var warnings []string
			o := f.options()
			o.Warn = func(msg string) { warnings = append(warnings, msg) }
			src := f.sourceWith(t, o)

			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			tok, err := src.Token(t.Context())
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)

			if elapsed > timeout+margin {
				t.Errorf("took %s, want at most response-timeout %s plus %s", elapsed, timeout, margin)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > maxAlloc {
				t.Errorf("allocated %d MiB, want at most %d", alloc>>20, maxAlloc>>20)
			}
			if tt.class == "" {
				if err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" {
					t.Fatalf("Token = %+v, %v; want a bearer token", tok, err)
				}
				return
			}
			te := checkTokenError(t, err, tt.class, p.URL+"/token")
			text := err.Error() + "\n" + te.ErrorHint() + "\n" + strings.Join(warnings, "\n")
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if !strings.Contains(te.ErrorHint(), tt.hint) {
				t.Errorf("hint %q does not contain %q", te.ErrorHint(), tt.hint)
			}
			assertNoSecret(t, "error", text)
			if strings.Contains(text, plantedToken) {
				t.Errorf("the error holds the token:\n%s", text)
			}
			if strings.ContainsAny(text, "\x1b\x07") {
				t.Errorf("the error holds a control character: %q", text)
			}
			if p.count() != 1 {
				t.Errorf("requests = %d, want 1: no retry", p.count())
			}
		})
	}
}

func withHeader(k, v string, next func(http.ResponseWriter, *http.Request, int)) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		w.Header().Set(k, v)
		next(w, r, n)
	}
}

// hugeBody sends head, then size bytes of padding (size < 0: until the
// client goes away), then tail, from a fixed buffer.
func hugeBody(status int, head string, size int, tail string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, head)
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		for sent := 0; size < 0 || sent < size; sent += len(chunk) {
			c := chunk
			if size >= 0 {
				c = chunk[:min(len(chunk), size-sent)]
			}
			if _, err := w.Write(c); err != nil || r.Context().Err() != nil {
				return
			}
		}
		io.WriteString(w, tail)
	}
}

// stall sends the headers and head (nothing at all when head is nil),
// then nothing more until the client goes away.
func stall(head []byte) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		if head != nil {
			w.Header().Set("Content-Type", "application/json")
			w.Write(head)
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	}
}

// drip sends a body one byte every 20 ms, for ever.
func drip() func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		for {
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
}

// The memory bound holds for the endless body: the server stops being
// read after about maxResponseSize, so it can write only that much plus
// what the socket buffers hold.
func TestEndlessBodyIsReadOnlyToTheLimit(t *testing.T) {
	var sent atomic.Int64
	p := newIdP(t, false)
	p.respond = func(w http.ResponseWriter, r *http.Request, _ int) {
		w.Header().Set("Content-Type", "application/json")
		chunk := bytes.Repeat([]byte("a"), 32<<10)
		for r.Context().Err() == nil {
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}
	f := newFixture(t, p.URL, map[string][]string{propResponseTimeout: {"2 s"}})
	_, err := f.source(t).Token(t.Context())
	checkTokenError(t, err, ClassTooLarge, p.URL)
	p.Close() // waits for the handler to end
	if n := sent.Load(); n > 64<<20 {
		t.Errorf("the server wrote %d MiB before the client went away", n>>20)
	}
	t.Logf("the server wrote %s before the client went away", fmt.Sprintf("%.1f MiB", float64(sent.Load())/(1<<20)))
}
