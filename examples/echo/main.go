// Command echo is the todo-manager MCP server on Echo v4, protected by MCP Auth.
//
//	go run ./examples/echo                        # with the development authorization server
//	go run ./examples/echo -issuer https://your-tenant.example.com
package main

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/mcp-auth/go/echoauth"
	"github.com/mcp-auth/go/examples/internal/app"
)

func main() { app.Main("echo", routes) }

// routes wires the example into Echo v4.
func routes(a *app.App) http.Handler {
	e := echo.New()
	e.HideBanner = true
	echoauth.RegisterMetadata(e, a.Auth)
	e.GET("/healthz", echo.WrapHandler(http.HandlerFunc(a.Healthz)))
	protected := e.Group("", echoauth.BearerAuth(a.Auth, a.Bearer))
	protected.Any("/mcp", echo.WrapHandler(a.MCP))
	protected.GET("/whoami", echo.WrapHandler(http.HandlerFunc(a.WhoAmI)))
	return e
}
