package mcpauth

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// ProtectedResource is one resource the server protects (RFC 9728).
type ProtectedResource struct {
	// Metadata is the resource's metadata document. Metadata.Resource, the
	// resource identifier, is required: an absolute https URL (http only on
	// a loopback host), without fragment, the exact public URL of the MCP
	// endpoint. It is also the audience tokens must carry.
	// Metadata.AuthorizationServers is filled from AuthServers and must be
	// left empty. An empty BearerMethodsSupported becomes ["header"].
	Metadata ProtectedResourceMetadata
	// AuthServers are the authorization servers whose tokens the resource
	// accepts (at least one). A token's issuer must be identical to one of
	// their issuers.
	AuthServers []*AuthServer
	// ScopeHierarchy declares broader scopes that imply narrower ones.
	ScopeHierarchy ScopeHierarchy
	// DPoP, when set, accepts (or with DPoP.Required, requires) access
	// tokens bound to a key with DPoP (RFC 9449); see [DPoPOptions].
	// Metadata.DPoPSigningAlgValuesSupported and
	// Metadata.DPoPBoundAccessTokensRequired are filled from it and must be
	// left empty.
	DPoP *DPoPOptions
	// NoAudienceClientIDs accepts a token that carries no "aud" claim when
	// its client_id (or azp) is one of these. Some providers issue such
	// tokens (Amazon Cognito; Keycloak without an audience mapper). This is
	// weaker than audience binding: any resource trusting the same client
	// would accept the same token. Off (empty) by default.
	NoAudienceClientIDs []string
}

// LegacyServer configures the deprecated authorization-server mode of the
// MCP 2025-03-26 revision, where clients look for authorization-server
// metadata on the MCP server itself: the metadata of Server is served at
// /.well-known/oauth-authorization-server. There is no resource metadata, so
// challenges carry no resource_metadata. There is no resource identifier
// either, so the audience tokens must carry is configured here: without it
// any token the authorization server signed (an ID token of another client,
// an access token for another API) would pass, which OAuth 2.1 §5.2, RFC
// 9068 §4 and the MCP security practices forbid.
//
// Deprecated: MCP 2025-06-18 and later use ProtectedResources.
type LegacyServer struct {
	// Server is the authorization server.
	Server *AuthServer
	// Audiences are the "aud" values accepted: a token must carry at least
	// one (scheme and host compared case-insensitively, one trailing slash
	// tolerated). Set it to the audience the authorization server puts in
	// access tokens for this MCP server, often its URL or an API
	// identifier. Required unless InsecureAcceptAnyAudience is set;
	// [BearerOptions.Audiences] overrides it for one middleware.
	Audiences []string
	// InsecureAcceptAnyAudience, with Audiences empty, accepts tokens
	// whatever their audience: every token the authorization server signs,
	// for any client or API, then passes. Use it only with an authorization
	// server that issues tokens for this MCP server alone. [New] logs a
	// warning when it is set.
	InsecureAcceptAnyAudience bool
	// ScopeHierarchy declares broader scopes that imply narrower ones.
	ScopeHierarchy ScopeHierarchy
}

// resource is a compiled ProtectedResource (or the legacy server).
type resource struct {
	id           string // resource identifier; "" in legacy mode
	canonical    string // canonicalURL(id)
	servers      []*AuthServer
	metadataURL  string // where its metadata is served; "" in legacy mode
	metadataPath string
	document     []byte // pre-marshalled metadata
	hierarchy    *scopeHierarchy
	noAudClients []string
	scopes       []string    // scopes_supported
	audiences    []string    // accepted by default: the identifier, or the legacy server's
	path         string      // the identifier's path without a trailing slash; "" in legacy mode
	anyAudience  bool        // legacy mode with InsecureAcceptAnyAudience
	dpop         *dpopConfig // nil: DPoP not accepted
}

// issuerTrusted returns the AuthServer trusted under issuer.
func (r *resource) server(issuer string) *AuthServer {
	for _, s := range r.servers {
		if s.issuer == issuer {
			return s
		}
	}
	return nil
}

func compileLegacy(l *LegacyServer) (*resource, error) {
	if l.Server == nil {
		return nil, fmt.Errorf("%w: Legacy.Server is required", ErrInvalidConfig)
	}
	if err := checkAuthServer(l.Server); err != nil {
		return nil, err
	}
	if len(l.Audiences) == 0 && !l.InsecureAcceptAnyAudience {
		return nil, fmt.Errorf("%w: Legacy.Audiences is empty: set it to the audience (\"aud\") your authorization server puts in access tokens for this MCP server; "+
			"Legacy.InsecureAcceptAnyAudience would accept tokens issued for any client or API instead", ErrInvalidConfig)
	}
	if slices.Contains(l.Audiences, "") {
		return nil, fmt.Errorf("%w: Legacy.Audiences holds an empty audience", ErrInvalidConfig)
	}
	h, err := l.ScopeHierarchy.compile()
	if err != nil {
		return nil, err
	}
	return &resource{servers: []*AuthServer{l.Server}, hierarchy: h, audiences: slices.Clone(l.Audiences), anyAudience: l.InsecureAcceptAnyAudience}, nil
}

func compileResource(p *ProtectedResource) (*resource, error) {
	md := p.Metadata
	id := md.Resource
	u, err := checkResourceID(id)
	if err != nil {
		return nil, err
	}
	if len(md.AuthorizationServers) > 0 {
		return nil, fmt.Errorf("%w: resource %q: set AuthServers, not Metadata.AuthorizationServers", ErrInvalidConfig, id)
	}
	if len(p.AuthServers) == 0 {
		return nil, fmt.Errorf("%w: resource %q has no authorization server", ErrInvalidConfig, id)
	}
	for i, s := range p.AuthServers {
		if s == nil {
			return nil, fmt.Errorf("%w: resource %q: AuthServers[%d] is nil", ErrInvalidConfig, id, i)
		}
		if err := checkAuthServer(s); err != nil {
			return nil, fmt.Errorf("%w (resource %q)", err, id)
		}
		for _, prev := range p.AuthServers[:i] {
			if prev.issuer == s.issuer {
				return nil, fmt.Errorf("%w: the authorization server (%q) for resource %q is duplicated", ErrInvalidConfig, s.issuer, id)
			}
		}
		md.AuthorizationServers = append(md.AuthorizationServers, s.issuer)
	}
	if slices.Contains(md.ScopesSupported, offlineAccess) {
		return nil, fmt.Errorf("%w: resource %q: scopes_supported must not contain offline_access (MCP 2026-07-28)", ErrInvalidConfig, id)
	}
	if err := checkScopes(fmt.Sprintf("resource %q scopes_supported", id), md.ScopesSupported); err != nil {
		return nil, err
	}
	if len(md.BearerMethodsSupported) == 0 {
		md.BearerMethodsSupported = []string{"header"}
	}
	h, err := p.ScopeHierarchy.compile()
	if err != nil {
		return nil, err
	}
	if len(md.DPoPSigningAlgValuesSupported) > 0 || md.DPoPBoundAccessTokensRequired != nil {
		return nil, fmt.Errorf("%w: resource %q: set ProtectedResource.DPoP, not the metadata's DPoP fields, which are filled from it (advertising DPoP the resource does not check would mislead clients)", ErrInvalidConfig, id)
	}
	dp, err := p.DPoP.compile(id)
	if err != nil {
		return nil, err
	}
	if dp != nil {
		md.DPoPSigningAlgValuesSupported = dp.algs
		if dp.required {
			md.DPoPBoundAccessTokensRequired = &dp.required
		}
	}
	doc, err := md.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%w: resource %q metadata: %v", ErrInvalidConfig, id, err)
	}
	return &resource{
		id:           id,
		canonical:    canonicalURL(id),
		servers:      slices.Clone(p.AuthServers),
		metadataURL:  originOf(u) + resourceMetadataPath(u),
		metadataPath: resourceMetadataPath(u),
		path:         strings.TrimSuffix(u.Path, "/"),
		document:     doc,
		hierarchy:    h,
		noAudClients: slices.Clone(p.NoAudienceClientIDs),
		scopes:       md.ScopesSupported,
		audiences:    []string{id},
		dpop:         dp,
	}, nil
}

// checkResourceID requires an absolute https URL (http on loopback) without
// fragment, in UTF-8 (it is served in JSON, which cannot carry other bytes).
func checkResourceID(id string) (*url.URL, error) {
	u, err := url.Parse(id)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("%w: resource %q must be an absolute https URL", ErrInvalidConfig, id)
	}
	if !utf8.ValidString(id) {
		return nil, fmt.Errorf("%w: resource %q is not UTF-8", ErrInvalidConfig, id)
	}
	if strings.Contains(id, "#") {
		return nil, fmt.Errorf("%w: resource %q must not have a fragment (RFC 8707 §2)", ErrInvalidConfig, id)
	}
	if strings.EqualFold(u.Scheme, "http") && !isLoopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%w: resource %q must use https (http only on a loopback host)", ErrInvalidConfig, id)
	}
	return u, nil
}

// canonicalURL lowercases the scheme and host of u and drops one trailing
// slash of its path, so that resource identifiers and audiences compare as
// MCP's canonical-URI rule intends. A string that is not a URL is returned
// unchanged.
func canonicalURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = strings.TrimSuffix(u.RawPath, "/")
	return u.String()
}
