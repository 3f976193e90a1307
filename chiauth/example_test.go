package chiauth_test

import (
	"fmt"
	"log/slog"
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

// newAuth configures MCP Auth for https://mcp.example.com/mcp, trusting as.
func newAuth(as *authtest.Server) *mcpauth.Auth {
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		panic(err)
	}
	return auth
}

// post sends a POST to h with a token of scope and prints the status and the challenge's scope.
func post(h http.Handler, path, token string) {
	req := httptest.NewRequest(http.MethodPost, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	c, _ := authtest.ParseChallenge(rec.Header().Get("WWW-Authenticate"))
	scope, _ := c.Get("scope")
	fmt.Println(rec.Code, scope)
}

// Per-route scopes: a route behind the bearer middleware that needs one more
// scope answers 403 insufficient_scope naming every scope it needs.
func ExampleRequireScopes() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth := newAuth(as)
	defer auth.Close()
	r := chi.NewRouter()
	r.Use(chiauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
	r.With(chiauth.RequireScopes("write")).Post("/admin", func(w http.ResponseWriter, r *http.Request) {})

	post(r, "/admin", as.Mint(authtest.Claims{"scope": "read"}))
	post(r, "/admin", as.Mint(authtest.Claims{"scope": "read write"}))
	// Output:
	// 403 read write
	// 200
}

// The metadata routes, mounted at /.well-known beside the application's
// other well-known routes.
func ExampleRouter() {
	as := authtest.NewServer(nil)
	defer as.Close()
	auth := newAuth(as)
	defer auth.Close()
	r := chi.NewRouter()
	r.Get("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "Contact: security@example.com") })
	r.Mount("/.well-known", chiauth.Router(auth))
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource", "/.well-known/security.txt"} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(rec.Code, path)
	}
	// Output:
	// 200 /.well-known/oauth-protected-resource/mcp
	// 200 /.well-known/oauth-protected-resource
	// 200 /.well-known/security.txt
}
