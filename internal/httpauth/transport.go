package httpauth

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// buildTransport makes the HTTP transport for a token endpoint: TLS from
// the trust and key manager providers, and the proxy from
// http-proxy-external-server or else the environment. The environment's
// proxy (HTTP_PROXY) is never used for a plain-http endpoint: the client
// secret would reach it in clear, and such an endpoint is on loopback
// anyway.
func buildTransport(opts *Options, v config.View) (*http.Transport, error) {
	return buildTransportFor(opts, v, v.String(propTokenEndpointURL))
}

// buildTransportFor is buildTransport for an endpoint that may come from
// elsewhere than the method's settings (a service account's key).
func buildTransportFor(opts *Options, v config.View, endpointURL string) (*http.Transport, error) {
	endpoint, err := url.Parse(endpointURL)
	if err != nil {
		return nil, err
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = http.ProxyFromEnvironment
	t.OnProxyConnectResponse = onProxyConnect
	if endpoint.Scheme != "https" {
		t.Proxy = nil
	}
	if name := v.String(propHTTPProxyExternalServer); name != "" {
		proxy, err := proxyURL(opts, name, endpoint)
		if err != nil {
			return nil, err
		}
		t.Proxy = http.ProxyURL(proxy)
	}
	if endpoint.Scheme == "https" {
		cfg, err := tlsconf.ClientConfig(tlsconf.Settings{Config: opts.Config,
			TrustManager: v.String(propTrustManagerProvider), KeyManager: v.String(propKeyManagerProvider), Secrets: opts.Secrets,
			ServerName: endpoint.Hostname(), SkipHostnameCheck: v.String(propHostnameVerification) == hostnameAllowAll})
		if err != nil {
			return nil, err
		}
		t.TLSClientConfig = cfg
	}
	return t, nil
}

// proxyURL returns the URL of the http-proxy external server. Through a
// proxy an https endpoint is tunnelled (CONNECT), but a plain-http one is
// sent to the proxy in clear, with the client secret; that is refused
// unless the proxy, too, is on the loopback interface.
func proxyURL(opts *Options, name string, endpoint *url.URL) (*url.URL, error) {
	pv, err := opts.Config.Lookup(config.KindExternalServer, name)
	if err != nil {
		return nil, err
	}
	if pv.Object.Type != TypeHTTPProxy {
		return nil, fmt.Errorf("external server %q is a %s, not an %s", name, pv.Object.Type, TypeHTTPProxy)
	}
	host := pv.String(propServerHostName)
	if endpoint.Scheme == "http" && !config.IsLoopbackHost(host) {
		return nil, fmt.Errorf("the token endpoint %s is plain http, and the proxy %q is not on the loopback interface: the client secret would cross the network in clear", endpoint, name)
	}
	return &url.URL{Scheme: "http", Host: net.JoinHostPort(host, strconv.Itoa(pv.Int(propServerPort)))}, nil
}

// exchange is what came back from one token request, kept for error
// messages: x/oauth2 drops the body of a successful response it cannot
// parse.
type exchange struct {
	status      int
	statusText  string
	contentType string
	location    string
	retryAfter  string       // the Retry-After header
	head        bytes.Buffer // the first bytes of the body
	read        int64        // how many bytes of the body were read
	tooLarge    bool         // the body goes on past maxResponseSize
	readErr     error        // what ended reading the body, if not its end
}

const headLimit = 4096

// maxResponseSize is the most of a token endpoint's response body that is
// read: x/oauth2 stops at 1 MiB, and a longer body is reported as such.
// A token response is a few KiB at most; the limit keeps a hostile or
// broken server from filling memory, and response-timeout bounds how long
// reading it may take.
const maxResponseSize = 1 << 20

// recorder is the round tripper of one token request. It records the
// proxy and the response and, for request-method get, moves the form
// parameters that x/oauth2 always POSTs into the query string. With a
// trace, it writes what it sees there.
type recorder struct {
	base      http.RoundTripper
	get       bool
	proxyFunc func(*http.Request) (*url.URL, error) // the transport's
	trace     *tracer                               // nil without a trace

	proxy  string         // the proxy used, without credentials; "" for none
	tunnel *http.Response // a proxy's answer to CONNECT, without its body
	last   *exchange
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.get {
		g, err := asGet(req)
		if err != nil {
			return nil, err
		}
		req = g
	}
	if r.proxyFunc != nil {
		if u, err := r.proxyFunc(req); err == nil && u != nil {
			r.proxy = u.Redacted()
		}
	}
	req = req.WithContext(context.WithValue(req.Context(), recorderKey{}, r))
	r.trace.request(req, r.proxy)
	resp, err := r.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	ex := &exchange{status: resp.StatusCode, statusText: resp.Status,
		contentType: resp.Header.Get("Content-Type"), location: resp.Header.Get("Location"),
		retryAfter: resp.Header.Get("Retry-After")}
	resp.Body = &headReader{rc: resp.Body, ex: ex}
	r.last = ex
	r.trace.response(resp)
	return resp, nil
}

// recorderKey holds, in a request's context, the recorder of the token
// request, for the transport's proxy hook.
type recorderKey struct{}

// onProxyConnect is the transport's OnProxyConnectResponse hook. The
// transport turns a refused CONNECT into an error with only the status
// text in it; the hook keeps the whole status, and the trace shows it.
func onProxyConnect(ctx context.Context, proxy *url.URL, _ *http.Request, resp *http.Response) error {
	r, _ := ctx.Value(recorderKey{}).(*recorder)
	if r == nil {
		return nil
	}
	r.tunnel = &http.Response{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header}
	r.trace.tunnel(proxy, resp)
	return nil
}

// asGet returns a GET request with req's form body in its query string.
// A round tripper must not change the request it is given, so this is a
// copy.
func asGet(req *http.Request) (*http.Request, error) {
	body, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	g := req.Clone(req.Context())
	q := g.URL.Query()
	for k, vs := range form {
		q[k] = append(q[k], vs...)
	}
	g.URL.RawQuery = q.Encode()
	g.Method, g.Body, g.GetBody, g.ContentLength = http.MethodGet, http.NoBody, nil, 0
	g.Header.Del("Content-Type")
	return g, nil
}

// headReader passes a response body through and keeps its first bytes.
type headReader struct {
	rc io.ReadCloser
	ex *exchange
}

func (h *headReader) Read(p []byte) (int, error) {
	if h.ex.read >= maxResponseSize {
		// x/oauth2 reads no more than this; a reader that does anyway
		// learns only whether there is more.
		h.peek()
		return 0, io.EOF
	}
	n, err := h.rc.Read(p[:min(len(p), maxResponseSize-int(h.ex.read))])
	if room := headLimit - h.ex.head.Len(); room > 0 {
		h.ex.head.Write(p[:min(n, room)])
	}
	h.ex.read += int64(n)
	if err != nil && err != io.EOF {
		h.ex.readErr = err
	}
	if err == nil && h.ex.read == maxResponseSize {
		h.peek()
	}
	return n, err
}

// peek finds out whether the body goes on past maxResponseSize.
func (h *headReader) peek() {
	if h.ex.tooLarge {
		return
	}
	var b [1]byte
	n, err := io.ReadFull(h.rc, b[:])
	h.ex.tooLarge = n > 0
	if err != nil && err != io.EOF {
		h.ex.readErr = err
	}
}

func (h *headReader) Close() error { return h.rc.Close() }

func basicAuth(id, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(id + ":" + secret))
}
