package mcpauth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	mcpauth "github.com/mcp-auth/go/core"
)

// An authorization server whose issuer has a path: the MCP order finds its
// OpenID Connect document at the third location.
func ExampleFetchServerConfig() {
	var issuer string
	as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tenant/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           issuer,
			"authorization_endpoint":           issuer + "/authorize",
			"token_endpoint":                   issuer + "/token",
			"jwks_uri":                         issuer + "/jwks",
			"response_types_supported":         []string{"code"},
			"code_challenge_methods_supported": []string{"S256"},
		})
	}))
	defer as.Close()
	issuer = as.URL + "/tenant"

	cfg, err := mcpauth.FetchServerConfig(context.Background(), issuer, mcpauth.ServerTypeAuto, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("type:", cfg.Type)
	fmt.Println("jwks_uri found:", cfg.Metadata.JWKSURI == issuer+"/jwks")

	result := mcpauth.ValidateServerConfig(cfg, nil)
	fmt.Println("valid:", result.IsValid)
	for _, w := range result.Warnings {
		fmt.Println("warning:", w.Code)
	}
	// Output:
	// type: oidc
	// jwks_uri found: true
	// valid: true
	// warning: dynamic_registration_not_supported
	// warning: client_id_metadata_document_not_supported
}

// URLs tried for each discovery type.
func ExampleDiscoveryURLs() {
	for _, typ := range []mcpauth.ServerType{mcpauth.ServerTypeOAuth, mcpauth.ServerTypeOIDC, mcpauth.ServerTypeAuto} {
		urls, _ := mcpauth.DiscoveryURLs("https://auth.example.com/tenant1", typ)
		fmt.Println(typ, urls)
	}
	// Output:
	// oauth [https://auth.example.com/.well-known/oauth-authorization-server/tenant1]
	// oidc [https://auth.example.com/tenant1/.well-known/openid-configuration]
	// auto [https://auth.example.com/.well-known/oauth-authorization-server/tenant1 https://auth.example.com/.well-known/openid-configuration/tenant1 https://auth.example.com/tenant1/.well-known/openid-configuration]
}

// Manual metadata for a provider without discovery: no network at all.
func ExampleNewAuthServer() {
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{
		Type: mcpauth.ServerTypeOAuth,
		Metadata: mcpauth.AuthorizationServerMetadata{
			Issuer:                 "https://auth.example.com",
			AuthorizationEndpoint:  "https://auth.example.com/authorize",
			TokenEndpoint:          "https://auth.example.com/token",
			JWKSURI:                "https://auth.example.com/.well-known/jwks.json",
			ResponseTypesSupported: []string{"code"},
		},
	})
	defer server.Close()
	cfg, _ := server.Config(context.Background())
	fmt.Println(server.Issuer(), cfg.Metadata.JWKSURI)
	// Output: https://auth.example.com https://auth.example.com/.well-known/jwks.json
}
