package mcpauth_test

import (
	"net/http/httptest"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

// introspectionBearer is a bearer middleware verifying tokens at in, with
// the clock clk and the verifier's configuration cfg (Server set here).
func introspectionBearer(t *testing.T, in *introspector, clk *clock, cfg mcpauth.IntrospectionConfig) func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
	issuer := "https://auth.example.com"
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: issuer, AuthorizationEndpoint: issuer + "/a", TokenEndpoint: issuer + "/t", ResponseTypesSupported: []string{"code"},
		IntrospectionEndpoint: in.URL + "/introspect",
	}})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Logger:             quiet,
	}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	cfg.Server = server
	verifier, err := mcpauth.NewIntrospectionVerifier(cfg.WithClock(clk.Now))
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
			return nil, asError(err)
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

// TestIntrospectionNegativeCache: a refused token repeated does not cost one
// introspection call per request: refusals are reused for NegativeCacheTTL
// (10 s by default), keyed like active answers, within the same size bound.
func TestIntrospectionNegativeCache(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		in := newIntrospector(t)
		clk := newClock()
		try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
		for range 50 {
			if _, e := try("bogus"); e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != "The access token is not active." {
				t.Fatalf("bogus token: %v", e)
			}
		}
		if n := in.count(); n != 1 {
			t.Fatalf("%d introspection calls for 50 requests with one bogus token, want 1", n)
		}
		clk.Advance(mcpauth.DefaultIntrospectionNegativeCacheTTL - time.Second)
		try("bogus")
		if n := in.count(); n != 1 {
			t.Fatalf("refusal not reused within its TTL: %d calls", n)
		}
		clk.Advance(time.Second)
		try("bogus")
		if n := in.count(); n != 2 {
			t.Fatalf("refusal reused past its TTL: %d calls", n)
		}
		// A token that became active is seen once the refusal expires.
		in.set("bogus", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": clk.Now().Add(time.Hour).Unix()})
		clk.Advance(mcpauth.DefaultIntrospectionNegativeCacheTTL)
		if _, e := try("bogus"); e != nil {
			t.Fatal(e)
		}
	})
	t.Run("off", func(t *testing.T) {
		in := newIntrospector(t)
		try := introspectionBearer(t, in, newClock(), mcpauth.IntrospectionConfig{NegativeCacheTTL: -1})
		for range 5 {
			try("bogus")
		}
		if n := in.count(); n != 5 {
			t.Fatalf("%d calls with the negative cache off, want 5", n)
		}
	})
	t.Run("bounded by CacheSize", func(t *testing.T) {
		in := newIntrospector(t)
		try := introspectionBearer(t, in, newClock(), mcpauth.IntrospectionConfig{CacheSize: 1})
		for _, token := range []string{"a", "b", "a", "a"} {
			try(token)
		}
		if n := in.count(); n != 3 {
			t.Fatalf("%d calls, want 3 (one entry kept)", n)
		}
	})
}

// TestIntrospectionAnswerChecks: an active answer whose token_type names
// something other than an access token, or whose nbf is in the future, is
// refused; the former is a refusal the cache keeps, the latter is not.
func TestIntrospectionAnswerChecks(t *testing.T) {
	in := newIntrospector(t)
	clk := newClock()
	try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
	exp := clk.Now().Add(time.Hour).Unix()
	answer := func(extra map[string]any) map[string]any {
		a := map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	notAccess := "The token is not an access token."
	tests := []struct {
		token, refusal string
		extra          map[string]any
	}{
		{"bearer", "", map[string]any{"token_type": "Bearer"}},
		{"access_token", "", map[string]any{"token_type": "access_token"}},
		{"urn", "", map[string]any{"token_type": "urn:ietf:params:oauth:token-type:access_token"}},
		{"no-token-type", "", nil},
		{"refresh", notAccess, map[string]any{"token_type": "refresh_token"}},
		{"id", notAccess, map[string]any{"token_type": "urn:ietf:params:oauth:token-type:id_token"}},
		{"n_a", notAccess, map[string]any{"token_type": "N_A"}},
		{"number", notAccess, map[string]any{"token_type": 7}},
		{"hydra-refresh", notAccess, map[string]any{"token_type": "Bearer", "token_use": "refresh_token"}},
		{"hydra-access", "", map[string]any{"token_type": "Bearer", "token_use": "access_token"}},
		{"keycloak-refresh", notAccess, map[string]any{"typ": "Refresh"}},
		{"dpop", "The access token is bound to a key (cnf) and cannot be used as a bearer token.", map[string]any{"token_type": "DPoP"}},
		{"nbf-within-leeway", "", map[string]any{"nbf": clk.Now().Add(30 * time.Second).Unix()}},
		{"nbf-ahead", "The access token is not valid yet (nbf).", map[string]any{"nbf": clk.Now().Add(2 * time.Minute).Unix()}},
	}
	for _, tt := range tests {
		in.set(tt.token, answer(tt.extra))
		t.Run(tt.token, func(t *testing.T) {
			_, e := try(tt.token)
			switch {
			case tt.refusal == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case tt.refusal != "" && (e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != tt.refusal):
				t.Fatalf("got %v, want %q", e, tt.refusal)
			}
		})
	}
	n := in.count()
	try("refresh")
	if in.count() != n {
		t.Fatal("a refusal for the token's type was not reused")
	}
	try("nbf-ahead")
	if in.count() != n+1 {
		t.Fatal("a not-yet-valid answer was reused")
	}
	clk.Advance(2 * time.Minute)
	if _, e := try("nbf-ahead"); e != nil {
		t.Fatalf("valid once nbf is reached: %v", e)
	}
}
