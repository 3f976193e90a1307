// Package adaptertest is the behaviour suite every MCP Auth adapter runs: one
// table of HTTP cases (metadata routes, every challenge, scope policy and
// hierarchy, per-route scopes, identity handed to handlers, malformed
// headers) played against a server protected by the adapter and against
// core's own net/http middleware. Each answer must be the expected one and
// identical to core's: same status, byte-identical WWW-Authenticate and
// other auth headers, and a JSON body that decodes to the same value.
//
// An adapter's test wires a [Setup] in its framework and calls [Run]:
//
//	func TestBehaviour(t *testing.T) {
//		adaptertest.Run(t, func(t testing.TB, s *adaptertest.Setup) http.Handler {
//			r := gin.New()
//			ginauth.RegisterMetadata(r, s.Auth)
//			protected := r.Group("/", ginauth.BearerAuth(s.Auth, s.Options))
//			protected.Any(adaptertest.PathMCP, handler(s))
//			protected.Any(adaptertest.PathWrite, ginauth.RequireScopes(adaptertest.RouteScopes...), handler(s))
//			return r
//		})
//	}
package adaptertest

import (
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
)

// The routes an adapter's server must serve, besides every route of
// [adapter.MetadataRoutes] (all methods, so that the handler answers 405
// itself):
const (
	// PathMCP is protected by the bearer middleware with Setup.Options.
	PathMCP = "/mcp"
	// PathWrite is protected like PathMCP, plus the adapter's per-route
	// scope middleware requiring RouteScopes.
	PathWrite = "/write"
)

// RouteScopes are the per-route scopes of PathWrite.
var RouteScopes = []string{"write"}

// Setup is what an adapter wires into its framework.
type Setup struct {
	// Auth is the configured library.
	Auth *mcpauth.Auth
	// Options are the bearer options of both protected routes.
	Options *mcpauth.BearerOptions
	// Handler must answer the protected routes. The adapter passes the
	// AuthInfo read through its framework's own accessor (for example
	// ginauth.AuthInfo(c)); Handler reads mcpauth.FromContext itself.
	Handler func(w http.ResponseWriter, r *http.Request, frameworkInfo *mcpauth.AuthInfo)
}

// NewServer returns a server protected by the adapter under test.
type NewServer func(t testing.TB, s *Setup) http.Handler

// NetHTTP is core's own net/http wiring, the reference every adapter is
// compared with.
func NetHTTP(t testing.TB, s *Setup) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", s.Auth.MetadataHandler())
	bearer := s.Auth.Middleware(s.Options)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context())
		s.Handler(w, r, info)
	})
	mux.Handle(PathMCP, bearer(handler))
	mux.Handle(PathWrite, bearer(mcpauth.RequireScopes(RouteScopes...)(handler)))
	return mux
}

// WiringPanics checks that each function of wire, given a nil
// *mcpauth.Auth, panics at once with a message naming the function (the key)
// and the fix, instead of failing later on a nil dereference.
func WiringPanics(t *testing.T, wire map[string]func()) {
	t.Helper()
	for name, fn := range wire {
		func() {
			defer func() {
				msg := ""
				switch p := recover().(type) {
				case error:
					msg = p.Error()
				case string:
					msg = p
				}
				if !strings.Contains(msg, name) || !strings.Contains(msg, "mcpauth.New") {
					t.Errorf("%s with a nil Auth panicked with %q", name, msg)
				}
			}()
			fn()
		}()
	}
}
