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
	want := Config{Addr: "127.0.0.1:3001", IssuerType: mcpauth.ServerTypeAuto, JWKSMinRefresh: 30 * time.Second}
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
	for _, args := range [][]string{{"-issuer-type", "saml"}, {"-jwks-min-refresh", "soon"}, {"-jwks-min-refresh", "-1s"}, {"-nope"}, {"extra"}} {
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
