package readme

import (
	"net/http"

	"github.com/gin-gonic/gin"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/ginauth"
)

func ginRoutes(auth *mcpauth.Auth, mcpHandler http.Handler) http.Handler {
	r := gin.New()
	ginauth.RegisterMetadata(r, auth)
	r.Any("/mcp", ginauth.BearerAuth(auth, bearer), gin.WrapH(mcpHandler))
	return r
}
