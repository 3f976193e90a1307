package mcpauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// AuthInfo is the verified identity of a request, handed to handlers through
// the request's context ([FromContext]).
//
// Each request gets its own AuthInfo, but Audience, Scopes and Claims may be
// shared with other requests bearing the same token (the verified-token
// cache and the introspection cache reuse them): read them, never modify
// them.
type AuthInfo struct {
	// Token is the raw bearer token. It is never encoded to JSON.
	Token string `json:"-"`
	// Issuer is the "iss" of the token: the authorization server that issued it.
	Issuer string `json:"issuer"`
	// Subject is the "sub" of the token: the user, or the client for
	// client-credentials tokens.
	Subject string `json:"subject"`
	// ClientID is "client_id", else "azp" (Auth0, Keycloak, Entra ID v2.0),
	// else "appid" (Entra ID v1.0), else "cid" (Okta).
	ClientID string `json:"clientId,omitempty"`
	// Audience is "aud", always as a list.
	Audience []string `json:"audience,omitempty"`
	// Scopes are the granted scopes, from "scope" (a space-separated string
	// or an array), else "scp" (Okta, Entra ID), else "scopes".
	Scopes []string `json:"scopes"`
	// ExpiresAt is "exp"; zero when the token has none (introspection or a
	// verifier function may return such).
	ExpiresAt time.Time `json:"expiresAt,omitzero"`
	// Claims holds every claim of the token (or every member of the
	// introspection answer), as decoded JSON.
	Claims map[string]any `json:"claims,omitempty"`
	// Resource is the resource identifier the token was verified for ("" in
	// legacy mode).
	Resource string `json:"resource,omitempty"`
	// DPoPThumbprint is, when the request used DPoP, the JWK SHA-256
	// thumbprint (RFC 7638) of the key whose possession its proof showed,
	// which is the token's cnf.jkt (RFC 9449); "" for a bearer token.
	DPoPThumbprint string `json:"dpopThumbprint,omitempty"`

	// hierarchy is the resource's scope hierarchy, used by HasScopes.
	hierarchy *scopeHierarchy
	// bearer and required record how the request was authenticated, so that
	// per-route scope checks answer with the same challenge context.
	bearer   *Bearer
	required []string
}

// HasScopes reports whether every scope in scopes was granted, directly or
// through the resource's scope hierarchy (a broader scope implies the
// narrower ones it names).
func (a *AuthInfo) HasScopes(scopes ...string) bool {
	if a == nil {
		return len(scopes) == 0
	}
	for _, s := range scopes {
		if !a.hierarchy.granted(a.Scopes, s) {
			return false
		}
	}
	return true
}

// UserID identifies who the identity is across authorization servers, for
// binding state (an MCP session, a stored item) to its user:
// "<issuer>#sub=<subject>"; for a token without a subject (introspection
// answers for client-credentials tokens may have none),
// "<issuer>#client_id=<client ID>", so that such clients are not all one
// user; for an identity naming neither (possible with introspection or a
// VerifierFunc), "<issuer>#token-sha256=<base64url SHA-256 of the token>",
// which binds to that very token. An issuer never contains "#". It is ""
// only for an AuthInfo that names nothing and holds no token, which the
// bearer middleware never makes.
func (a *AuthInfo) UserID() string {
	switch {
	case a == nil:
		return ""
	case a.Subject != "":
		return a.Issuer + "#sub=" + a.Subject
	case a.ClientID != "":
		return a.Issuer + "#client_id=" + a.ClientID
	case a.Token != "":
		sum := sha256.Sum256([]byte(a.Token))
		return a.Issuer + "#token-sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return ""
}

type authInfoKey struct{}

// infoContext is a context carrying an AuthInfo inline, so that the bearer
// middleware allocates the AuthInfo and its context node at once. Every
// other key, and cancellation, are the parent's.
type infoContext struct {
	context.Context
	info AuthInfo
}

// Value returns the AuthInfo for the library's key, else the parent's value.
func (c *infoContext) Value(key any) any {
	if key == (authInfoKey{}) {
		return &c.info
	}
	return c.Context.Value(key)
}

// FromContext returns the AuthInfo stored in ctx by the bearer middleware
// (or a framework adapter). Only the library can store one: no other code
// can make a request look authenticated.
func FromContext(ctx context.Context) (*AuthInfo, bool) {
	info, ok := ctx.Value(authInfoKey{}).(*AuthInfo)
	return info, ok && info != nil
}
