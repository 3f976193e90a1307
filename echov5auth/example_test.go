package echov5auth_test

import (
	"fmt"
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
