package ginauth_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/ginauth"
)

// BenchmarkMiddleware: a Gin route behind ginauth.BearerAuth (a cache hit
// per request) against the same router without authentication, serially
// and in parallel (mode=…/auth=none|bearer; see BENCHMARKS.md).
func BenchmarkMiddleware(b *testing.B) {
	gin.SetMode(gin.ReleaseMode)
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	ok := func(c *gin.Context) { c.Status(http.StatusOK) }
	plain := gin.New()
	plain.GET(adaptertest.PathMCP, ok)
	protected := gin.New()
	protected.GET(adaptertest.PathMCP, ginauth.BearerAuth(bench.Auth, bench.Options), ok)
	bench.Run(b, plain, protected)
}
