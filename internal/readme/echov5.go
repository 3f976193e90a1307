package readme

import (
	"net/http"

	"github.com/labstack/echo/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/echov5auth"
)

func echoV5Routes(auth *mcpauth.Auth, mcpHandler http.Handler) http.Handler {
	e := echo.New()
	echov5auth.RegisterMetadata(e, auth)
	e.Any("/mcp", echo.WrapHandler(mcpHandler), echov5auth.BearerAuth(auth, bearer))
	return e
}
