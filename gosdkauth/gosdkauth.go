// Package gosdkauth bridges MCP Auth to the official MCP Go SDK
// (github.com/modelcontextprotocol/go-sdk).
//
// The SDK hands per-request identity to tool handlers only through
// req.Extra.TokenInfo, which only its own auth.RequireBearerToken middleware
// fills. This package runs MCP Auth's middleware first (every decision and
// every answer is core's), then the SDK's, with a verifier that copies the
// verified mcpauth.AuthInfo into an auth.TokenInfo and options that can never
// refuse what MCP Auth accepted. Tool handlers then read
//
//	info := gosdkauth.AuthInfo(req.Extra.TokenInfo) // the full *mcpauth.AuthInfo
//
// TokenInfo.UserID names the issuer and the subject (or, for a token
// without one, the client, else the token itself), so the SDK binds each
// session to its user; see [UserID].
package gosdkauth

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http"
	"time"

	"github.com/modelcontextprotocol/go-sdk/auth"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

// extraKey is the TokenInfo.Extra key holding the *mcpauth.AuthInfo.
const extraKey = "mcpauth.AuthInfo"

// never is a clock skew no real token reaches: the SDK's own expiry check
// must never refuse a token MCP Auth accepted (MCP Auth checks exp itself,
// with its leeway).
const never = 100 * 365 * 24 * time.Hour

// errNoAuthInfo is returned to the SDK when MCP Auth did not run first.
var errNoAuthInfo = errors.New("gosdkauth: no verified identity on the request: mount MCP Auth's middleware before the bridge")

// Protect returns handler (typically mcp.NewStreamableHTTPHandler) behind
// MCP Auth's bearer middleware for opts and the bridge. It panics if opts
// are invalid, a wiring mistake found at start-up.
func Protect(a *mcpauth.Auth, opts *mcpauth.BearerOptions, handler http.Handler) http.Handler {
	adapter.MustAuth(a, "gosdkauth.Protect")
	if handler == nil {
		panic("gosdkauth.Protect: the handler is nil: pass the SDK's handler (mcp.NewStreamableHTTPHandler)")
	}
	return a.Middleware(opts)(Bridge(handler))
}

// Bridge returns handler behind the SDK's bearer middleware, configured to
// take the identity MCP Auth verified (mcpauth.FromContext) and put it
// where the SDK's tool handlers read it (req.Extra.TokenInfo). Use it after
// a framework adapter's bearer middleware, e.g. gin.WrapH(gosdkauth.Bridge(h)).
// A request that reaches it without a verified identity is refused with 401.
// A DPoP request (RFC 9449) MCP Auth accepted is handed to the SDK as a
// bearer one, the only scheme the SDK reads.
func Bridge(handler http.Handler) http.Handler {
	if handler == nil {
		panic("gosdkauth.Bridge: the handler is nil: pass the SDK's handler (mcp.NewStreamableHTTPHandler)")
	}
	sdk := auth.RequireBearerToken(verify, &auth.RequireBearerTokenOptions{
		AllowMissingExpiration: true, // introspection or a verifier function may not give one
		ClockSkew:              never,
	})(handler)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info, ok := mcpauth.FromContext(r.Context()); ok && info.DPoPThumbprint != "" {
			// The SDK reads "Bearer" tokens only; MCP Auth has verified this
			// DPoP request, proof and key binding included.
			r = r.Clone(r.Context())
			r.Header.Set("Authorization", "Bearer "+info.Token)
		}
		sdk.ServeHTTP(w, r)
	})
}

// verify is the SDK TokenVerifier: it trusts only what MCP Auth put on the
// request's context for this very token.
func verify(ctx context.Context, token string, r *http.Request) (*auth.TokenInfo, error) {
	info, ok := mcpauth.FromContext(ctx)
	if !ok || info.Token != token {
		return nil, errors.Join(auth.ErrInvalidToken, errNoAuthInfo)
	}
	return TokenInfo(info), nil
}

// TokenInfo converts a verified identity to the SDK's form: scopes, expiry,
// UserID (issuer and subject, which the SDK uses to bind sessions to users)
// and the AuthInfo itself in Extra.
func TokenInfo(info *mcpauth.AuthInfo) *auth.TokenInfo {
	return &auth.TokenInfo{
		Scopes:     info.Scopes,
		Expiration: info.ExpiresAt,
		UserID:     UserID(info),
		Extra:      map[string]any{extraKey: info},
	}
}

// UserID identifies the user of info, for the SDK to bind each session to
// the user who opened it: [mcpauth.AuthInfo.UserID] (the issuer with the
// subject, else the client, else the token's hash), so that another user's
// token, even one naming no one, cannot use the session. It is never "",
// which would leave the session unbound: an AuthInfo naming nothing and
// holding no token (not one the middleware made) gets a random ID no
// request can share.
func UserID(info *mcpauth.AuthInfo) string {
	if id := info.UserID(); id != "" {
		return id
	}
	return info.Issuer + "#unshared=" + rand.Text()
}

// AuthInfo returns the full identity from a TokenInfo made by the bridge
// (req.Extra.TokenInfo in a tool handler), or nil.
func AuthInfo(ti *auth.TokenInfo) *mcpauth.AuthInfo {
	if ti == nil {
		return nil
	}
	info, _ := ti.Extra[extraKey].(*mcpauth.AuthInfo)
	return info
}
