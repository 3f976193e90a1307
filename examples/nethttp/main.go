// Command nethttp is the todo-manager MCP server on the standard library's
// net/http, protected by MCP Auth.
//
//	go run ./examples/nethttp                     # with the development authorization server
//	go run ./examples/nethttp -issuer https://your-tenant.example.com
package main

import (
	"net/http"

	"github.com/mcp-auth/go/examples/internal/app"
)

func main() { app.Main("nethttp", routes) }

// routes wires the example into an http.ServeMux.
func routes(a *app.App) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", a.Auth.MetadataHandler())
	mux.HandleFunc("GET /healthz", a.Healthz)
	protect := a.Auth.Middleware(a.Bearer)
	mux.Handle("/mcp", protect(a.MCP))
	mux.Handle("GET /whoami", protect(http.HandlerFunc(a.WhoAmI)))
	return mux
}
