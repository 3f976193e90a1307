// Command chi is the todo-manager MCP server on chi, protected by MCP Auth.
//
//	go run ./examples/chi                         # with the development authorization server
//	go run ./examples/chi -issuer https://your-tenant.example.com
package main

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	"github.com/mcp-auth/go/examples/internal/app"
)

func main() { app.Main("chi", routes) }

// routes wires the example into chi.
func routes(a *app.App) http.Handler {
	r := chi.NewRouter()
	r.Mount("/.well-known", chiauth.MetadataRouter(a.Auth))
	r.Get("/healthz", a.Healthz)
	r.Group(func(r chi.Router) {
		r.Use(chiauth.BearerAuth(a.Auth, a.Bearer))
		r.Handle("/mcp", a.MCP)
		r.Get("/whoami", a.WhoAmI)
	})
	return r
}
