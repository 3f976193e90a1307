package mcpauth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// A net/http MCP server protected by MCP Auth: the protected resource
// metadata at both well-known URLs, and bearer authentication with a
// required scope on the MCP endpoint.
func Example() {
	// An authorization server; in production, your provider's issuer URL.
	as := authtest.NewServer(nil)
	defer as.Close()

	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/mcp"

	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{
				Resource:        resource,
				ScopesSupported: []string{"read", "write"},
			},
			AuthServers: []*mcpauth.AuthServer{
				mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil),
			},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer auth.Close()

	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s, scopes %v", info.Subject, info.Scopes)
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(&mcpauth.BearerOptions{RequiredScopes: []string{"read"}})(mcp))
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()

	// Without a token: 401 and a challenge pointing at the resource metadata.
	resp, _ := http.Post(resource, "application/json", nil)
	resp.Body.Close()
	challenge := resp.Header.Get("WWW-Authenticate")
	fmt.Println(resp.StatusCode, strings.HasPrefix(challenge, `Bearer scope="read", resource_metadata="http://`))

	// The metadata names the authorization server.
	resp, _ = http.Get(strings.Replace(resource, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1))
	var doc strings.Builder
	io.Copy(&doc, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.Contains(doc.String(), as.Issuer))

	// With a token issued for this resource.
	token := as.Mint(authtest.Claims{"aud": resource, "sub": "alice", "scope": "read"})
	req, _ := http.NewRequest(http.MethodPost, resource, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 401 true
	// 200 true
	// 200 hello alice, scopes [read]
}

// Step-up authorization: a tool that needs more than the base scope answers
// 403 insufficient_scope naming every scope the call needs.
func ExampleScopePolicy() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth, _ := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	defer auth.Close()
	protect := auth.Middleware(&mcpauth.BearerOptions{
		RequiredScopes: []string{"mcp"},
		Policy:         &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"create:todos"}}},
	})
	handler := protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"x"}}}`
	req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"scope": "mcp"}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 403
	// Bearer error="insufficient_scope", error_description="The access token lacks scopes this operation requires.", scope="mcp create:todos", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
}
