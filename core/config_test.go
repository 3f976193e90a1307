package mcpauth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestConfigErrors(t *testing.T) {
	as := mcpauth.NewAuthServer(manualMetadata("https://auth.example.com", "https://auth.example.com/jwks"))
	res := func(id string, servers ...*mcpauth.AuthServer) mcpauth.ProtectedResource {
		return mcpauth.ProtectedResource{Metadata: mcpauth.ProtectedResourceMetadata{Resource: id}, AuthServers: servers}
	}
	tests := []struct {
		name string
		cfg  mcpauth.Config
		msg  string
	}{
		{"neither mode", mcpauth.Config{}, "exactly one"},
		{"both modes", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, as)}, Legacy: &mcpauth.LegacyServer{Server: as}}, "exactly one"},
		{"duplicate resource", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, as), res("HTTPS://mcp.example.com/mcp/", as)}}, "configured twice"},
		{"duplicate issuer", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, as, mcpauth.DiscoverAuthServer("https://auth.example.com", "", nil))}},
			`the authorization server ("https://auth.example.com") for resource "https://mcp.example.com/mcp" is duplicated`},
		{"fragment", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID+"#x", as)}}, "fragment"},
		{"relative resource", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res("/mcp", as)}}, "absolute"},
		{"http off loopback", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res("http://mcp.example.com/mcp", as)}}, "https"},
		{"no authorization server", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID)}}, "no authorization server"},
		{"nil authorization server", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, nil)}}, "nil"},
		{"bad issuer", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.DiscoverAuthServer("auth.example.com", "", nil))}}, "absolute"},
		{"no issuer in manual metadata", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.NewAuthServer(&mcpauth.ServerConfig{}))}}, "no issuer"},
		{"nil manual metadata", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.NewAuthServer(nil))}}, "no issuer"},
		{"offline_access advertised", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID, ScopesSupported: []string{"read", "offline_access"}}, AuthServers: []*mcpauth.AuthServer{as}}}}, "offline_access"},
		{"invalid scope", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID, ScopesSupported: []string{`re"ad`}}, AuthServers: []*mcpauth.AuthServer{as}}}}, "not a valid scope"},
		{"authorization_servers set by hand", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID, AuthorizationServers: []string{"https://auth.example.com"}}, AuthServers: []*mcpauth.AuthServer{as}}}}, "set AuthServers"},
		{"bad hierarchy", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{as}, ScopeHierarchy: mcpauth.ScopeHierarchy{"a": {"b c"}}}}}, "not a valid scope"},
		{"legacy without server", mcpauth.Config{Legacy: &mcpauth.LegacyServer{}}, "Legacy.Server"},
		{"shared metadata path", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res("https://a.example.com/mcp", as), res("https://b.example.com/mcp", as)}}, "share the metadata path"},
		{"manual metadata without what RFC 8414 requires", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.NewAuthServer(&mcpauth.ServerConfig{
			Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://auth.example.com", JWKSURI: "https://auth.example.com/jwks"}}))}}, `missing required member(s) ["authorization_endpoint" "token_endpoint" "response_types_supported"]`},
		{"manual metadata with a plain-http key set", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.NewAuthServer(
			manualMetadata("https://auth.example.com", "http://auth.example.com/jwks")))}}, "Config.AllowInsecureHTTP"},
		{"plain-http issuer off loopback", mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, mcpauth.DiscoverAuthServer("http://auth.example.com", "", nil))}},
			"DiscoveryOptions.AllowInsecureHTTP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Logger = quiet
			auth, err := mcpauth.New(tt.cfg)
			if err == nil {
				auth.Close()
				t.Fatal("no error")
			}
			if !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want one saying %q", err, tt.msg)
			}
		})
	}
	t.Run("JWT mode without jwks_uri fails at NewBearer", func(t *testing.T) {
		noKeys := mcpauth.NewAuthServer(manualMetadata("https://github.com/login/oauth", ""))
		auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, noKeys)}})
		if err != nil {
			t.Fatal(err)
		}
		defer auth.Close()
		if _, err := auth.NewBearer(nil); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "jwks_uri") {
			t.Fatalf("err = %v", err)
		}
		fn := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) { return nil, nil })
		if _, err := auth.NewBearer(&mcpauth.BearerOptions{Verifier: fn}); err != nil {
			t.Fatalf("with a verifier function: %v", err)
		}
		defer func() {
			if recover() == nil {
				t.Error("Middleware did not panic on invalid options")
			}
		}()
		auth.Middleware(nil)
	})
	t.Run("invalid bearer options", func(t *testing.T) {
		auth, _ := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{res(resourceID, as)}})
		defer auth.Close()
		for _, o := range []*mcpauth.BearerOptions{
			{RequiredScopes: []string{"two words"}},
			{Policy: &mcpauth.ScopePolicy{Tools: map[string][]string{"t": {""}}}},
			{Policy: &mcpauth.ScopePolicy{MaxBodyBytes: -1}},
		} {
			if _, err := auth.NewBearer(o); !errors.Is(err, mcpauth.ErrInvalidConfig) {
				t.Errorf("%+v: %v", o, err)
			}
		}
	})
}

// TestConfigAlgorithms: the accepted algorithms are per configuration, a subset of
// the asymmetric ones; New refuses none, HMAC and unknown names.
func TestConfigAlgorithms(t *testing.T) {
	for _, algs := range [][]string{{}, {"none"}, {"HS256"}, {"RS256", "HS512"}, {"RS1"}, {"rs256"}} {
		r := newRig(t, rigOptions{})
		cfg := mcpauth.Config{Logger: quiet, Algorithms: algs, ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(r.as))},
		}}}
		if _, err := mcpauth.New(cfg); !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "Config.Algorithms") {
			t.Errorf("Algorithms %q: %v", algs, err)
		}
	}
	r := newRig(t, rigOptions{as: &authtest.Options{Algorithm: "ES256"}, config: func(c *mcpauth.Config) { c.Algorithms = []string{"ES256"} }})
	expect(t, r.bearer(r.as.Mint(nil)), http.StatusOK, "")
	rsa, err := r.as.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Key: rsa})), http.StatusUnauthorized,
		challengeFor("invalid_token", "The access token's signature is invalid.", ""))
}

// manualMetadata is hand-written metadata with the members RFC 8414 requires.
func manualMetadata(issuer, jwksURI string) *mcpauth.ServerConfig {
	return &mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: issuer, AuthorizationEndpoint: issuer + "/authorize", TokenEndpoint: issuer + "/token",
		ResponseTypesSupported: []string{"code"}, JWKSURI: jwksURI,
	}}
}

// TestInsecureAllowed: the opt-ins that allow plain http off loopback.
func TestInsecureAllowed(t *testing.T) {
	for _, cfg := range []mcpauth.Config{
		{ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer("http://auth.example.com", "", &mcpauth.DiscoveryOptions{AllowInsecureHTTP: true})}}}},
		{AllowInsecureHTTP: true, ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID},
			AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualMetadata("https://auth.example.com", "http://auth.example.com/jwks"))}}}},
	} {
		cfg.Logger = quiet
		auth, err := mcpauth.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		auth.Close()
	}
}
