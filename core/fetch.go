package mcpauth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits of every fetch the library makes.
const (
	// DefaultFetchTimeout bounds a fetch when the caller gives no HTTP client.
	DefaultFetchTimeout = 10 * time.Second
	// MaxResponseBytes caps the body of a metadata document or key set.
	MaxResponseBytes = 1 << 20
	// maxRedirects is the number of redirects followed.
	maxRedirects = 3
)

var defaultHTTPClient = &http.Client{Timeout: DefaultFetchTimeout}

// fetcher performs the library's outgoing GET and POST requests with its
// hygiene rules: https except for loopback hosts (unless allowInsecure), at
// most three redirects, each to the same host and never from https to http,
// and a body limit of [MaxResponseBytes].
type fetcher struct {
	client        *http.Client
	allowInsecure bool
}

func newFetcher(client *http.Client, allowInsecure bool) *fetcher {
	if client == nil {
		client = defaultHTTPClient
	}
	c := *client // a copy, so the caller's CheckRedirect is wrapped, not replaced
	prev := client.CheckRedirect
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := checkRedirect(req, via, allowInsecure); err != nil {
			return err
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return &fetcher{client: &c, allowInsecure: allowInsecure}
}

func checkRedirect(req *http.Request, via []*http.Request, allowInsecure bool) error {
	if len(via) > maxRedirects {
		return fmt.Errorf("%w: more than %d redirects", ErrRedirectRefused, maxRedirects)
	}
	prev := via[len(via)-1].URL
	if !strings.EqualFold(req.URL.Host, prev.Host) {
		return fmt.Errorf("%w: from host %s to %s", ErrRedirectRefused, prev.Host, req.URL.Host)
	}
	if prev.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("%w: from https to %s", ErrRedirectRefused, req.URL.Scheme)
	}
	return checkURL(req.URL, allowInsecure)
}

// checkFetchURL parses rawURL and applies checkURL.
func checkFetchURL(rawURL string, allowInsecure bool) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	return checkURL(u, allowInsecure)
}

// checkURL requires https, except for loopback hosts or when allowInsecure.
func checkURL(u *url.URL, allowInsecure bool) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if allowInsecure || isLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("%w: %s is not a loopback host", ErrInsecureURL, u.Host)
	}
	return fmt.Errorf("%w: unsupported scheme %q", ErrInsecureURL, u.Scheme)
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// getJSON fetches rawURL and decodes its JSON object into a map of raw members.
func (f *fetcher) getJSON(ctx context.Context, rawURL string) (map[string]any, error) {
	body, err := f.do(ctx, http.MethodGet, rawURL, nil, nil)
	if err != nil {
		return nil, err
	}
	obj, err := decodeObject(body)
	if err != nil {
		return nil, &FetchError{URL: rawURL, StatusCode: http.StatusOK, Err: err}
	}
	return obj, nil
}

// decodeObject decodes body, which must be a single JSON object.
func decodeObject(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		if err == nil {
			err = errors.New("null")
		}
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", ErrNotJSON)
	}
	return obj, nil
}

// do sends one request and returns the body of a 200 response.
func (f *fetcher) do(ctx context.Context, method, rawURL string, form url.Values, header http.Header) ([]byte, error) {
	fail := func(status int, err error) ([]byte, error) {
		return nil, &FetchError{URL: rawURL, StatusCode: status, Err: err}
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fail(0, fmt.Errorf("%w: %v", ErrInvalidConfig, err))
	}
	if err := checkURL(u, f.allowInsecure); err != nil {
		return fail(0, err)
	}
	var reqBody io.Reader
	if form != nil {
		reqBody = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, reqBody)
	if err != nil {
		return fail(0, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail(0, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return fail(resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fail(resp.StatusCode, ErrUnexpectedStatus)
	}
	if len(body) > MaxResponseBytes {
		return fail(resp.StatusCode, fmt.Errorf("%w: over %d bytes", ErrResponseTooLarge, MaxResponseBytes))
	}
	return body, nil
}

// Sentinel errors of fetches, for use with [errors.Is].
var (
	// ErrInsecureURL reports a plain-http URL for a host that is not loopback
	// while plain http was not allowed.
	ErrInsecureURL = errors.New("mcpauth: https required")
	// ErrResponseTooLarge reports a response body over the size limit.
	ErrResponseTooLarge = errors.New("mcpauth: response too large")
	// ErrNotJSON reports a response body that is not a JSON object.
	ErrNotJSON = errors.New("mcpauth: response is not a JSON object")
	// ErrUnexpectedStatus reports a response status other than 200.
	ErrUnexpectedStatus = errors.New("mcpauth: unexpected HTTP status")
	// ErrRedirectRefused reports a redirect to another host, from https to
	// http, or beyond the redirect limit.
	ErrRedirectRefused = errors.New("mcpauth: redirect refused")
)

// FetchError is the failure of one HTTP fetch of a metadata document or key
// set. It names the URL and wraps the cause: one of the sentinels above, a
// network error, or a context error.
type FetchError struct {
	// URL is the URL that was fetched.
	URL string
	// StatusCode is the response status, or 0 when no response arrived.
	StatusCode int
	// Err is the cause.
	Err error
}

// Error describes the failure with its URL.
func (e *FetchError) Error() string {
	if e.StatusCode != 0 && errors.Is(e.Err, ErrUnexpectedStatus) {
		return fmt.Sprintf("mcpauth: fetch %s: HTTP %d %s", e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("mcpauth: fetch %s: %s", e.URL, strings.TrimPrefix(e.Err.Error(), "mcpauth: "))
}

// Unwrap returns the cause.
func (e *FetchError) Unwrap() error { return e.Err }

// Temporary reports whether the failure may pass by itself: a network error,
// a timeout, or an HTTP status of 5xx, 429 or 408. A cancelled request is not
// temporary.
func (e *FetchError) Temporary() bool {
	if errors.Is(e.Err, context.Canceled) {
		return false
	}
	if e.StatusCode != 0 {
		return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusRequestTimeout
	}
	for _, s := range []error{ErrInsecureURL, ErrResponseTooLarge, ErrNotJSON, ErrRedirectRefused, ErrInvalidServerMetadata, ErrInvalidConfig} {
		if errors.Is(e.Err, s) {
			return false
		}
	}
	return true
}

// isTemporary reports whether err says the remote party may recover.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return false
}
