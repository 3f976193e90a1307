package echov5auth_test

import (
	"net/http"
	"testing"

	"github.com/labstack/echo/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/echov5auth"
)

// BenchmarkMiddleware: an Echo v5 route behind echov5auth.BearerAuth (a
// cache hit per request) against the same router without authentication,
// serially and in parallel (mode=…/auth=none|bearer; see BENCHMARKS.md).
func BenchmarkMiddleware(b *testing.B) {
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	ok := func(c *echo.Context) error { return c.NoContent(http.StatusOK) }
	plain := echo.New()
	plain.GET(adaptertest.PathMCP, ok)
	protected := echo.New()
	protected.GET(adaptertest.PathMCP, ok, echov5auth.BearerAuth(bench.Auth, bench.Options))
	bench.Run(b, plain, protected)
}
