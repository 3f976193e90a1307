package readme

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	mcpauth "github.com/mcp-auth/go/core"
)

func chiRoutes(auth *mcpauth.Auth, mcpHandler http.Handler) http.Handler {
	r := chi.NewRouter()
	r.Mount("/.well-known", chiauth.Router(auth))
	r.With(chiauth.BearerAuth(auth, bearer)).Handle("/mcp", mcpHandler)
	return r
}
