package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// Bench is the common ground of the adapters' middleware benchmarks: a
// library configured like the behaviour suite's (discovery, a JSON Web Key
// Set, the verified-token cache on by default) in front of a running test
// authorization server, and one RS256 token it accepts, reused by every
// request as a client would.
//
// An adapter's benchmark builds two servers of its framework, each with one
// route at PathMCP answering 200 with no body: one protected by the
// adapter's bearer middleware with Options, one without authentication.
// [Bench.Run] measures both, serially and in parallel, so that a ratio of
// the two comes from one run:
//
//	func BenchmarkMiddleware(b *testing.B) {
//		bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
//		bench.Run(b, plainRouter(), protectedRouter(bench))
//	}
type Bench struct {
	// Auth is the configured library.
	Auth *mcpauth.Auth
	// Options are the bearer options of the protected route: one required
	// scope, which the token has.
	Options *mcpauth.BearerOptions
	// Token is the access token every request bears.
	Token string
	// Server is the authorization server.
	Server *authtest.Server
}

// NewBench starts an authorization server and configures the library with
// the given verified-token cache options; both are released when tb ends.
func NewBench(tb testing.TB, cache mcpauth.TokenCacheOptions) *Bench {
	as := authtest.NewServer(&authtest.Options{Audience: Resource, Scopes: []string{"read", "write"}})
	tb.Cleanup(as.Close)
	auth, err := mcpauth.New(mcpauth.Config{
		Logger:     quiet,
		TokenCache: cache,
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: Resource, ScopesSupported: []string{"read", "write"}},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
		}},
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { auth.Close() })
	return &Bench{
		Auth:    auth,
		Options: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}},
		Token:   as.Mint(authtest.Claims{"scope": "read write"}),
		Server:  as,
	}
}

// Request returns a GET request to PathMCP bearing the token.
func (bb *Bench) Request() *http.Request {
	req := httptest.NewRequest(http.MethodGet, "https://mcp.example.com"+PathMCP, nil)
	req.Header.Set("Authorization", "Bearer "+bb.Token)
	return req
}

// Run measures plain (no authentication) and protected, in sub-benchmarks
// named mode=serial|parallel/auth=none|bearer. Before measuring it checks
// that both answer 200 to the token and that protected refuses a request
// without one, so a misconfigured server cannot be measured by mistake.
func (bb *Bench) Run(b *testing.B, plain, protected http.Handler) {
	bb.check(b, plain, bb.Request(), http.StatusOK)
	bb.check(b, protected, bb.Request(), http.StatusOK)
	bb.check(b, protected, httptest.NewRequest(http.MethodGet, "https://mcp.example.com"+PathMCP, nil), http.StatusUnauthorized)
	for _, mode := range []string{"serial", "parallel"} {
		for _, side := range []struct {
			name    string
			handler http.Handler
		}{{"none", plain}, {"bearer", protected}} {
			b.Run("mode="+mode+"/auth="+side.name, func(b *testing.B) {
				b.ReportAllocs()
				if mode == "serial" {
					req, w := bb.Request(), newDiscard()
					for b.Loop() {
						side.handler.ServeHTTP(w, req)
					}
					return
				}
				b.RunParallel(func(pb *testing.PB) {
					req, w := bb.Request(), newDiscard()
					for pb.Next() {
						side.handler.ServeHTTP(w, req)
					}
				})
			})
		}
	}
}

func (bb *Bench) check(b *testing.B, h http.Handler, req *http.Request, status int) {
	b.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != status {
		b.Fatalf("%s %s: status %d, want %d; body %s", req.Method, req.URL.Path, rec.Code, status, rec.Body)
	}
}

// discard is a ResponseWriter that keeps nothing, so that a benchmark
// measures the server rather than a recorder.
type discard struct{ header http.Header }

func newDiscard() *discard { return &discard{header: http.Header{}} }

// Header returns the (reused) header map.
func (d *discard) Header() http.Header { return d.header }

// Write discards p.
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }

// WriteHeader discards the status.
func (d *discard) WriteHeader(int) {}
