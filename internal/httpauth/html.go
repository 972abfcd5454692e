package httpauth

import (
	"bytes"
	"html"
	"mime"
	"strings"
)

// maxTitle is the most of an HTML page's title that is shown.
const maxTitle = 120

// htmlPage says whether a response body is an HTML page, by its content
// type or, when the type is missing or wrong, by how the body begins, and
// returns the page's <title>, on one line, cleaned for a terminal and
// with token values masked; "" when it has none. Only the start of the
// body is looked at: the title is in the head.
func htmlPage(contentType string, body []byte) (title string, ok bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	start := bytes.ToLower(bytes.TrimSpace(body[:min(len(body), 512)]))
	ok = mt == "text/html" || mt == "application/xhtml+xml" ||
		bytes.HasPrefix(start, []byte("<!doctype html")) || bytes.HasPrefix(start, []byte("<html"))
	if !ok {
		return "", false
	}
	return htmlTitle(body), true
}

func htmlTitle(body []byte) string {
	lower := bytes.ToLower(body)
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return ""
	}
	j := bytes.IndexByte(lower[i:], '>')
	if j < 0 {
		return ""
	}
	rest := body[i+j+1:]
	if k := bytes.Index(bytes.ToLower(rest), []byte("</title")); k >= 0 {
		rest = rest[:k]
	}
	t := strings.Join(strings.Fields(html.UnescapeString(strings.ToValidUTF8(string(rest), "?"))), " ")
	if len(t) > maxTitle {
		t = strings.ToValidUTF8(t[:maxTitle], "") + "..."
	}
	return DisplayText(maskTokens(t))
}
