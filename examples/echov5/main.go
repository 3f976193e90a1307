// Command echov5 is the todo-manager MCP server on Echo v5, protected by MCP Auth.
//
//	go run ./examples/echov5                      # with the development authorization server
//	go run ./examples/echov5 -issuer https://your-tenant.example.com
package main

import (
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/mcp-auth/go/echov5auth"
	"github.com/mcp-auth/go/examples/internal/app"
)

func main() { app.Main("echov5", routes) }

// routes wires the example into Echo v5.
func routes(a *app.App) http.Handler {
	e := echo.New()
	echov5auth.RegisterMetadata(e, a.Auth)
	e.GET("/healthz", echo.WrapHandler(http.HandlerFunc(a.Healthz)))
	protected := e.Group("", echov5auth.BearerAuth(a.Auth, a.Bearer))
	protected.Any("/mcp", echo.WrapHandler(a.MCP))
	protected.GET("/whoami", echo.WrapHandler(http.HandlerFunc(a.WhoAmI)))
	return e
}
