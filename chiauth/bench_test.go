package chiauth_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
)

// BenchmarkMiddleware: a chi route behind chiauth.BearerAuth (a cache hit
// per request) against the same router without authentication, serially
// and in parallel (mode=…/auth=none|bearer; see BENCHMARKS.md).
func BenchmarkMiddleware(b *testing.B) {
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	plain := chi.NewRouter()
	plain.Get(adaptertest.PathMCP, ok)
	protected := chi.NewRouter()
	protected.With(chiauth.BearerAuth(bench.Auth, bench.Options)).Get(adaptertest.PathMCP, ok)
	bench.Run(b, plain, protected)
}
