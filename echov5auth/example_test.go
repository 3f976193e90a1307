package echov5auth_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/labstack/echo/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/echov5auth"
)

// An Echo v5 server: refusals are returned as errors (the *mcpauth.Error itself), and Echo's default
// error handler writes core's answer.
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

	e := echo.New()
	echov5auth.RegisterMetadata(e, auth)
	e.POST("/mcp", func(c *echo.Context) error {
		return c.String(http.StatusOK, "hello "+echov5auth.AuthInfo(c).Subject)
	}, echov5auth.BearerAuth(auth, nil))

	for _, token := range []string{"", as.Mint(authtest.Claims{"sub": "bob"})} {
		req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	// Output:
	// 401 Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
	// 200
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
	e := echo.New()
	api := e.Group("", echov5auth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
	api.POST("/admin", func(c *echo.Context) error { return c.NoContent(http.StatusOK) }, echov5auth.RequireScopes("write"))

	post(e, "/admin", as.Mint(authtest.Claims{"scope": "read"}))
	post(e, "/admin", as.Mint(authtest.Claims{"scope": "read write"}))
	// Output:
	// 403 read write
	// 200
}
