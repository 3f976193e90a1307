package probe

import (
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what the probe reads and follows.
const (
	// maxBody is the most read of any answer.
	maxBody = 1 << 20
	// maxRedirects is the most redirects followed for one request.
	maxRedirects = 5
	// maxHeaderBytes is the most read of an answer's header.
	maxHeaderBytes = 64 << 10
)

// errTooLarge is returned when an answer exceeds maxBody.
var errTooLarge = fmt.Errorf("the answer is larger than %d bytes", maxBody)

// newClient returns the HTTP client of a probe: each request (reading the
// answer included) is limited to timeout, an answer's header to 64 KiB,
// and redirects are followed only
// within the request's origin, as the TypeScript SDK's fetchWithinOrigin
// does; a redirect elsewhere is returned as the answer.
func newClient(timeout time.Duration) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxResponseHeaderBytes = maxHeaderBytes
	return &http.Client{Timeout: timeout, Transport: transport, CheckRedirect: sameOriginRedirects}
}

// sameOriginRedirects is the client's CheckRedirect.
func sameOriginRedirects(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if origin(req.URL) != origin(via[0].URL) {
		return http.ErrUseLastResponse
	}
	return nil
}

// origin is u's scheme, host and port, lowercased, without a default port
// (the Web origin the TypeScript SDK compares).
func origin(u *url.URL) string {
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if port == "" {
		if strings.Contains(host, ":") {
			return scheme + "://[" + host + "]"
		}
		return scheme + "://" + host
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// capReader reads at most n bytes from r, and fails with errTooLarge when
// more follow.
type capReader struct {
	r io.Reader
	n int64
}

// Read implements io.Reader.
func (c *capReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		var one [1]byte
		if k, _ := c.r.Read(one[:]); k > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	return k, err
}

// readBody reads r, at most maxBody bytes.
func readBody(r io.Reader) ([]byte, error) {
	return io.ReadAll(&capReader{r: r, n: maxBody})
}

// fetched is an answer read whole.
type fetched struct {
	status int
	header http.Header
	body   []byte
}

// get fetches rawURL with headers, reading the whole (bounded) answer.
func (p *prober) get(ctx context.Context, rawURL string, headers map[string]string) (*fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	return p.send(req)
}

// send sends req and reads the whole (bounded) answer.
func (p *prober) send(req *http.Request) (*fetched, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, err
	}
	return &fetched{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// describeStatus says what a non-success answer was: its status, where a
// redirect pointed, and the start of its body.
func describeStatus(status int, header http.Header, body []byte) string {
	s := fmt.Sprintf("%d %s", status, http.StatusText(status))
	if loc := header.Get("Location"); loc != "" && status >= 300 && status < 400 {
		s += ", redirecting to " + loc + " (not followed: another origin)"
	}
	if textual(header) {
		if snippet := snippet(body); snippet != "" {
			s += ": " + snippet
		}
	}
	return s
}

// textual reports whether an answer's body is worth quoting in a message:
// JSON or plain text, not an HTML error page.
func textual(header http.Header) bool {
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	return mt == "application/json" || mt == "text/plain" || strings.HasSuffix(mt, "+json")
}

// snippet is the start of body on one line, for messages.
func snippet(body []byte) string {
	return clean(strings.Join(strings.Fields(string(body)), " "), 160)
}

// clean makes s, which a server sent, safe to print: at most max runes,
// invalid UTF-8 and control characters replaced.
func clean(s string, max int) string {
	var b strings.Builder
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if n == max {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
