package echoauth_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/echoauth"
)

// BenchmarkMiddleware: an Echo v4 route behind echoauth.BearerAuth (a cache
// hit per request) against the same router without authentication,
// serially and in parallel (mode=…/auth=none|bearer; see BENCHMARKS.md).
func BenchmarkMiddleware(b *testing.B) {
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	ok := func(c echo.Context) error { return c.NoContent(http.StatusOK) }
	plain := echo.New()
	plain.GET(adaptertest.PathMCP, ok)
	protected := echo.New()
	protected.GET(adaptertest.PathMCP, ok, echoauth.BearerAuth(bench.Auth, bench.Options))
	bench.Run(b, plain, protected)
}
