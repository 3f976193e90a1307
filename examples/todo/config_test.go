package todo

import (
	"io"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

func TestParseConfig(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	cfg, err := ParseConfig("x", nil, getenv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:3001", IssuerType: mcpauth.ServerTypeAuto, JWKSMinRefresh: 30 * time.Second, IntrospectCacheTTL: time.Minute}
	if cfg != want {
		t.Fatalf("defaults %+v", cfg)
	}
	env = map[string]string{"MCPAUTH_ADDR": "127.0.0.1:4000", "MCPAUTH_ISSUER": "https://env.example.com", "MCPAUTH_ISSUER_TYPE": "oidc",
		"MCPAUTH_RESOURCE": "https://mcp.example.com/mcp", "MCPAUTH_JWKS_MIN_REFRESH": "2s"}
	cfg, err = ParseConfig("x", nil, getenv, io.Discard)
	if err != nil || cfg.Addr != "127.0.0.1:4000" || cfg.Issuer != "https://env.example.com" || cfg.IssuerType != mcpauth.ServerTypeOIDC ||
		cfg.Resource != "https://mcp.example.com/mcp" || cfg.JWKSMinRefresh != 2*time.Second {
		t.Fatalf("environment %+v %v", cfg, err)
	}
	// A flag wins over its variable.
	cfg, err = ParseConfig("x", []string{"-issuer", "https://flag.example.com", "-issuer-type", "oauth", "-jwks-min-refresh", "1s"}, getenv, io.Discard)
	if err != nil || cfg.Issuer != "https://flag.example.com" || cfg.IssuerType != mcpauth.ServerTypeOAuth || cfg.JWKSMinRefresh != time.Second || cfg.Addr != "127.0.0.1:4000" {
		t.Fatalf("flags %+v %v", cfg, err)
	}
	// Introspection, by variable and by flag.
	env = map[string]string{"MCPAUTH_INTROSPECT_CLIENT_ID": "rs", "MCPAUTH_INTROSPECT_CLIENT_SECRET": "s3cret", "MCPAUTH_INTROSPECT_CACHE_TTL": "5s"}
	cfg, err = ParseConfig("x", nil, getenv, io.Discard)
	if err != nil || cfg.IntrospectClientID != "rs" || cfg.IntrospectClientSecret != "s3cret" || cfg.IntrospectCacheTTL != 5*time.Second {
		t.Fatalf("introspection environment %+v %v", cfg, err)
	}
	cfg, err = ParseConfig("x", []string{"-introspect-client-id", "rs2", "-introspect-cache-ttl", "250ms"}, getenv, io.Discard)
	if err != nil || cfg.IntrospectClientID != "rs2" || cfg.IntrospectClientSecret != "s3cret" || cfg.IntrospectCacheTTL != 250*time.Millisecond {
		t.Fatalf("introspection flags %+v %v", cfg, err)
	}
	// DPoP.
	for value, want := range map[string]*mcpauth.DPoPOptions{"off": nil, "on": {}, "required": {Required: true}} {
		env = map[string]string{"MCPAUTH_DPOP": value}
		cfg, err := ParseConfig("x", nil, getenv, io.Discard)
		if err != nil || (cfg.DPoP == nil) != (want == nil) || (want != nil && cfg.DPoP.Required != want.Required) {
			t.Fatalf("MCPAUTH_DPOP=%s: %+v %v", value, cfg.DPoP, err)
		}
	}
	if cfg, err := ParseConfig("x", []string{"-dpop", "required"}, getenv, io.Discard); err != nil || cfg.DPoP == nil || !cfg.DPoP.Required {
		t.Fatalf("-dpop required: %+v %v", cfg.DPoP, err)
	}
	env = map[string]string{}
	for _, args := range [][]string{{"-dpop", "yes"}, {"-issuer-type", "saml"}, {"-jwks-min-refresh", "soon"}, {"-jwks-min-refresh", "-1s"}, {"-nope"}, {"extra"},
		{"-introspect-cache-ttl", "0s"}, {"-introspect-client-secret", "orphan"}} {
		if _, err := ParseConfig("x", args, getenv, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
