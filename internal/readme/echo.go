package readme

import (
	"net/http"

	"github.com/labstack/echo/v4"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/echoauth"
)

func echoRoutes(auth *mcpauth.Auth, mcpHandler http.Handler) http.Handler {
	e := echo.New()
	echoauth.RegisterMetadata(e, auth)
	e.Any("/mcp", echo.WrapHandler(mcpHandler), echoauth.BearerAuth(auth, bearer))
	return e
}
