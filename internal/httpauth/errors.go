package httpauth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"github.com/dsconfig-smtp/dsconfig/internal/config"
	"github.com/dsconfig-smtp/dsconfig/internal/tlsconf"
)

// ErrorClass says what kind of failure a TokenError is.
type ErrorClass string

// The classes of token failure.
const (
	ClassOAuth        ErrorClass = "oauth-error"        // an RFC 6749 §5.2 error response
	ClassHTTP         ErrorClass = "http-error"         // a non-2xx status without an OAuth error
	ClassBadResponse  ErrorClass = "bad-response"       // a 2xx body that is not a token response
	ClassNoToken      ErrorClass = "no-access-token"    // a 2xx JSON body without access_token
	ClassTimeout      ErrorClass = "timeout"            // no answer within response-timeout
	ClassDNS          ErrorClass = "dns"                // the host name does not resolve
	ClassTLS          ErrorClass = "tls"                // the TLS handshake failed
	ClassConnect      ErrorClass = "connect"            // the connection failed
	ClassStaticReject ErrorClass = "static-rejected"    // a static token was rejected
	ClassTooLarge     ErrorClass = "response-too-large" // a body longer than maxResponseSize
	ClassHTML         ErrorClass = "html-page"          // an HTML page instead of a JSON response
	ClassProxy        ErrorClass = "proxy-refused"      // a proxy refused the request or the tunnel (407 and others)
	ClassLocked       ErrorClass = "lock-timeout"       // another process's request of the same token took too long
	ClassOther        ErrorClass = "request-failed"     // anything else
)

// TokenError is a token that could not be obtained. It says what was
// attempted (endpoint, client id; never the secret), what came back, and
// through ErrorHint what to do. Every text in it has been cleared of the
// secret.
type TokenError struct {
	Method   string
	Endpoint string
	ClientID string
	Class    ErrorClass
	// SigningKid is the kid of the key that signed the client assertion
	// (private-key-jwt); empty for a secret.
	SigningKid string
	// ServiceAccount says the grant was a service account's JWT bearer
	// grant (Google), whose error codes mean other things.
	ServiceAccount bool

	Status      int    // HTTP status; 0 when there was no response
	StatusText  string // e.g. "401 Unauthorized"
	Code        string // RFC 6749 error, e.g. invalid_client
	Description string // error_description
	URI         string // error_uri
	// Microsoft Entra ID details from the error body.
	AADSTS        string // e.g. "AADSTS7000215"
	TraceID       string
	CorrelationID string
	Fields        []string // for ClassNoToken: the fields the body had
	ContentType   string
	Location      string // for a redirect
	// RetryAfter is the server's Retry-After, as a delay ("30 s") or a
	// time in UTC (RFC 3339); empty when absent or unreadable.
	RetryAfter string
	Snippet    string // the start of a body that could not be understood, sanitized
	// JSONKind is, for ClassBadResponse, what a body that is JSON but
	// not an object holds ("array", "string", ...). It is not quoted: it
	// may hold a token in a form that the mask does not know.
	JSONKind string
	// Title is, for ClassHTML, the page's <title>, when it has one.
	Title string
	// Proxy is the proxy the request went through, without credentials;
	// for ClassProxy, the one that refused it.
	Proxy string
	// Certificate describes, for ClassTLS, the certificate the server
	// presented when it failed verification.
	Certificate string
	Timeout     time.Duration
	// For ClassLocked: the lock file waited for, and the pid its holder
	// wrote in it (0 when unknown). Timeout is then how long it waited.
	LockFile  string
	HolderPID int
	Err       error // the underlying error, when there was no response
}

// Error reads like: oauth2: token request to URL for client id "x"
// failed: what came back.
func (e *TokenError) Error() string {
	who := fmt.Sprintf("oauth2: token request to %s for client id %q failed: ", e.Endpoint, e.ClientID)
	if e.Class == ClassStaticReject {
		who = fmt.Sprintf("oauth2: http authorization method %q: ", e.Method)
	}
	d := e.detail()
	if e.RetryAfter != "" {
		d += "; it asks to retry after " + e.RetryAfter
	}
	return who + d
}

func (e *TokenError) detail() string {
	switch e.Class {
	case ClassOAuth:
		return e.oauthDetail()
	case ClassHTTP:
		if e.Location != "" {
			return fmt.Sprintf("the server answered HTTP %s, redirecting to %s", e.StatusText, e.Location)
		}
		if e.Snippet == "" {
			return fmt.Sprintf("the server answered HTTP %s with an empty body", e.StatusText)
		}
		return fmt.Sprintf("the server answered HTTP %s without an OAuth error (content type %q): %q", e.StatusText, e.ContentType, e.Snippet)
	case ClassBadResponse:
		if e.JSONKind != "" {
			return fmt.Sprintf("the server answered HTTP %s with a JSON %s, not a token response object", e.StatusText, e.JSONKind)
		}
		if e.Snippet == "" {
			return fmt.Sprintf("the server answered HTTP %s with an access_token, but the response could not be read (content type %q; fields in the response: %s)", e.StatusText, e.ContentType, strings.Join(e.Fields, ", "))
		}
		return fmt.Sprintf("the server answered HTTP %s, but the body is not a token response (content type %q): %q", e.StatusText, e.ContentType, e.Snippet)
	case ClassNoToken:
		return fmt.Sprintf("the server answered HTTP %s without an access_token (fields in the response: %s)", e.StatusText, strings.Join(e.Fields, ", "))
	case ClassTooLarge:
		return fmt.Sprintf("the server answered HTTP %s with a body larger than %d KiB, the limit (content type %q): %q", e.StatusText, maxResponseSize>>10, e.ContentType, e.Snippet)
	case ClassTimeout:
		if e.Status != 0 {
			return fmt.Sprintf("the server answered HTTP %s but did not finish the body within %s (response-timeout)", e.StatusText, config.FormatDuration(e.Timeout))
		}
		return fmt.Sprintf("no answer within %s (response-timeout)", config.FormatDuration(e.Timeout))
	case ClassStaticReject:
		return "the server rejected the static bearer token, and a static token cannot be renewed"
	case ClassHTML:
		return e.htmlDetail()
	case ClassProxy:
		return e.proxyDetail()
	case ClassLocked:
		holder := "another process"
		if e.HolderPID > 0 {
			holder = fmt.Sprintf("another process (pid %d)", e.HolderPID)
		}
		return fmt.Sprintf("%s has been requesting the same token for more than %s (response-timeout plus %s; lock file %s)",
			holder, config.FormatDuration(e.Timeout), config.FormatDuration(lockSlack), e.LockFile)
	case ClassDNS:
		return fmt.Sprintf("the host name could not be resolved: %v", e.Err)
	case ClassTLS:
		if e.Certificate != "" {
			return fmt.Sprintf("the TLS handshake failed: %v; the server presented: %s", e.Err, e.Certificate)
		}
		return fmt.Sprintf("the TLS handshake failed: %v", e.Err)
	case ClassConnect:
		return fmt.Sprintf("could not connect: %v", e.Err)
	}
	return fmt.Sprintf("%v", e.Err)
}

// htmlDetail names an HTML answer, which is a login page, a proxy's or
// a captive portal's page far more often than a token endpoint's.
func (e *TokenError) htmlDetail() string {
	title := "no <title>"
	if e.Title != "" {
		title = fmt.Sprintf("title %q", e.Title)
	}
	return fmt.Sprintf("the token endpoint answered with an HTML page, not JSON (HTTP %s, %s)", e.StatusText, title)
}

func (e *TokenError) proxyDetail() string {
	proxy := "a proxy"
	if e.Proxy != "" {
		proxy = "the proxy " + e.Proxy
	}
	if e.Status == http.StatusProxyAuthRequired {
		return fmt.Sprintf("%s answered HTTP %s: it asks for proxy credentials, and dsconfig sends none", proxy, e.StatusText)
	}
	return fmt.Sprintf("%s refused to open a tunnel to the token endpoint: HTTP %s", proxy, e.StatusText)
}

func (e *TokenError) oauthDetail() string {
	s := fmt.Sprintf("the server answered HTTP %s with error %q", e.StatusText, e.Code)
	if e.Description != "" {
		s += ": " + e.Description
	}
	var ids []string
	if e.TraceID != "" {
		ids = append(ids, "trace id "+e.TraceID)
	}
	if e.CorrelationID != "" {
		ids = append(ids, "correlation id "+e.CorrelationID)
	}
	if len(ids) > 0 {
		s += " (" + strings.Join(ids, ", ") + ")"
	}
	return s
}

func (e *TokenError) Unwrap() error { return e.Err }

// classify fills e from the error x/oauth2 or net/http returned and from
// what the recorder saw.
func (e *TokenError) classify(ctx context.Context, err error, rec *recorder) {
	ex := rec.last
	e.Proxy = rec.proxy
	e.classifyExchange(ctx, err, ex)
	switch {
	case rec.tunnel != nil && rec.tunnel.StatusCode != http.StatusOK:
		// The transport reports a refused CONNECT only by its status
		// text; the hook in buildTransport kept the response.
		e.Class, e.Status, e.StatusText, e.Err = ClassProxy, rec.tunnel.StatusCode, rec.tunnel.Status, nil
	case ex != nil && ex.status == http.StatusProxyAuthRequired && e.Class == ClassHTTP:
		// Only a proxy answers 407, whatever page it adds.
		e.Class, e.Snippet, e.Title = ClassProxy, "", ""
	case ex != nil && (e.Class == ClassHTTP || e.Class == ClassBadResponse) && e.JSONKind == "":
		if title, ok := htmlPage(ex.contentType, ex.head.Bytes()); ok {
			e.Class, e.Title, e.Snippet = ClassHTML, title, ""
		}
	}
}

func (e *TokenError) classifyExchange(ctx context.Context, err error, ex *exchange) {
	var re *oauth2.RetrieveError
	switch {
	case ex != nil && ex.tooLarge:
		e.fromResponse(ex.head.Bytes(), ex)
		e.Class = ClassTooLarge
	case ex != nil && ex.readErr != nil:
		// The body did not come whole; x/oauth2's error does not wrap
		// why, so it is taken from the reader.
		e.fromResponse(nil, ex)
		e.classifyNetwork(ctx, ex.readErr)
	case errors.As(err, &re):
		e.fromResponse(re.Body, ex)
		e.Code, e.Description, e.URI = re.ErrorCode, re.ErrorDescription, re.ErrorURI
		if e.Code == "" {
			e.jsonError(re.Body)
		}
		e.Class = ClassHTTP
		if e.Code != "" {
			e.Class = ClassOAuth
			e.microsoftDetails(re.Body)
		}
	case ex != nil:
		// x/oauth2 gives a plain error for a 2xx body it cannot use.
		e.fromResponse(ex.head.Bytes(), ex)
		e.classifyBody(ex.head.Bytes())
	default:
		e.classifyNetwork(ctx, err)
	}
}

func (e *TokenError) fromResponse(body []byte, ex *exchange) {
	if ex == nil {
		return
	}
	e.Status, e.StatusText, e.ContentType, e.Location = ex.status, ex.statusText, ex.contentType, ex.location
	e.RetryAfter = retryAfter(ex.retryAfter)
	e.Snippet = snippet(body)
}

// retryAfter reads a Retry-After header (RFC 9110 §10.2.3): a number of
// seconds, or an HTTP date. Anything else is left out.
func retryAfter(h string) string {
	h = strings.TrimSpace(h)
	if h == "" {
		return ""
	}
	if n, err := strconv.ParseUint(h, 10, 32); err == nil {
		return config.FormatDuration(time.Duration(n) * time.Second)
	}
	if t, err := http.ParseTime(h); err == nil {
		return t.UTC().Format(time.RFC3339)
	}
	return ""
}

func (e *TokenError) classifyBody(body []byte) {
	var m map[string]any
	if mt, _, _ := mime.ParseMediaType(e.ContentType); mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		if q, err := url.ParseQuery(string(body)); err == nil && len(q) > 0 && !strings.ContainsAny(string(body), "<{") {
			m = map[string]any{}
			for k := range q {
				m[k] = q.Get(k)
			}
		}
	} else if json.Unmarshal(body, &m) != nil {
		m = nil
		if k := jsonKind(body); k != "" {
			e.Snippet, e.JSONKind = "", k
		}
	}
	if m == nil {
		e.Class = ClassBadResponse
		return
	}
	// Only the field names are shown from here on: the body parsed, so
	// a snippet would add nothing but the risk of showing a token.
	e.Snippet = ""
	for k := range m {
		e.Fields = append(e.Fields, k)
	}
	sort.Strings(e.Fields)
	e.Class = ClassNoToken
	if s, _ := m["access_token"].(string); s != "" {
		// access_token is there but something else did not parse, e.g.
		// a non-numeric expires_in.
		e.Class = ClassBadResponse
	}
}

// jsonKind says what kind of JSON value body is, or "" when it is not
// JSON.
func jsonKind(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "object"
}

// jsonError reads an RFC 6749 error from a JSON body that x/oauth2 did
// not parse because of its content type (text/plain is read as a form).
func (e *TokenError) jsonError(body []byte) {
	var oe struct {
		Code        string `json:"error"`
		Description string `json:"error_description"`
		URI         string `json:"error_uri"`
	}
	if json.Unmarshal(body, &oe) == nil {
		e.Code, e.Description, e.URI = oe.Code, oe.Description, oe.URI
	}
}

// microsoftDetails reads the fields Entra ID adds to an error body.
func (e *TokenError) microsoftDetails(body []byte) {
	var ms struct {
		ErrorCodes    []int  `json:"error_codes"`
		TraceID       string `json:"trace_id"`
		CorrelationID string `json:"correlation_id"`
	}
	_ = json.Unmarshal(body, &ms)
	e.TraceID, e.CorrelationID = ms.TraceID, ms.CorrelationID
	if m := aadstsRE.FindString(e.Description); m != "" {
		e.AADSTS = m
	} else if len(ms.ErrorCodes) > 0 {
		e.AADSTS = fmt.Sprintf("AADSTS%d", ms.ErrorCodes[0])
	}
}

var aadstsRE = regexp.MustCompile(`AADSTS\d+`)

func (e *TokenError) classifyNetwork(ctx context.Context, err error) {
	// url.Error holds the request URL, which for request-method get
	// carries the secret: keep only what it wraps.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	e.Err = err
	var dns *net.DNSError
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled) && errors.Is(ctx.Err(), context.Canceled):
		e.Class = ClassOther
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout(),
		errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Class = ClassTimeout
	case errors.As(err, &dns):
		e.Class = ClassDNS
	case isTLSError(err):
		e.Class = ClassTLS
		if c := tlsconf.FailedCertificate(err); c != nil {
			e.Certificate = tlsconf.DescribeCertificate(c)
		}
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.Class = ClassConnect
	default:
		e.Class = ClassOther
	}
}

func isTLSError(err error) bool {
	var (
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
		cv *tls.CertificateVerificationError
		rh tls.RecordHeaderError
		ae tls.AlertError
		ec *tls.ECHRejectionError
	)
	return errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &cv) ||
		errors.As(err, &rh) || errors.As(err, &ae) || errors.As(err, &ec) || strings.Contains(err.Error(), "tls: ")
}

// tokenValueRE finds the value of a token field in a JSON or form body,
// complete or cut short: "access_token": "...", access_token=...
var tokenValueRE = regexp.MustCompile(`(?i)("(?:access|refresh|id)_token"\s*:\s*")[^"]*("?)|((?:access|refresh|id)_token=)[^&\s]*`)

// maskTokens replaces the values of token fields in s.
func maskTokens(s string) string {
	return tokenValueRE.ReplaceAllString(s, "${1}${3}"+config.Mask+"${2}")
}

// snippet returns the start of body on one line, with control characters
// replaced and token values masked, for an error message. A body that
// failed to parse may still carry a token, so the mask is applied to
// every snippet, before it is cut.
func snippet(body []byte) string {
	s := maskTokens(strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "?")), " "))
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

// redact masks the secrets, in every form config.Redact knows, in the
// texts of e.
func (e *TokenError) redact(secrets []string) {
	r := func(s string) string { return config.Redact(s, secrets...) }
	e.Description, e.Snippet, e.URI, e.Location = r(e.Description), r(e.Snippet), r(e.URI), r(e.Location)
	e.Title = r(e.Title)
	// What the server wrote is shown as text that cannot act on a
	// terminal.
	for _, p := range []*string{&e.Description, &e.URI, &e.Location, &e.StatusText, &e.TraceID, &e.CorrelationID} {
		*p = DisplayText(*p)
	}
	for i := range e.Fields {
		e.Fields[i] = DisplayText(r(e.Fields[i]))
	}
	if e.Err != nil && r(e.Err.Error()) != e.Err.Error() {
		e.Err = &redactedError{msg: r(e.Err.Error()), err: e.Err}
	}
}

// redactedError shows a cleaned message but still unwraps, so that
// errors.Is(err, context.DeadlineExceeded) keeps working.
type redactedError struct {
	msg string
	err error
}

func (r *redactedError) Error() string { return r.msg }
func (r *redactedError) Unwrap() error { return r.err }
