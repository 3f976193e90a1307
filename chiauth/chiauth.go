// Package chiauth protects chi routes with MCP Auth. chi middleware are
// plain net/http middleware, so this package is the thinnest adapter: it
// names core's middleware the chi way and registers the well-known routes on
// a chi.Router. It works with r.Use, r.With and r.Group.
//
//	r := chi.NewRouter()
//	r.Mount("/.well-known", chiauth.Router(auth))
//	r.Group(func(r chi.Router) {
//		r.Use(chiauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
//		r.Handle("/mcp", mcpHandler)
//		r.With(chiauth.RequireScopes("write")).Post("/admin", adminHandler)
//	})
package chiauth

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

// BearerAuth returns middleware authenticating each request with opts; the
// AuthInfo reaches handlers through [AuthInfo] (mcpauth.FromContext). It
// panics if opts are invalid, a wiring mistake found at start-up.
func BearerAuth(auth *mcpauth.Auth, opts *mcpauth.BearerOptions) func(http.Handler) http.Handler {
	adapter.MustAuth(auth, "chiauth.BearerAuth")
	return auth.Middleware(opts)
}

// RequireScopes returns middleware, for a route or group behind BearerAuth,
// that requires scopes besides the bearer middleware's.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return mcpauth.RequireScopes(scopes...)
}

// AuthInfo returns the verified identity of r, or nil.
func AuthInfo(r *http.Request) *mcpauth.AuthInfo {
	info, _ := mcpauth.FromContext(r.Context())
	return info
}

// RegisterMetadata registers every well-known route of auth on r, for all
// methods: GET, HEAD and OPTIONS are answered, others get 405 with Allow.
func RegisterMetadata(r chi.Router, auth *mcpauth.Auth) {
	adapter.MustAuth(auth, "chiauth.RegisterMetadata")
	for _, route := range adapter.MetadataRoutes(auth) {
		r.Handle(route.Path, route.Handler)
	}
}

// Router returns a chi.Router serving every well-known route of auth (the
// protected resource metadata, or in legacy mode the authorization-server
// metadata) relative to /.well-known, to mount there:
//
//	r.Mount("/.well-known", chiauth.Router(auth))
//
// Other /.well-known/ routes of the application keep working beside it
// (chi prefers the more specific route); only a catch-all such as
// /.well-known/* conflicts with the mount, and then [RegisterMetadata]
// registers the routes on r itself instead.
func Router(auth *mcpauth.Auth) chi.Router {
	adapter.MustAuth(auth, "chiauth.Router")
	r := chi.NewRouter()
	for _, route := range adapter.MetadataRoutes(auth) {
		r.Handle(strings.TrimPrefix(route.Path, wellKnown), route.Handler)
	}
	return r
}

const wellKnown = "/.well-known"
