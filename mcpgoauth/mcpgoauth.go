// Package mcpgoauth protects an MCP server built with mark3labs/mcp-go
// (github.com/mark3labs/mcp-go) with MCP Auth: the bearer middleware and
// the well-known metadata routes around mcp-go's streamable HTTP server, the
// verified identity in tool, prompt and resource handlers, the per-tool
// scope policy, and mcp-go sessions bound to the user who opened them.
//
//	mcpServer := server.NewMCPServer("todo", "1.0.0")
//	mcpServer.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
//		return mcp.NewToolResultText(mcpgoauth.AuthInfo(ctx).Subject), nil
//	})
//	streamable := server.NewStreamableHTTPServer(mcpServer, mcpgoauth.BindSessions(nil))
//	mux := http.NewServeMux()
//	mux.Handle("/.well-known/", auth.MetadataHandler())
//	mux.Handle("/mcp", mcpgoauth.Protect(auth, opts, streamable))
//
// mcp-go hands its handlers a context derived from the request's, so the
// identity MCP Auth verified reaches them as it is. Every decision and every
// byte of a refusal is core's (package mcpauth): a server built on mcp-go
// answers exactly like one built on the official SDK or on any framework.
package mcpgoauth

import (
	"context"
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

// Protect returns handler (typically mcp-go's *server.StreamableHTTPServer)
// behind MCP Auth's bearer middleware for opts: only requests whose token
// passes reach it, with the identity on their context. It panics if auth is
// nil or opts are invalid, a wiring mistake found at start-up.
func Protect(auth *mcpauth.Auth, opts *mcpauth.BearerOptions, handler http.Handler) http.Handler {
	adapter.MustAuth(auth, "mcpgoauth.Protect")
	if handler == nil {
		panic("mcpgoauth.Protect: the handler is nil: pass mcp-go's server.NewStreamableHTTPServer(...)")
	}
	return auth.Middleware(opts)(handler)
}

// AuthInfo returns the verified identity of the request a handler serves
// (the ctx mcp-go passes to tool, prompt and resource handlers), or nil when
// the request did not pass MCP Auth's middleware.
func AuthInfo(ctx context.Context) *mcpauth.AuthInfo {
	info, _ := mcpauth.FromContext(ctx)
	return info
}
