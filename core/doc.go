// Package mcpauth makes an HTTP Model Context Protocol (MCP) server an OAuth 2.1
// resource server, as the MCP authorization specification requires.
//
// The package is the framework-neutral core of MCP Auth for Go. It
//
//   - discovers and validates authorization-server metadata (RFC 8414 and OpenID
//     Connect Discovery, in the order the MCP specification prescribes), or takes
//     it from a manual configuration;
//   - serves the server's own protected resource metadata (RFC 9728) at both
//     well-known locations;
//   - verifies bearer access tokens (JWTs through the issuer's JSON Web Key Set,
//     RFC 7662 introspection, or a function of the caller's), enforces issuer,
//     audience and scopes, and answers failures with the exact RFC 6750
//     WWW-Authenticate challenges MCP clients act on, including the 403
//     insufficient_scope step-up challenge;
//   - hands the verified identity ([AuthInfo]) to handlers through the request's
//     context.
//
// A net/http server needs a few lines:
//
//	auth, err := mcpauth.New(mcpauth.Config{
//		ProtectedResources: []mcpauth.ProtectedResource{{
//			Metadata: mcpauth.ProtectedResourceMetadata{
//				Resource:        "https://mcp.example.com/mcp",
//				ScopesSupported: []string{"read", "write"},
//			},
//			AuthServers: []*mcpauth.AuthServer{
//				mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil),
//			},
//		}},
//	})
//	if err != nil { ... }
//	defer auth.Close()
//	mux.Handle("/.well-known/", auth.MetadataHandler())
//	mux.Handle("/mcp", auth.Middleware(&mcpauth.BearerOptions{RequiredScopes: []string{"read"}})(mcpHandler))
//
// Framework adapters (ginauth, echoauth, echov5auth, chiauth) and the bridge to
// the official MCP Go SDK (gosdkauth) live in their own modules and only
// translate what this package decides.
package mcpauth
