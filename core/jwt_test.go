package mcpauth_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// TestTokenType: a JWT that says it is not an access token is refused,
// whatever the options, before any key is fetched; RequireTokenType admits
// at+jwt only.
func TestTokenType(t *testing.T) {
	notAccess := challengeFor("invalid_token", "The token is not an access token.", "")
	malformed := challengeFor("invalid_token", "The access token's header is malformed.", "")
	notAT := challengeFor("invalid_token", "The access token's type (typ) is not at+jwt.", "")
	tests := []struct {
		name        string
		header      map[string]any
		claims      authtest.Claims
		lax, strict string // expected challenge without and with RequireTokenType ("" = accepted)
	}{
		{"at+jwt", map[string]any{"typ": "at+jwt"}, nil, "", ""},
		{"application/at+jwt", map[string]any{"typ": "application/AT+JWT"}, nil, "", ""},
		{"JWT", map[string]any{"typ": "JWT"}, nil, "", notAT},
		{"no typ", map[string]any{"typ": authtest.Delete}, nil, "", notAT},
		{"id+jwt", map[string]any{"typ": "id+jwt"}, nil, notAccess, notAT},
		{"logout+jwt", map[string]any{"typ": "logout+jwt"}, nil, notAccess, notAT},
		{"application/logout+jwt", map[string]any{"typ": "application/logout+jwt"}, nil, notAccess, notAT},
		{"secevent+jwt", map[string]any{"typ": "secevent+jwt"}, nil, notAccess, notAT},
		{"dpop+jwt", map[string]any{"typ": "dpop+jwt"}, nil, notAccess, notAT},
		{"oauth-id-jag+jwt", map[string]any{"typ": "oauth-id-jag+jwt"}, nil, notAccess, notAT},
		{"DPoP+JWT with a parameter", map[string]any{"typ": "DPoP+JWT; v=1"}, nil, notAccess, notAT},
		{"typ not a string", map[string]any{"typ": 7}, nil, malformed, malformed},
		{"Cognito ID token", map[string]any{"typ": "JWT"}, authtest.Claims{"token_use": "id"}, notAccess, notAT},
		{"Cognito access token", map[string]any{"typ": authtest.Delete}, authtest.Claims{"token_use": "access"}, "", notAT},
		{"Hydra-style token_use", map[string]any{"typ": "JWT"}, authtest.Claims{"token_use": "access_token"}, "", notAT},
		{"Keycloak ID token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "ID"}, notAccess, notAT},
		{"Keycloak refresh token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "Refresh"}, notAccess, notAT},
		{"Keycloak access token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "Bearer"}, "", notAT},
	}
	for _, strict := range []bool{false, true} {
		r := newRig(t, rigOptions{lazy: true, bearer: &mcpauth.BearerOptions{RequireTokenType: strict}})
		for _, tt := range tests {
			want := tt.lax
			if strict {
				want = tt.strict
			}
			t.Run(tt.name, func(t *testing.T) {
				rec := r.bearer(r.as.MintWith(authtest.MintOptions{Header: tt.header, Claims: tt.claims}))
				if want == "" {
					expect(t, rec, http.StatusOK, "")
				} else {
					expect(t, rec, http.StatusUnauthorized, want)
				}
			})
		}
	}
	t.Run("refused before any request to the authorization server", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true})
		expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "logout+jwt"}})), http.StatusUnauthorized, notAccess)
		if n := r.as.TotalRequests(); n != 0 {
			t.Fatalf("%d requests to the authorization server", n)
		}
	})
}

// TestSenderConstrainedJWT: a JWT carrying cnf (RFC 9449 jkt, RFC 8705
// x5t#S256, or anything else) is refused when presented as a bearer token.
func TestSenderConstrainedJWT(t *testing.T) {
	r := newRig(t, rigOptions{})
	bound := challengeFor("invalid_token", "The access token is bound to a key (cnf) and cannot be used as a bearer token.", "")
	for _, cnf := range []any{
		map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
		map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		map[string]any{},
		"garbage",
	} {
		expect(t, r.bearer(r.as.Mint(authtest.Claims{"cnf": cnf})), http.StatusUnauthorized, bound)
	}
	expect(t, r.bearer(r.as.Mint(nil)), http.StatusOK, "")
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
