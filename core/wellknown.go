package mcpauth

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Well-known path segments used in discovery.
const (
	// OAuthWellKnownPath is the RFC 8414 §3 well-known segment for
	// authorization-server metadata.
	OAuthWellKnownPath = "/.well-known/oauth-authorization-server"
	// OIDCWellKnownPath is the OpenID Connect Discovery §4 well-known segment.
	OIDCWellKnownPath = "/.well-known/openid-configuration"
	// ProtectedResourceWellKnownPath is the RFC 9728 §3 well-known segment for
	// protected resource metadata.
	ProtectedResourceWellKnownPath = "/.well-known/oauth-protected-resource"
)

// ServerType says how an authorization server's metadata is discovered.
type ServerType string

// The discovery types. The zero value, "", means [ServerTypeAuto].
const (
	// ServerTypeOAuth fetches RFC 8414 metadata from the URL formed by
	// inserting /.well-known/oauth-authorization-server between the issuer's
	// host and path.
	ServerTypeOAuth ServerType = "oauth"
	// ServerTypeOIDC fetches OpenID Connect Discovery metadata from the URL
	// formed by appending /.well-known/openid-configuration to the issuer.
	ServerTypeOIDC ServerType = "oidc"
	// ServerTypeAuto tries the locations in the order of the MCP specification
	// (2025-11-25 and later): for an issuer with a path, the OAuth inserted
	// URL, the OpenID Connect inserted URL, then the OpenID Connect appended
	// URL; for an issuer without a path, the OAuth URL then the OpenID Connect
	// URL. The first document that parses and whose issuer matches wins.
	ServerTypeAuto ServerType = "auto"
)

// String returns the type's name; the zero value is "auto".
func (t ServerType) String() string {
	if t == "" {
		return string(ServerTypeAuto)
	}
	return string(t)
}

// ParseServerType parses "oauth", "oidc" or "auto" (case-insensitive; "" means
// auto), as used by flags and environment variables.
func ParseServerType(s string) (ServerType, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return ServerTypeAuto, nil
	case "oauth":
		return ServerTypeOAuth, nil
	case "oidc":
		return ServerTypeOIDC, nil
	}
	return "", fmt.Errorf("mcpauth: unknown server type %q (want oauth, oidc or auto)", s)
}

// DiscoveryURLs returns the well-known URLs tried for issuer and typ, in order.
//
// The issuer's terminating "/" is dropped before the well-known segment is
// added and its query is kept, as in the MCP Auth reference libraries:
//
//	oauth: https://ex.com/.well-known/oauth-authorization-server/tenant
//	oidc:  https://ex.com/tenant/.well-known/openid-configuration
//	auto:  both of the above with https://ex.com/.well-known/openid-configuration/tenant
//	       between them (for an issuer without a path: oauth, then oidc)
func DiscoveryURLs(issuer string, typ ServerType) ([]string, error) {
	u, err := parseIssuer(issuer)
	if err != nil {
		return nil, err
	}
	origin := originOf(u)
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	query := ""
	if u.RawQuery != "" {
		query = "?" + u.RawQuery
	}
	oauthInsert := origin + OAuthWellKnownPath + path + query
	oidcInsert := origin + OIDCWellKnownPath + path + query
	oidcAppend := origin + path + OIDCWellKnownPath + query
	switch typ {
	case ServerTypeOAuth:
		return []string{oauthInsert}, nil
	case ServerTypeOIDC:
		return []string{oidcAppend}, nil
	case ServerTypeAuto, "":
		if path == "" {
			return []string{oauthInsert, oidcAppend}, nil
		}
		return []string{oauthInsert, oidcInsert, oidcAppend}, nil
	}
	return nil, fmt.Errorf("%w: unknown server type %q", ErrInvalidConfig, string(typ))
}

// parseIssuer checks that issuer is an absolute http(s) URL with a host and
// no fragment, in UTF-8 (it is compared with the "iss" of JSON documents,
// which cannot carry other bytes).
func parseIssuer(issuer string) (*url.URL, error) {
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, fmt.Errorf("%w: issuer %q is not a URL: %v", ErrInvalidConfig, issuer, err)
	}
	if !utf8.ValidString(issuer) {
		return nil, fmt.Errorf("%w: issuer %q is not UTF-8", ErrInvalidConfig, issuer)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: issuer %q must be an absolute http(s) URL", ErrInvalidConfig, issuer)
	}
	if u.Fragment != "" || strings.Contains(issuer, "#") {
		return nil, fmt.Errorf("%w: issuer %q must not have a fragment", ErrInvalidConfig, issuer)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: issuer %q must not carry user information", ErrInvalidConfig, issuer)
	}
	return u, nil
}

// ResourceMetadataURL returns the URL where the protected resource metadata of
// resource is served (RFC 9728 §3.1): /.well-known/oauth-protected-resource
// inserted between the host and the path; query and fragment dropped; a
// terminating "/" of the path kept.
//
//	https://api.example.com/mcp -> https://api.example.com/.well-known/oauth-protected-resource/mcp
//	https://api.example.com     -> https://api.example.com/.well-known/oauth-protected-resource
func ResourceMetadataURL(resource string) (string, error) {
	u, err := url.Parse(resource)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%w: resource %q is not an absolute URL", ErrInvalidConfig, resource)
	}
	return originOf(u) + resourceMetadataPath(u), nil
}

// originOf returns scheme://host of u. A '%' in the host (the zone of an
// IPv6 address, "[fe80::1%25en0]", which url.Parse unescapes) is escaped
// again, so that the URLs built on it parse back.
func originOf(u *url.URL) string {
	return u.Scheme + "://" + strings.ReplaceAll(u.Host, "%", "%25")
}

// resourceMetadataPath is the path part of [ResourceMetadataURL].
func resourceMetadataPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "/" {
		p = ""
	}
	return ProtectedResourceWellKnownPath + p
}
