package chiauth_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// A chi server: r.Group with r.Use for the protected routes, r.With for a
// route that needs one more scope.
func Example() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		panic(err)
	}
	defer auth.Close()

	r := chi.NewRouter()
	r.Mount("/.well-known", chiauth.Router(auth))
	r.Group(func(r chi.Router) {
		r.Use(chiauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
		r.Post("/mcp", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, "hello ", chiauth.AuthInfo(r).Subject)
		})
		r.With(chiauth.RequireScopes("write")).Post("/admin", func(w http.ResponseWriter, r *http.Request) {})
	})

	token := as.Mint(authtest.Claims{"sub": "carol", "scope": "read"})
	for _, path := range []string{"/mcp", "/admin", "/.well-known/oauth-protected-resource/mcp"} {
		method := http.MethodPost
		if path[1] == '.' {
			method = http.MethodGet
		}
		req := httptest.NewRequest(method, path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		fmt.Println(path, rec.Code)
	}
	// Output:
	// /mcp 200
	// /admin 403
	// /.well-known/oauth-protected-resource/mcp 200
}
