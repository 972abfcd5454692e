package httpauth

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// traceBodyLimit is the most of a response body that a trace shows, in
// bytes of the body as shown (token values already replaced); the rest
// is counted, not shown.
const traceBodyLimit = 2048

// A trace (Options.Trace) shows one token request as it happens, in the
// manner of curl -v: "*" lines say what the client did (proxy, resolved
// addresses, connection, TLS and the server's certificate), ">" lines
// are what it sent (the request line, the headers as written and the
// form fields by name), "<" lines what came back (status line, headers,
// body). It is built from net/http/httptrace and the transport's own
// OnProxyConnectResponse hook, on the one client that makes the request.
//
// Nothing secret is shown. The Authorization header is "Basic
// <client-id>:*****"; the client secret, client_assertion and assertion
// fields are *****, with a JWT assertion's header and claims but never
// its signature; access_token, refresh_token and id_token values are
// their length and the start of their SHA-256, as get-access-token shows
// a token. Every line is then cleared of the secret and of the tokens in
// the forms config.Redact knows, and what the server wrote goes through
// DisplayText.
type tracer struct {
	mu         sync.Mutex
	w          io.Writer
	secrets    []string
	hidden     []string // form fields whose value is never shown
	unverified bool     // the endpoint's certificate is not checked
	host       string   // being resolved
	proto      string   // HTTP/1.1, or HTTP/2.0 once ALPN chose h2
	req        *http.Request
	fields     []string
}

// tokenFields are the response fields that hold tokens.
var tokenFields = []string{"access_token", "refresh_token", "id_token"}

// assertionFields hold signed JWTs that authenticate the client.
var assertionFields = []string{"client_assertion", "assertion"}

func (s *ccSource) tracer() *tracer {
	if s.opts.Trace == nil {
		return nil
	}
	return &tracer{w: s.opts.Trace, secrets: s.redactions(), unverified: s.info.Unverified, proto: "HTTP/1.1",
		hidden: []string{"client_secret", s.secParam}}
}

// printf writes one line, cleared of the secrets.
func (t *tracer) printf(mark, format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := config.Redact(fmt.Sprintf(format, args...), t.secrets...)
	fmt.Fprintf(t.w, "%s %s\n", mark, line)
}

// withClientTrace returns ctx with the httptrace hooks of t.
func (t *tracer) withClientTrace(ctx context.Context) context.Context {
	if t == nil {
		return ctx
	}
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { t.host = i.Host },
		DNSDone:  t.dnsDone,
		ConnectDone: func(network, addr string, err error) {
			if err != nil {
				t.printf("*", "connecting to %s failed: %v", addr, err)
				return
			}
			t.printf("*", "connected to %s (%s)", addr, network)
		},
		TLSHandshakeDone: t.tlsDone,
		GotConn:          t.gotConn,
		WroteHeaderField: t.header,
		WroteRequest:     t.wroteRequest,
	})
}

func (t *tracer) dnsDone(i httptrace.DNSDoneInfo) {
	if i.Err != nil {
		t.printf("*", "resolving %s failed: %v", t.host, i.Err)
		return
	}
	addrs := make([]string, len(i.Addrs))
	for n, a := range i.Addrs {
		addrs[n] = a.String()
	}
	t.printf("*", "resolved %s to %s", t.host, strings.Join(addrs, ", "))
}

func (t *tracer) tlsDone(st tls.ConnectionState, err error) {
	if err != nil {
		t.printf("*", "TLS handshake failed: %v", err)
		if c := tlsconf.FailedCertificate(err); c != nil {
			t.printf("*", "server certificate: %s", tlsconf.DescribeCertificate(c))
		}
		return
	}
	if st.NegotiatedProtocol == "h2" {
		t.proto = "HTTP/2.0"
	}
	t.printf("*", "TLS handshake done: %s, %s", tls.VersionName(st.Version), tls.CipherSuiteName(st.CipherSuite))
	if len(st.PeerCertificates) > 0 {
		note := ""
		if t.unverified {
			note = " (NOT verified: the trust manager provider is blind-trust)"
		}
		t.printf("*", "server certificate%s: %s", note, tlsconf.DescribeCertificate(st.PeerCertificates[0]))
	}
}

// gotConn writes the request line: the headers follow as the transport
// writes them.
func (t *tracer) gotConn(i httptrace.GotConnInfo) {
	if i.Reused {
		t.printf("*", "reusing the connection to %s", i.Conn.RemoteAddr())
	}
	t.printf(">", "%s %s %s", t.req.Method, displayURI(t.req.URL, t.hidden), t.proto)
}

func (t *tracer) header(key string, values []string) {
	for _, v := range values {
		t.printf(">", "%s: %s", key, headerText(key, v))
	}
}

func (t *tracer) wroteRequest(i httptrace.WroteRequestInfo) {
	where := "form"
	if t.req.Method == http.MethodGet {
		where = "query"
	}
	for _, f := range t.fields {
		t.printf(">", "(%s) %s", where, f)
	}
	if i.Err != nil {
		t.printf("*", "sending the request failed: %v", i.Err)
	}
}

// request notes a request before the transport takes it.
func (t *tracer) request(req *http.Request, proxy string) {
	if t == nil {
		return
	}
	t.req, t.fields = req, displayFields(requestForm(req), t.hidden)
	t.printf("*", "token request: %s %s://%s%s", req.Method, req.URL.Scheme, req.URL.Host, req.URL.EscapedPath())
	switch {
	case proxy == "":
		t.printf("*", "no proxy")
	case req.URL.Scheme == "https":
		t.printf("*", "proxy %s (a CONNECT tunnel: the proxy sees neither the request nor the secret)", proxy)
	default:
		t.printf("*", "proxy %s (plain http: the proxy sees the whole request)", proxy)
	}
}

// tunnel notes a proxy's answer to CONNECT.
func (t *tracer) tunnel(proxy *url.URL, resp *http.Response) {
	if t == nil {
		return
	}
	t.printf("*", "proxy %s answered CONNECT: %s %s", proxy.Redacted(), resp.Proto, DisplayText(resp.Status))
	for _, v := range resp.Header.Values("Proxy-Authenticate") {
		t.printf("*", "Proxy-Authenticate: %s", DisplayText(v))
	}
}

// response writes the status line and the headers.
func (t *tracer) response(resp *http.Response) {
	if t == nil {
		return
	}
	t.printf("<", "%s %s", resp.Proto, DisplayText(resp.Status))
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range resp.Header[k] {
			t.printf("<", "%s: %s", DisplayText(k), headerText(k, v))
		}
	}
}

// end writes the body, once x/oauth2 has read it, or why there was none.
func (t *tracer) end(ex *exchange, err error) {
	if t == nil {
		return
	}
	if ex == nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text holds the URL, with the query of a get
		}
		if err != nil {
			t.printf("*", "no response: %v", err)
		}
		return
	}
	t.body(ex)
}

func (t *tracer) body(ex *exchange) {
	if ex.read == 0 {
		t.printf("<", "(empty body)")
		return
	}
	text, tokens := bodyText(ex.contentType, ex.head.Bytes())
	t.mu.Lock()
	t.secrets = append(t.secrets, tokens...)
	t.mu.Unlock()
	text = DisplayText(text)
	size := fmt.Sprintf("%d bytes", ex.read)
	if ex.tooLarge {
		size = fmt.Sprintf("more than %d bytes", ex.read)
	}
	if len(text) > traceBodyLimit || int64(ex.head.Len()) < ex.read {
		text = strings.ToValidUTF8(text[:min(len(text), traceBodyLimit)], "") + "..."
		size += fmt.Sprintf(", the start shown, up to %d bytes", traceBodyLimit)
	}
	t.printf("<", "(body, %s) %s", size, text)
	if title, ok := htmlPage(ex.contentType, ex.head.Bytes()); ok {
		if title == "" {
			title = "no <title>"
		} else {
			title = fmt.Sprintf("title %q", title)
		}
		t.printf("*", "the token endpoint answered with an HTML page, not JSON (%s)", title)
	}
}

// bodyText returns a response body with the values of its token fields
// replaced by their description, and those values. A JSON object is
// shown as it decodes (so a field given twice cannot hide a token), a
// form as its fields; anything else is masked by pattern.
func bodyText(contentType string, body []byte) (string, []string) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if d.Decode(&m) == nil && m != nil && len(bytes.TrimSpace(body[d.InputOffset():])) == 0 {
		var tokens []string
		for _, k := range tokenFields {
			if s, ok := m[k].(string); ok {
				tokens, m[k] = append(tokens, s), describeToken(s)
			}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if enc.Encode(m) == nil {
			return strings.TrimSpace(b.String()), tokens
		}
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	if q, err := url.ParseQuery(string(body)); err == nil && mt == "application/x-www-form-urlencoded" {
		var tokens []string
		for _, k := range tokenFields {
			tokens = append(tokens, q[k]...)
		}
		return strings.Join(displayFields(q, tokenFields), "&"), tokens
	}
	return maskTokens(string(body)), nil
}

func describeToken(s string) string {
	return fmt.Sprintf("%s (%d characters, sha256 %s)", config.Mask, len(s), config.Fingerprint(s))
}

// requestForm returns the form of a token request: its body, read again
// through GetBody, or, for request-method get, its query.
func requestForm(req *http.Request) url.Values {
	if req.Method == http.MethodGet || req.GetBody == nil {
		return req.URL.Query()
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, 64<<10))
	if err != nil {
		return nil
	}
	q, _ := url.ParseQuery(string(b))
	return q
}

// displayFields returns the fields as name=value, sorted by name, with
// the values of hidden fields, of tokens and of assertions replaced.
func displayFields(q url.Values, hidden []string) []string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []string
	for _, k := range keys {
		for _, v := range q[k] {
			out = append(out, DisplayText(k)+"="+fieldText(k, v, hidden))
		}
	}
	return out
}

func fieldText(name, value string, hidden []string) string {
	switch {
	case slices.Contains(tokenFields, name):
		return describeToken(value)
	case slices.Contains(assertionFields, name):
		return config.Mask + assertionText(value)
	case slices.Contains(hidden, name):
		return config.Mask
	}
	return DisplayText(value)
}

// assertionText shows the header and claims of a JWT assertion, which
// say who signed it for whom and until when; the signature is what
// would let someone else use it, and is never shown.
func assertionText(jwt string) string {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return ""
	}
	var shown []string
	for _, p := range parts[:2] {
		b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(p, "="))
		if err != nil || !json.Valid(b) {
			return ""
		}
		var c bytes.Buffer
		if json.Compact(&c, b) != nil {
			return ""
		}
		shown = append(shown, DisplayText(c.String()))
	}
	return fmt.Sprintf(" (JWT header %s, claims %s, signature not shown)", shown[0], shown[1])
}

// displayURI is the request target with the query's values shown as
// displayFields shows them: for request-method get, the secret is there.
func displayURI(u *url.URL, hidden []string) string {
	p := u.EscapedPath()
	if u.RawQuery == "" {
		return p
	}
	return p + "?" + strings.Join(displayFields(u.Query(), hidden), "&")
}

// headerText shows a header's value: the Authorization scheme with, for
// Basic, the client id; never a credential or a cookie's value.
func headerText(key, v string) string {
	switch strings.ToLower(key) {
	case "authorization", "proxy-authorization":
		return authorizationText(v)
	case "cookie", "set-cookie":
		name, _, _ := strings.Cut(v, "=")
		return DisplayText(name) + "=" + config.Mask
	}
	return DisplayText(v)
}

func authorizationText(v string) string {
	scheme, cred, _ := strings.Cut(v, " ")
	if strings.EqualFold(scheme, "basic") {
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			id, _, _ := strings.Cut(string(raw), ":")
			if u, err := url.QueryUnescape(id); err == nil {
				id = u // x/oauth2 escapes the id and the secret (RFC 6749 §2.3.1)
			}
			return "Basic " + DisplayText(id) + ":" + config.Mask
		}
	}
	return DisplayText(scheme) + " " + config.Mask
}
