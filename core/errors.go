package mcpauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors of configuration and discovery, for use with [errors.Is].
var (
	// ErrInvalidConfig reports a mistake in the library's own configuration:
	// a bad URL, a duplicate resource, an unknown option value.
	ErrInvalidConfig = errors.New("mcpauth: invalid configuration")
	// ErrInvalidServerMetadata reports an authorization-server metadata
	// document that is not usable: not an object, a required member missing
	// or of the wrong type.
	ErrInvalidServerMetadata = errors.New("mcpauth: invalid authorization server metadata")
	// ErrIssuerMismatch reports fetched metadata whose issuer differs from the
	// issuer the discovery URL was built from. See [IssuerMismatchError].
	ErrIssuerMismatch = errors.New("mcpauth: issuer mismatch")
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

// IssuerMismatchError reports an authorization-server metadata document whose
// "issuer" is not identical to the issuer its URL was built from (RFC 8414
// §3.3, OpenID Connect Discovery §4.3). Such a document must not be used.
type IssuerMismatchError struct {
	// URL is where the document was fetched.
	URL string
	// Expected is the issuer the URL was built from.
	Expected string
	// Actual is the issuer the document names.
	Actual string
}

// Error names both issuers.
func (e *IssuerMismatchError) Error() string {
	return fmt.Sprintf("mcpauth: metadata at %s names issuer %q, expected %q", e.URL, e.Actual, e.Expected)
}

// Is reports whether target is [ErrIssuerMismatch].
func (e *IssuerMismatchError) Is(target error) bool { return target == ErrIssuerMismatch }

// DiscoveryError reports that no well-known location produced usable
// metadata for an issuer. Its Unwrap returns every attempt's error, so
// [errors.As] finds an [*IssuerMismatchError] or [*FetchError] among them.
type DiscoveryError struct {
	// Issuer is the issuer discovery was for.
	Issuer string
	// Type is the discovery type.
	Type ServerType
	// Attempts holds one error per URL tried, in order.
	Attempts []error
}

// Error lists every attempt.
func (e *DiscoveryError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mcpauth: no usable %s metadata for issuer %q", e.Type, e.Issuer)
	for _, a := range e.Attempts {
		b.WriteString("; ")
		b.WriteString(strings.TrimPrefix(a.Error(), "mcpauth: "))
	}
	return b.String()
}

// Unwrap returns the attempts' errors.
func (e *DiscoveryError) Unwrap() []error { return e.Attempts }

// Temporary reports whether any attempt failed for a reason that may pass
// by itself (see [FetchError.Temporary]) and none found a mismatching issuer.
func (e *DiscoveryError) Temporary() bool {
	if errors.Is(e, ErrIssuerMismatch) {
		return false
	}
	for _, a := range e.Attempts {
		if isTemporary(a) {
			return true
		}
	}
	return false
}

// isTemporary reports whether err says the remote party may recover.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return false
}
