package httpauth

import (
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// testProxy is an HTTP proxy on loopback: it forwards absolute-form
// requests and tunnels CONNECT, counting both.
type testProxy struct {
	*httptest.Server
	forwarded, tunnels atomic.Int32
}

func newTestProxy(t *testing.T) *testProxy {
	p := &testProxy{}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

func (p *testProxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.tunnels.Add(1)
		p.tunnel(w, r)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	p.forwarded.Add(1)
	out, _ := http.NewRequest(r.Method, r.URL.String(), r.Body)
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func (p *testProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	target, err := net.Dial("tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		target.Close()
		return
	}
	io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")
	go func() { io.Copy(target, conn); target.Close() }()
	io.Copy(conn, target)
	conn.Close()
}

func (f *fixture) useProxy(p *testProxy) {
	host, port, _ := net.SplitHostPort(strings.TrimPrefix(p.URL, "http://"))
	f.put(config.KindExternalServer, "proxy", TypeHTTPProxy,
		map[string][]string{propServerHostName: {host}, propServerPort: {port}})
	f.set(propHTTPProxyExternalServer, "proxy")
}

func TestProxyForPlainHTTPEndpoint(t *testing.T) {
	p := newIdP(t, false)
	proxy := newTestProxy(t)
	f := newFixture(t, p.URL+"/token", nil)
	f.useProxy(proxy)
	mustToken(t, f.source(t))
	if proxy.forwarded.Load() != 1 || p.count() != 1 {
		t.Errorf("proxy forwarded %d, endpoint saw %d; want 1 and 1", proxy.forwarded.Load(), p.count())
	}
}

func TestProxyTunnelsHTTPS(t *testing.T) {
	p := newIdP(t, true)
	proxy := newTestProxy(t)
	f := newFixture(t, p.URL+"/token", nil)
	f.trust(t, p)
	f.useProxy(proxy)
	mustToken(t, f.source(t))
	if proxy.tunnels.Load() != 1 || p.count() != 1 {
		t.Errorf("proxy tunnels %d, endpoint saw %d; want 1 and 1", proxy.tunnels.Load(), p.count())
	}
}

func TestPlainHTTPThroughRemoteProxyIsRefused(t *testing.T) {
	f := newFixture(t, "http://127.0.0.1:1/token", nil)
	f.put(config.KindExternalServer, "proxy", TypeHTTPProxy,
		map[string][]string{propServerHostName: {"proxy.example.com"}, propServerPort: {"3128"}})
	f.set(propHTTPProxyExternalServer, "proxy")
	_, err := New(f.options(), "m")
	var ce *ConfigError
	if !errorsAs(err, &ce) || !strings.Contains(err.Error(), "in clear") {
		t.Errorf("err = %v, want a *ConfigError about the secret crossing the network in clear", err)
	}
}

// trust makes a file-based trust manager provider "ca" with the test
// server's certificate, and points the method at it.
func (f *fixture) trust(t *testing.T, p *idp) {
	t.Helper()
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(f.dir, "ca.pem"), block, 0o600); err != nil {
		t.Fatal(err)
	}
	f.put(config.KindTrustManagerProvider, "ca", tlsconf.TypeFileBased,
		map[string][]string{config.PropEnabled: {"true"}, tlsconf.PropTrustStoreFile: {"ca.pem"}})
	f.set(propTrustManagerProvider, "ca")
}

func TestPrivateCA(t *testing.T) {
	p := newIdP(t, true)
	// The test certificate names 127.0.0.1 and example.com, not localhost.
	byName := strings.Replace(p.URL, "127.0.0.1", "localhost", 1)
	tests := []struct {
		name      string
		url       string
		trust     bool
		verify    string
		wantClass ErrorClass
	}{
		{"trusted, strict, matching name", p.URL, true, "strict", ""},
		{"trusted, strict, other name", byName, true, "strict", ClassTLS},
		{"trusted, allow-all, other name", byName, true, "allow-all", ""},
		{"untrusted, allow-all", byName, false, "allow-all", ClassTLS},
		{"untrusted, strict", p.URL, false, "strict", ClassTLS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.url+"/token", map[string][]string{propHostnameVerification: {tt.verify}})
			if tt.trust {
				f.trust(t, p)
			}
			_, err := f.source(t).Token(t.Context())
			if tt.wantClass == "" {
				if err != nil {
					t.Fatalf("Token: %v", err)
				}
				return
			}
			var te *TokenError
			if !errorsAs(err, &te) || te.Class != tt.wantClass {
				t.Fatalf("err = %v, want a %s *TokenError", err, tt.wantClass)
			}
			if !strings.Contains(te.ErrorHint(), "trust-manager-provider") {
				t.Errorf("hint = %q, want it to name trust-manager-provider", te.ErrorHint())
			}
		})
	}
}

// HTTP_PROXY must never see a plain-http token request: it would carry
// the client secret in clear. The environment is read once per process
// by net/http, so this checks the transport's choice directly.
func TestEnvironmentProxyNotUsedForPlainHTTP(t *testing.T) {
	for endpoint, wantProxy := range map[string]bool{
		"http://127.0.0.1:1/token":      false,
		"http://localhost:1/token":      false,
		"https://idp.example.com/token": true,
	} {
		f := newFixture(t, endpoint, nil)
		o := f.options()
		v := f.reg.View(f.st.Get(config.KindHTTPAuthorizationMethod, "m"))
		tr, err := buildTransport(&o, v)
		if err != nil {
			t.Fatalf("%s: %v", endpoint, err)
		}
		if got := tr.Proxy != nil; got != wantProxy {
			t.Errorf("%s: uses a proxy function: %v, want %v", endpoint, got, wantProxy)
		}
	}
}
