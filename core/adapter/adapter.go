// Package adapter is what a framework adapter of MCP Auth needs beyond the
// API of package mcpauth: the bearer decision with the request to pass on,
// a refusal's response headers for frameworks that write error bodies
// themselves, and the well-known routes to register one by one. The
// adapters of this repository (ginauth, echoauth, echov5auth, chiauth,
// gosdkauth) are built on it; an application never needs it.
//
// Every decision and every byte of an answer stays in package mcpauth, so
// that all adapters answer alike; package adaptertest proves it for each.
package adapter

import (
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/internal/link"
)

// MetadataMethods are the methods the metadata routes answer (the Allow
// header of their 405 answers).
const MetadataMethods = "GET, HEAD, OPTIONS"

// Route is one well-known route the server must answer: a path, matched
// exactly whatever the host, and its handler.
type Route struct {
	// Path is the URL path, decoded as routers match it (net/http's
	// r.URL.Path), for example "/.well-known/oauth-protected-resource/mcp".
	Path string
	// EscapedPath is the same path as it appears in URLs (it differs from
	// Path only for a resource path with escapes, such as /caf%C3%A9).
	EscapedPath string
	// Handler answers GET and HEAD with the document, OPTIONS with a CORS
	// preflight answer (204), and other methods with 405 and an Allow
	// header; register it for every method.
	Handler http.Handler
}

var (
	authenticate   = link.Authenticate.(func(*mcpauth.Bearer, http.Header, *http.Request) (*http.Request, *mcpauth.AuthInfo, error))
	refusal        = link.Refusal.(func(error, http.Header, *http.Request) *mcpauth.Error)
	metadataRoutes = link.MetadataRoutes.(func(*mcpauth.Auth) []link.Route)
)

// Authenticate is [mcpauth.Bearer.Authenticate] for middleware: on success
// it also returns a shallow copy of r whose context carries the AuthInfo
// (mcpauth.FromContext finds it), the request to pass on, and sets on h,
// the headers of the response to r, those a success needs (a fresh
// DPoP-Nonce when the client's is getting old). The AuthInfo and its
// context are allocated together, one allocation fewer per request. On
// failure it returns r itself and the refusal.
func Authenticate(b *mcpauth.Bearer, h http.Header, r *http.Request) (*http.Request, *mcpauth.AuthInfo, error) {
	return authenticate(b, h, r)
}

// Refusal returns err as an *mcpauth.Error (one that is not becomes a 500
// server_error whose text is never sent) after setting its response headers
// on h: WWW-Authenticate for 400, 401 and 403, Retry-After for 503,
// Content-Type and Cache-Control, and Access-Control-Expose-Headers when r
// carries an Origin. The framework then writes its status (StatusCode) and
// body (MarshalJSON). [mcpauth.WriteError] does all of it at once.
func Refusal(err error, h http.Header, r *http.Request) *mcpauth.Error {
	return refusal(err, h, r)
}

// MetadataRoutes returns the well-known routes of auth (see
// [mcpauth.Auth.MetadataHandler]), for routers that register each path
// themselves.
func MetadataRoutes(auth *mcpauth.Auth) []Route {
	MustAuth(auth, "adapter.MetadataRoutes")
	routes := metadataRoutes(auth)
	out := make([]Route, len(routes))
	for i, r := range routes {
		out[i] = Route{Path: r.Path, EscapedPath: r.EscapedPath, Handler: r.Handler}
	}
	return out
}

// MustAuth panics, naming caller and the fix, when auth is nil: a wiring
// mistake (an *mcpauth.Auth used though mcpauth.New failed) found when the
// adapter is set up rather than as a nil dereference on the first request.
func MustAuth(auth *mcpauth.Auth, caller string) {
	if auth == nil {
		panic(caller + ": the *mcpauth.Auth is nil: create it with mcpauth.New and check the error New returns")
	}
}
