package check

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
)

// The library does its own fetches (discovery, key sets for the bearer
// middleware, introspection) with its own rules. The command's own
// requests, the key-set listing and the token request, follow the same
// rules, which core does not export: https except for loopback hosts
// (unless -insecure), redirects only to the same host and never from https
// to http, and at most [mcpauth.MaxResponseBytes] of body.

// maxRedirects is the number of redirects the command's own requests follow.
const maxRedirects = 3

// newClient returns the HTTP client of a run: every request is bounded by
// the run's timeout, and redirects obey the rules above.
func (o *options) newClient() *http.Client {
	return &http.Client{
		Timeout: o.timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("redirect refused: more than %d redirects", maxRedirects)
			}
			prev := via[len(via)-1].URL
			if !strings.EqualFold(prev.Host, req.URL.Host) {
				return fmt.Errorf("redirect refused: from host %s to %s", prev.Host, req.URL.Host)
			}
			if prev.Scheme == "https" && req.URL.Scheme != "https" {
				return errors.New("redirect refused: from https to http")
			}
			return o.checkScheme(req.URL)
		},
	}
}

// checkURL parses raw and applies checkScheme.
func (o *options) checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a URL: %w", err)
	}
	if u.Host == "" {
		return nil, errors.New("not an absolute URL")
	}
	return u, o.checkScheme(u)
}

// checkScheme requires https, except for loopback hosts or with -insecure.
func (o *options) checkScheme(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme != "http":
		return fmt.Errorf("unsupported scheme %q", u.Scheme)
	case o.insecure || isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("https required: %s is not a loopback host (pass -insecure to allow plain http)", u.Host)
}

// isLoopback reports whether host is localhost (or under .localhost) or a
// loopback IP address.
func isLoopback(host string) bool {
	h := strings.ToLower(host)
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainHTTP reports whether raw is a plain-http URL to a host that is not
// loopback: one the library fetches only with AllowInsecureHTTP.
func plainHTTP(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == "http" && !isLoopback(u.Hostname())
}

// getJSON fetches raw with GET and decodes its JSON body into v. It
// returns the status (0 when no answer arrived) and what went wrong.
func (c *checker) getJSON(ctx context.Context, raw string, v any) (int, error) {
	if _, err := c.opts.checkURL(raw); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "application/json")
	return c.doJSON(req, v, false)
}

// doJSON sends req and decodes the JSON body into v. With anyStatus the
// body is decoded whatever the status (an OAuth error answer has one);
// otherwise a status other than 200 is an error.
func (c *checker) doJSON(req *http.Request, v any, anyStatus bool) (int, error) {
	resp, err := c.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, mcpauth.MaxResponseBytes+1))
	switch {
	case err != nil:
		return resp.StatusCode, fmt.Errorf("reading the answer: %w", err)
	case len(body) > mcpauth.MaxResponseBytes:
		return resp.StatusCode, fmt.Errorf("the answer is over %d bytes", mcpauth.MaxResponseBytes)
	case resp.StatusCode != http.StatusOK && !anyStatus:
		return resp.StatusCode, fmt.Errorf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp.StatusCode, fmt.Errorf("HTTP %d, not JSON of the expected shape: %w", resp.StatusCode, err)
	}
	return resp.StatusCode, nil
}
