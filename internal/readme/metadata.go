package readme

import (
	"context"
	"log"

	mcpauth "github.com/mcp-auth/go/core"
)

func fetchMetadata(ctx context.Context) (*mcpauth.ServerConfig, error) {
	// RFC 8414 (inserted URL), OpenID Connect (appended URL), or the MCP order (auto).
	cfg, err := mcpauth.FetchServerConfig(ctx, "https://auth.example.com/tenant", mcpauth.ServerTypeAuto, nil)
	if err != nil {
		return nil, err // *mcpauth.DiscoveryError: every URL tried and what it answered
	}
	// What MCP clients need: errors and warnings (and, verbose, what passed).
	for _, f := range mcpauth.ValidateServerConfig(cfg, nil).Errors {
		log.Println(f.Code, f.Description)
	}
	// A provider with a non-standard location, with a quirk repaired before parsing.
	return mcpauth.FetchServerConfigByWellKnownURL(ctx, "https://idp.example.com/meta.json", mcpauth.ServerTypeOIDC,
		&mcpauth.DiscoveryOptions{Transpile: func(m map[string]any) (map[string]any, error) {
			m["response_types_supported"] = []any{"code"}
			return m, nil
		}})
}
