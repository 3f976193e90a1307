package mcpauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// ServerConfig is an authorization server's resolved configuration: how it was
// discovered and its metadata. Build one by hand for a provider without
// discovery ("manual metadata"), or get one from [FetchServerConfig].
type ServerConfig struct {
	// Type is how the metadata was discovered (informational for manual
	// configurations).
	Type ServerType
	// Metadata is the authorization server's metadata. Metadata.Issuer is
	// required; Metadata.JWKSURI is required for JWT verification.
	Metadata AuthorizationServerMetadata
}

// DiscoveryOptions configures fetching authorization-server metadata. A nil
// *DiscoveryOptions means the defaults.
type DiscoveryOptions struct {
	// HTTPClient sends the requests. Nil means a client with a
	// [DefaultFetchTimeout] timeout. Redirects are limited by the library's
	// rules whatever client is given.
	HTTPClient *http.Client
	// AllowInsecureHTTP allows plain-http URLs for hosts that are not
	// loopback. Loopback hosts (localhost, 127.0.0.0/8, ::1) are always allowed.
	AllowInsecureHTTP bool
	// Transpile, when set, rewrites the decoded JSON object before it is
	// parsed, to repair a provider's quirks (for example, add a missing
	// "response_types_supported"). An error it returns fails the fetch.
	Transpile func(data map[string]any) (map[string]any, error)
	// RefreshInterval, for a lazily discovered [AuthServer], refetches the
	// metadata when it is older than this, in the background, while the
	// previous metadata stays in use. Zero means never.
	RefreshInterval time.Duration
}

func (o *DiscoveryOptions) orDefault() *DiscoveryOptions {
	if o == nil {
		return &DiscoveryOptions{}
	}
	return o
}

// FetchServerConfig discovers the metadata of the authorization server issuer.
//
// [ServerTypeOAuth] fetches the RFC 8414 inserted URL, [ServerTypeOIDC] the
// OpenID Connect appended URL, and [ServerTypeAuto] (or "") tries the MCP
// order and takes the first document that parses and whose issuer is
// identical to issuer; see [DiscoveryURLs]. A document naming another issuer
// is never used (RFC 8414 §3.3): for a single URL the error is an
// [*IssuerMismatchError]; when several were tried, a [*DiscoveryError] holding
// every attempt.
func FetchServerConfig(ctx context.Context, issuer string, typ ServerType, opts *DiscoveryOptions) (*ServerConfig, error) {
	urls, err := DiscoveryURLs(issuer, typ)
	if err != nil {
		return nil, err
	}
	if typ == "" {
		typ = ServerTypeAuto
	}
	opts = opts.orDefault()
	f := newFetcher(opts.HTTPClient, opts.AllowInsecureHTTP)
	var attempts []error
	for _, u := range urls {
		cfg, err := fetchMetadata(ctx, f, u, urlType(u, typ), issuer, opts.Transpile)
		if err == nil {
			return cfg, nil
		}
		if ctx.Err() != nil || len(urls) == 1 {
			return nil, err
		}
		attempts = append(attempts, err)
	}
	return nil, &DiscoveryError{Issuer: issuer, Type: typ, Attempts: attempts}
}

// urlType names the type a discovery URL belongs to.
func urlType(u string, typ ServerType) ServerType {
	if typ != ServerTypeAuto {
		return typ
	}
	if strings.Contains(u, OAuthWellKnownPath) {
		return ServerTypeOAuth
	}
	return ServerTypeOIDC
}

// FetchServerConfigByWellKnownURL fetches metadata from the exact URL
// wellKnownURL, for providers whose metadata lives elsewhere than the standard
// locations. No issuer comparison is made, since no issuer was given; the
// document's issuer is the server's issuer.
func FetchServerConfigByWellKnownURL(ctx context.Context, wellKnownURL string, typ ServerType, opts *DiscoveryOptions) (*ServerConfig, error) {
	if typ == "" || typ == ServerTypeAuto {
		typ = ServerTypeOAuth
	}
	opts = opts.orDefault()
	f := newFetcher(opts.HTTPClient, opts.AllowInsecureHTTP)
	return fetchMetadata(ctx, f, wellKnownURL, typ, "", opts.Transpile)
}

// fetchMetadata fetches, transpiles, parses and checks one document. When
// expectedIssuer is not empty, the document's issuer must equal it.
func fetchMetadata(ctx context.Context, f *fetcher, u string, typ ServerType, expectedIssuer string, transpile func(map[string]any) (map[string]any, error)) (*ServerConfig, error) {
	obj, err := f.getJSON(ctx, u)
	if err != nil {
		var fe *FetchError
		if errors.As(err, &fe) && errors.Is(fe.Err, ErrNotJSON) {
			// A document that is not a JSON object is unusable metadata.
			fe.Err = fmt.Errorf("%w: %w", ErrInvalidServerMetadata, fe.Err)
		}
		return nil, err
	}
	if transpile != nil {
		if obj, err = transpile(obj); err != nil {
			return nil, &FetchError{URL: u, StatusCode: http.StatusOK, Err: fmt.Errorf("%w: transpile: %w", ErrInvalidServerMetadata, err)}
		}
	}
	md, err := parseServerMetadata(obj)
	if err != nil {
		return nil, &FetchError{URL: u, StatusCode: http.StatusOK, Err: err}
	}
	if expectedIssuer != "" && md.Issuer != expectedIssuer {
		return nil, &IssuerMismatchError{URL: u, Expected: expectedIssuer, Actual: md.Issuer}
	}
	return &ServerConfig{Type: typ, Metadata: *md}, nil
}

// parseServerMetadata turns a decoded JSON object into metadata and checks the
// members RFC 8414 §2 requires.
func parseServerMetadata(obj map[string]any) (*AuthorizationServerMetadata, error) {
	if obj == nil {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalidServerMetadata)
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidServerMetadata, err)
	}
	var md AuthorizationServerMetadata
	if err := json.Unmarshal(raw, &md); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%w: member %q must be %s, not %s", ErrInvalidServerMetadata, te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalidServerMetadata, err)
	}
	if err := checkRequiredMetadata(&md); err != nil {
		return nil, err
	}
	return &md, nil
}

// checkRequiredMetadata applies RFC 8414 §2's required members: issuer,
// response_types_supported, authorization_endpoint unless no supported grant
// uses it, and token_endpoint unless only the implicit grant is supported.
func checkRequiredMetadata(md *AuthorizationServerMetadata) error {
	var missing []string
	if md.Issuer == "" {
		missing = append(missing, "issuer")
	}
	grants := md.GrantTypesSupported
	if grants == nil {
		grants = defaultGrantTypes
	}
	usesAuthorizationEndpoint := slices.Contains(grants, "authorization_code") || slices.Contains(grants, "implicit")
	if md.AuthorizationEndpoint == "" && usesAuthorizationEndpoint {
		missing = append(missing, "authorization_endpoint")
	}
	onlyImplicit := len(grants) > 0 && !slices.ContainsFunc(grants, func(g string) bool { return g != "implicit" })
	if md.TokenEndpoint == "" && !onlyImplicit {
		missing = append(missing, "token_endpoint")
	}
	if len(md.ResponseTypesSupported) == 0 {
		missing = append(missing, "response_types_supported")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing required member(s) %q", ErrInvalidServerMetadata, missing)
	}
	if _, err := parseIssuer(md.Issuer); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidServerMetadata, err)
	}
	return nil
}

// defaultGrantTypes is the value of an omitted grant_types_supported (RFC 8414 §2).
var defaultGrantTypes = []string{"authorization_code", "implicit"}

// Sentinel errors of discovery, for use with [errors.Is].
var (
	// ErrInvalidServerMetadata reports an authorization-server metadata
	// document that is not usable: not an object, a required member missing
	// or of the wrong type.
	ErrInvalidServerMetadata = errors.New("mcpauth: invalid authorization server metadata")
	// ErrIssuerMismatch reports fetched metadata whose issuer differs from the
	// issuer the discovery URL was built from. See [IssuerMismatchError].
	ErrIssuerMismatch = errors.New("mcpauth: issuer mismatch")
)

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
