package ginauth_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/ginauth"
)

// A Gin server: metadata routes, a protected MCP route, and a group that
// needs one more scope.
func Example() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp", ScopesSupported: []string{"read", "write"}},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		panic(err)
	}
	defer auth.Close()

	r := gin.New()
	ginauth.RegisterMetadata(r, auth)
	api := r.Group("/", ginauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
	api.POST("/mcp", func(c *gin.Context) {
		c.String(http.StatusOK, "hello "+ginauth.AuthInfo(c).Subject)
	})
	api.POST("/admin", ginauth.RequireScopes("write"), func(c *gin.Context) { c.String(http.StatusOK, "admin") })

	do := func(path, token string) {
		req := httptest.NewRequest(http.MethodPost, path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("WWW-Authenticate"), rec.Body.String())
	}
	reader := as.Mint(authtest.Claims{"sub": "alice", "scope": "read"})
	do("/mcp", reader)
	do("/admin", reader)
	// Output:
	// 200  hello alice
	// 403 Bearer error="insufficient_scope", error_description="The access token lacks scopes this operation requires.", scope="read write", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp" {"error":"insufficient_scope","error_description":"The access token lacks scopes this operation requires.","error_code":"missing_required_scopes","missing_scopes":["write"]}
}

func init() { gin.SetMode(gin.ReleaseMode) }

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
	r := gin.New()
	api := r.Group("/", ginauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
	api.POST("/admin", ginauth.RequireScopes("write"), func(c *gin.Context) { c.Status(http.StatusOK) })

	post(r, "/admin", as.Mint(authtest.Claims{"scope": "read"}))
	post(r, "/admin", as.Mint(authtest.Claims{"scope": "read write"}))
	// Output:
	// 403 read write
	// 200
}
