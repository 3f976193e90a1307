// Package readme holds every Go snippet of the README, compiled and tested:
// README_test.go requires each ```go block of README.md to appear here
// verbatim, and tests each framework's wiring against an authtest
// authorization server with the official MCP Go SDK's client.
package readme

import (
	"context"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/gosdkauth"
)

// newAuth is the README's configuration.
func newAuth() (*mcpauth.Auth, error) {
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{
				Resource:        "https://mcp.example.com/mcp", // the exact public URL of the MCP endpoint
				ScopesSupported: []string{"notes:read", "notes:write"},
			},
			AuthServers: []*mcpauth.AuthServer{
				mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil),
			},
		}},
	})
	return auth, err
}

// bearer is the README's bearer options.
var bearer = &mcpauth.BearerOptions{
	RequiredScopes: []string{"notes:read"},
	// Step-up per tool: add-note needs notes:write, or the call is refused
	// with 403 insufficient_scope before the tool runs.
	Policy: &mcpauth.ScopePolicy{Tools: map[string][]string{"add-note": {"notes:write"}}},
}

func newMCPServer() http.Handler {
	server := mcp.NewServer(&mcp.Implementation{Name: "notes", Version: "1.0.0"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami", Description: "Who the token says you are."},
		func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
			info := gosdkauth.AuthInfo(req.Extra.TokenInfo) // the verified identity
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: info.Subject}}}, nil, nil
		})
	mcp.AddTool(server, &mcp.Tool{Name: "add-note", Description: "Add a note (needs notes:write)."},
		func(ctx context.Context, req *mcp.CallToolRequest, args struct{ Text string }) (*mcp.CallToolResult, any, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "added"}}}, nil, nil
		})
	// gosdkauth.Bridge hands the SDK the identity MCP Auth verified, and the
	// SDK binds each session to its user.
	return gosdkauth.Bridge(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
}
