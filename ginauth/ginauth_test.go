package ginauth_test

import (
	"net/http"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/ginauth"
)

func newServer(t testing.TB, s *adaptertest.Setup) http.Handler {
	r := gin.New()
	ginauth.RegisterMetadata(r, s.Auth)
	handler := func(c *gin.Context) { s.Handler(c.Writer, c.Request, ginauth.AuthInfo(c)) }
	protected := r.Group("/", ginauth.BearerAuth(s.Auth, s.Options))
	protected.Any(adaptertest.PathMCP, handler)
	protected.Any(adaptertest.PathWrite, ginauth.RequireScopes(adaptertest.RouteScopes...), handler)
	return r
}

func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, newServer)
}

func TestNilAuth(t *testing.T) {
	adaptertest.WiringPanics(t, map[string]func(){
		"ginauth.BearerAuth":       func() { ginauth.BearerAuth(nil, nil) },
		"ginauth.RegisterMetadata": func() { ginauth.RegisterMetadata(gin.New(), nil) },
	})
}
