package app

import (
	"io"
	"log/slog"
	"strings"
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
	env = map[string]string{}
	for _, args := range [][]string{{"-issuer-type", "saml"}, {"-jwks-min-refresh", "soon"}, {"-jwks-min-refresh", "-1s"}, {"-nope"}, {"extra"},
		{"-introspect-cache-ttl", "0s"}, {"-introspect-client-secret", "orphan"}} {
		if _, err := ParseConfig("x", args, getenv, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}

func TestBanner(t *testing.T) {
	a, err := New(Config{Addr: "127.0.0.1:0", JWKSMinRefresh: time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Dev == nil || !strings.HasPrefix(a.Dev.Issuer, "http://127.0.0.1:") {
		t.Fatal("no development server on loopback")
	}
	var b strings.Builder
	PrintBanner(&b, "gin", a)
	out := b.String()
	for _, want := range []string{"DEVELOPMENT MODE", a.URL() + "/mcp", "--data-urlencode resource=" + a.Config.Resource, a.Dev.Issuer + "/token",
		"-u demo-client:demo-secret", `"name":"whoami"`, "/.well-known/oauth-protected-resource/mcp"} {
		if !strings.Contains(out, want) {
			t.Errorf("banner lacks %q:\n%s", want, out)
		}
	}
	// With an issuer, no development server and no demo credentials.
	b.Reset()
	c, err := New(Config{Addr: "127.0.0.1:0", Issuer: "https://auth.example.com", JWKSMinRefresh: time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	PrintBanner(&b, "gin", c)
	if c.Dev != nil || strings.Contains(b.String(), "DEVELOPMENT") || !strings.Contains(b.String(), "https://auth.example.com") {
		t.Fatalf("with an issuer:\n%s", b.String())
	}
}

func TestIntrospectionMode(t *testing.T) {
	a, err := New(Config{Addr: "127.0.0.1:0", Issuer: "https://auth.example.com", JWKSMinRefresh: time.Second,
		IntrospectClientID: "rs", IntrospectClientSecret: "s3cret", IntrospectCacheTTL: 5 * time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, ok := a.Bearer.Verifier.(*mcpauth.IntrospectionVerifier); !ok {
		t.Fatalf("verifier %T", a.Bearer.Verifier)
	}
	var b strings.Builder
	PrintBanner(&b, "chi", a)
	if !strings.Contains(b.String(), "introspection (RFC 7662) as client rs, answers reused for 5s") {
		t.Fatalf("banner:\n%s", b.String())
	}
	// Without a client ID, tokens are JWTs (the default verifier).
	c, err := New(Config{Addr: "127.0.0.1:0", Issuer: "https://auth.example.com", JWKSMinRefresh: time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Bearer.Verifier != nil {
		t.Fatalf("verifier %T without introspection", c.Bearer.Verifier)
	}
}

// TestDevServerLoopbackOnly: without an issuer, the development
// authorization server starts only when both the listen address and the
// resource are loopback, and says so with a WARN line; otherwise New fails
// naming -issuer.
func TestDevServerLoopbackOnly(t *testing.T) {
	for _, cfg := range []Config{
		{Addr: "0.0.0.0:0"},
		{Addr: ":0"},
		{Addr: "127.0.0.1:0", Resource: "https://mcp.example.com/mcp"},
		{Addr: "127.0.0.1:0", Resource: "http://192.0.2.1:3001/mcp"},
	} {
		cfg.JWKSMinRefresh = time.Second
		a, err := New(cfg, slog.New(slog.DiscardHandler))
		if err == nil {
			a.Close()
			t.Errorf("%+v: started with the development server", cfg)
			continue
		}
		if !strings.Contains(err.Error(), "-issuer") || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%+v: %v", cfg, err)
		}
	}
	var logs strings.Builder
	a, err := New(Config{Addr: "localhost:0", Resource: "http://localhost/mcp", JWKSMinRefresh: time.Second}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Dev == nil || !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "development authorization server") {
		t.Fatalf("development server %v, logs %s", a.Dev, logs.String())
	}
	// With an issuer, any address and resource.
	b, err := New(Config{Addr: "127.0.0.1:0", Resource: "https://mcp.example.com/mcp", Issuer: "https://auth.example.com", JWKSMinRefresh: time.Second}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}
