package mcpauth_test

import (
	"net/http/httptest"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

// introspectionBearer is a bearer middleware verifying tokens at in, with
// the clock clk and the verifier's configuration cfg (Server and Now set here).
func introspectionBearer(t *testing.T, in *introspector, clk *clock, cfg mcpauth.IntrospectionConfig) func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
	issuer := "https://auth.example.com"
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: issuer, AuthorizationEndpoint: issuer + "/a", TokenEndpoint: issuer + "/t", ResponseTypesSupported: []string{"code"},
		IntrospectionEndpoint: in.URL + "/introspect",
	}})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Now:                clk.Now, Logger: quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	cfg.Server, cfg.Now = server, clk.Now
	verifier, err := mcpauth.NewIntrospectionVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := auth.NewBearer(&mcpauth.BearerOptions{Verifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	return func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
		req := httptest.NewRequest("POST", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		info, err := bearer.Authenticate(req)
		if err != nil {
			return nil, mcpauth.AsError(err)
		}
		return info, nil
	}
}

// TestIntrospectionSenderConstrained: an introspection answer carrying cnf
// is a token bound to a key, refused when presented as a bearer token.
func TestIntrospectionSenderConstrained(t *testing.T) {
	in := newIntrospector(t)
	clk := newClock()
	try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
	exp := clk.Now().Add(time.Hour).Unix()
	in.set("plain", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp})
	in.set("dpop-bound", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp, "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})
	in.set("mtls-bound", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp, "cnf": map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}})
	if _, e := try("plain"); e != nil {
		t.Fatal(e)
	}
	for _, token := range []string{"dpop-bound", "mtls-bound"} {
		_, e := try(token)
		if e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != "The access token is bound to a key (cnf) and cannot be used as a bearer token." {
			t.Fatalf("%s: %v", token, e)
		}
	}
}
