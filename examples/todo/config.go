package todo

import (
	"flag"
	"fmt"
	"io"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

// Config is an example server's configuration, from flags or environment
// variables (a flag wins over its variable).
type Config struct {
	// Addr is where to listen (-addr, MCPAUTH_ADDR); default 127.0.0.1:3001.
	Addr string
	// Issuer is the trusted authorization server (-issuer, MCPAUTH_ISSUER);
	// empty starts the embedded development authorization server.
	Issuer string
	// IssuerType is how its metadata is discovered (-issuer-type,
	// MCPAUTH_ISSUER_TYPE: auto, oauth or oidc); default auto.
	IssuerType mcpauth.ServerType
	// Resource is the resource identifier (-resource, MCPAUTH_RESOURCE);
	// default http://<addr>/mcp.
	Resource string
	// JWKSMinRefresh is the least time between key-set fetches
	// (-jwks-min-refresh, MCPAUTH_JWKS_MIN_REFRESH); default 30s.
	JWKSMinRefresh time.Duration
	// IntrospectClientID, when set, verifies tokens by RFC 7662
	// introspection at the issuer's introspection_endpoint instead of as
	// JWTs, authenticating as this client (-introspect-client-id,
	// MCPAUTH_INTROSPECT_CLIENT_ID): for authorization servers that issue
	// opaque access tokens.
	IntrospectClientID string
	// IntrospectClientSecret is that client's secret
	// (-introspect-client-secret, MCPAUTH_INTROSPECT_CLIENT_SECRET; prefer
	// the variable, which other users cannot read from the process list).
	IntrospectClientSecret string
	// IntrospectCacheTTL bounds how long an introspection answer is reused
	// (-introspect-cache-ttl, MCPAUTH_INTROSPECT_CACHE_TTL); default 1m. A
	// revoked token stays accepted for at most this long.
	IntrospectCacheTTL time.Duration
	// DPoP is the resource's DPoP configuration (-dpop, MCPAUTH_DPOP): nil
	// for "off" (the default), DPoP-bound tokens accepted next to bearer
	// tokens for "on", and required for "required".
	DPoP *mcpauth.DPoPOptions
}

// ParseConfig reads args (without the program name) and the environment
// through getenv.
func ParseConfig(name string, args []string, getenv func(string) string, output io.Writer) (Config, error) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	env := func(key, def string) string {
		if v := getenv(key); v != "" {
			return v
		}
		return def
	}
	addr := fs.String("addr", env("MCPAUTH_ADDR", "127.0.0.1:3001"), "address to listen on (MCPAUTH_ADDR)")
	issuer := fs.String("issuer", env("MCPAUTH_ISSUER", ""), "trusted authorization server's issuer; empty starts a development server (MCPAUTH_ISSUER)")
	typ := fs.String("issuer-type", env("MCPAUTH_ISSUER_TYPE", "auto"), "metadata discovery: auto, oauth or oidc (MCPAUTH_ISSUER_TYPE)")
	resource := fs.String("resource", env("MCPAUTH_RESOURCE", ""), "resource identifier; default http://<addr>/mcp (MCPAUTH_RESOURCE)")
	refresh := fs.String("jwks-min-refresh", env("MCPAUTH_JWKS_MIN_REFRESH", "30s"), "least time between key-set fetches (MCPAUTH_JWKS_MIN_REFRESH)")
	introspectID := fs.String("introspect-client-id", env("MCPAUTH_INTROSPECT_CLIENT_ID", ""), "verify tokens by introspection, as this client; empty: tokens are JWTs (MCPAUTH_INTROSPECT_CLIENT_ID)")
	introspectSecret := fs.String("introspect-client-secret", env("MCPAUTH_INTROSPECT_CLIENT_SECRET", ""), "the introspecting client's secret (MCPAUTH_INTROSPECT_CLIENT_SECRET)")
	introspectTTL := fs.String("introspect-cache-ttl", env("MCPAUTH_INTROSPECT_CACHE_TTL", "1m"), "longest reuse of an introspection answer (MCPAUTH_INTROSPECT_CACHE_TTL)")
	dpop := fs.String("dpop", env("MCPAUTH_DPOP", "off"), "DPoP-bound tokens (RFC 9449): off, on (next to bearer tokens) or required (MCPAUTH_DPOP)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	t, err := mcpauth.ParseServerType(*typ)
	if err != nil {
		return Config{}, err
	}
	d, err := positiveDuration("-jwks-min-refresh", *refresh)
	if err != nil {
		return Config{}, err
	}
	ttl, err := positiveDuration("-introspect-cache-ttl", *introspectTTL)
	if err != nil {
		return Config{}, err
	}
	if *introspectID == "" && *introspectSecret != "" {
		return Config{}, fmt.Errorf("-introspect-client-secret without -introspect-client-id")
	}
	var dp *mcpauth.DPoPOptions
	switch *dpop {
	case "off":
	case "on":
		dp = &mcpauth.DPoPOptions{}
	case "required":
		dp = &mcpauth.DPoPOptions{Required: true}
	default:
		return Config{}, fmt.Errorf("-dpop: %q is not off, on or required", *dpop)
	}
	return Config{Addr: *addr, Issuer: *issuer, IssuerType: t, Resource: *resource, JWKSMinRefresh: d,
		IntrospectClientID: *introspectID, IntrospectClientSecret: *introspectSecret, IntrospectCacheTTL: ttl, DPoP: dp}, nil
}

func positiveDuration(flag, s string) (time.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: %q is not a positive duration", flag, s)
	}
	return d, nil
}
