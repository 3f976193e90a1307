package readme

import (
	mcpauth "github.com/mcp-auth/go/core"
)

func newAuthWithDPoP(issuer string, nonceSecret []byte, store mcpauth.ReplayStore) (*mcpauth.Auth, error) {
	return mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(issuer, mcpauth.ServerTypeAuto, nil)},
		DPoP: &mcpauth.DPoPOptions{
			Required:    true,                                                      // refuse bearer tokens; false accepts both
			Algorithms:  []string{"ES256", "EdDSA"},                                // nil: every asymmetric algorithm
			Nonces:      &mcpauth.DPoPNonceOptions{Secrets: [][]byte{nonceSecret}}, // optional; the same on every replica
			ReplayStore: store,                                                     // nil: this process's memory
		},
	}}})
}
