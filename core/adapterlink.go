package mcpauth

import (
	"net/http"

	"github.com/mcp-auth/go/core/internal/link"
)

// The adapter-only entry points, which package adapter exposes.
func init() {
	link.Authenticate = func(b *Bearer, h http.Header, r *http.Request) (*http.Request, *AuthInfo, error) {
		return b.authenticateRequest(h, r)
	}
	link.Refusal = func(err error, h http.Header, r *http.Request) *Error {
		e := asError(err)
		e.writeHeaders(h, r != nil && r.Header.Get("Origin") != "")
		return e
	}
	link.MetadataRoutes = func(a *Auth) []link.Route {
		a.metadataUsed.Store(true)
		out := make([]link.Route, len(a.metadata.routes))
		for i, r := range a.metadata.routes {
			out[i] = link.Route{Path: r.path, EscapedPath: r.escapedPath, Handler: r.handler}
		}
		return out
	}
}
