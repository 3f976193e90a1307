package readme

import (
	"context"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/mcpgoauth"
)

func mcpgoRoutes(auth *mcpauth.Auth) http.Handler {
	s := server.NewMCPServer("notes", "1.0.0")
	s.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		info := mcpgoauth.AuthInfo(ctx) // the verified identity
		return mcp.NewToolResultText(info.Subject), nil
	})
	s.AddTool(mcp.NewTool("add-note", mcp.WithString("Text")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("added"), nil
	})
	// Sessions (before MCP 2026-07-28) stay bound to the user who opened them.
	streamable := server.NewStreamableHTTPServer(s, mcpgoauth.BindSessions(nil))
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", mcpgoauth.Protect(auth, bearer, streamable))
	return mux
}
