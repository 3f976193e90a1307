package readme

import (
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"
)

func netHTTPRoutes(auth *mcpauth.Auth, mcpHandler http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())     // RFC 9728 metadata
	mux.Handle("/mcp", auth.Middleware(bearer)(mcpHandler)) // every method: POST, GET, DELETE
	return mux
}
