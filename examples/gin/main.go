// Command gin is the todo-manager MCP server on Gin, protected by MCP Auth.
//
//	go run ./examples/gin                        # with the development authorization server
//	go run ./examples/gin -issuer https://your-tenant.example.com
package main

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/mcp-auth/go/examples/internal/app"
	"github.com/mcp-auth/go/ginauth"
)

func main() { app.Main("gin", routes) }

// routes wires the example into Gin.
func routes(a *app.App) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	ginauth.RegisterMetadata(r, a.Auth)
	r.GET("/healthz", gin.WrapF(a.Healthz))
	protected := r.Group("/", ginauth.BearerAuth(a.Auth, a.Bearer))
	protected.Any("/mcp", gin.WrapH(a.MCP))
	protected.GET("/whoami", gin.WrapF(a.WhoAmI))
	return r
}
