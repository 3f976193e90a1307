package gosdkauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/gosdkauth"
)

// An MCP server built with the official Go SDK, protected by MCP Auth; the
// tool reads the caller's identity from req.Extra.TokenInfo.
func Example() {
	as := authtest.NewServer(nil)
	defer as.Close()

	server := mcp.NewServer(&mcp.Implementation{Name: "greeter", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "greet"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		info := gosdkauth.AuthInfo(req.Extra.TokenInfo)
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "hello " + info.Subject}}}, nil, nil
	})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)

	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/mcp"
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", gosdkauth.Protect(auth, nil, handler))
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()

	// A client with a token issued for this resource.
	tr := &bearerTransport{}
	token := as.Mint(authtest.Claims{"aud": resource, "sub": "alice"})
	tr.token.Store(&token)
	client := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "1.0.0"}, nil)
	session, err := client.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: resource, HTTPClient: &http.Client{Transport: tr}}, nil)
	if err != nil {
		panic(err)
	}
	defer session.Close()
	res, err := session.CallTool(context.Background(), &mcp.CallToolParams{Name: "greet"})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Content[0].(*mcp.TextContent).Text)
	// Output: hello alice
}
