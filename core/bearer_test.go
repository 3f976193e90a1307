package mcpauth_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestHeaderCases(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}})
	valid := r.as.Mint(authtest.Claims{"scope": "read"})
	tests := []struct {
		name      string
		auth      []string
		status    int
		challenge string
		code      string
	}{
		{"no header", nil, 401, challengeFor("", "", "read"), "missing_auth_header"},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, 401, challengeFor("", "", "read"), "missing_bearer_token"},
		{"empty bearer", []string{"Bearer "}, 401, challengeFor("", "", "read"), "missing_bearer_token"},
		{"broken grammar", []string{"Bearer abc def"}, 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "read"), "invalid_auth_header_format"},
		{"two headers", []string{"Bearer " + valid, "Bearer " + valid}, 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "read"), "invalid_auth_header_format"},
		{"lowercase bearer", []string{"bearer " + valid}, 200, "", ""},
		{"not a JWT", []string{"Bearer not-a-jwt"}, 401, challengeFor("invalid_token", "The access token is malformed.", "read"), "invalid_token"},
		{"oversize", []string{"Bearer " + strings.Repeat("a", mcpauth.DefaultMaxTokenBytes+1)}, 401,
			challengeFor("invalid_token", "The access token is longer than 16384 bytes.", "read"), "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			rec := r.request(http.MethodPost, tt.auth, "")
			expect(t, rec, tt.status, tt.challenge)
			if tt.status != 200 {
				if r.calls.Load() != before {
					t.Fatal("handler ran on a refused request")
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error_code"] != tt.code {
					t.Fatalf("body %s", rec.Body)
				}
				if _, has := body["error"]; has != (tt.status != 401 || strings.Contains(tt.challenge, "error=")) {
					t.Errorf("error member presence wrong: %s", rec.Body)
				}
			}
		})
	}
	t.Run("oversize token is not parsed or fetched for", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		rec := r.bearer(strings.Repeat("a", mcpauth.DefaultMaxTokenBytes+1))
		expect(t, rec, 401, challengeFor("invalid_token", "The access token is longer than 16384 bytes.", ""))
		if r.as.TotalRequests() != 0 {
			t.Fatal("the authorization server was contacted")
		}
	})
	t.Run("token in the query string is ignored", func(t *testing.T) {
		req := r.newRequest(http.MethodGet, nil, "")
		req.URL.RawQuery = "access_token=" + valid
		expect(t, r.send(req), 401, challengeFor("", "", "read"))
	})
}

func TestJWTClaims(t *testing.T) {
	r := newRig(t, rigOptions{})
	now := r.clock.Now()
	expired := challengeFor("invalid_token", "The access token has expired.", "")
	tests := []struct {
		name      string
		claims    authtest.Claims
		header    map[string]any
		status    int
		challenge string
		check     func(t *testing.T, info *mcpauth.AuthInfo)
	}{
		{name: "valid", status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if info.Issuer != r.as.Issuer || info.Subject != "test-user" || info.ClientID != "test-client" || info.Resource != resourceID {
				t.Errorf("%+v", info)
			}
			if len(info.Audience) != 1 || info.Audience[0] != resourceID || info.ExpiresAt.IsZero() || info.Claims["jti"] == nil {
				t.Errorf("%+v", info)
			}
		}},
		{name: "expired", claims: authtest.Claims{"exp": now.Add(-2 * time.Minute).Unix()}, status: 401, challenge: expired},
		{name: "expired within leeway", claims: authtest.Claims{"exp": now.Add(-30 * time.Second).Unix()}, status: 200},
		{name: "exp at leeway edge", claims: authtest.Claims{"exp": now.Add(-60 * time.Second).Unix()}, status: 401, challenge: expired},
		{name: "nbf in the future", claims: authtest.Claims{"nbf": now.Add(5 * time.Minute).Unix()}, status: 401,
			challenge: challengeFor("invalid_token", "The access token is not valid yet (nbf).", "")},
		{name: "nbf within leeway", claims: authtest.Claims{"nbf": now.Add(30 * time.Second).Unix()}, status: 200},
		{name: "iat in the future", claims: authtest.Claims{"iat": now.Add(5 * time.Minute).Unix()}, status: 401,
			challenge: challengeFor("invalid_token", "The access token was issued in the future (iat).", "")},
		{name: "missing exp", claims: authtest.Claims{"exp": authtest.Delete}, status: 401,
			challenge: challengeFor("invalid_token", "The access token has no expiry (exp).", "")},
		{name: "missing sub", claims: authtest.Claims{"sub": authtest.Delete}, status: 401,
			challenge: challengeFor("invalid_token", "The access token has no subject (sub).", "")},
		{name: "empty sub", claims: authtest.Claims{"sub": ""}, status: 401,
			challenge: challengeFor("invalid_token", "The access token has no subject (sub).", "")},
		{name: "missing iss", claims: authtest.Claims{"iss": authtest.Delete}, status: 401,
			challenge: challengeFor("invalid_token", "The access token has no issuer (iss).", "")},
		{name: "wrong aud", claims: authtest.Claims{"aud": "https://other.example.com/mcp"}, status: 401,
			challenge: challengeFor("invalid_token", "The access token was not issued for this resource.", "")},
		{name: "missing aud", claims: authtest.Claims{"aud": authtest.Delete}, status: 401,
			challenge: challengeFor("invalid_token", "The access token was not issued for this resource.", "")},
		{name: "aud array", claims: authtest.Claims{"aud": []string{"https://other.example.com", resourceID}}, status: 200},
		{name: "aud with uppercase host and trailing slash", claims: authtest.Claims{"aud": "HTTPS://MCP.EXAMPLE.COM/mcp/"}, status: 200},
		{name: "aud path case matters", claims: authtest.Claims{"aud": "https://mcp.example.com/MCP"}, status: 401,
			challenge: challengeFor("invalid_token", "The access token was not issued for this resource.", "")},
		{name: "scope string", claims: authtest.Claims{"scope": "read write"}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if strings.Join(info.Scopes, ",") != "read,write" {
				t.Errorf("scopes %v", info.Scopes)
			}
		}},
		{name: "scope array", claims: authtest.Claims{"scope": []string{"read", "write"}}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if strings.Join(info.Scopes, ",") != "read,write" {
				t.Errorf("scopes %v", info.Scopes)
			}
		}},
		{name: "scp array (Entra ID, Okta)", claims: authtest.Claims{"scp": []string{"read"}}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if strings.Join(info.Scopes, ",") != "read" {
				t.Errorf("scopes %v", info.Scopes)
			}
		}},
		{name: "scp string", claims: authtest.Claims{"scp": "read write"}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if len(info.Scopes) != 2 {
				t.Errorf("scopes %v", info.Scopes)
			}
		}},
		{name: "scopes claim", claims: authtest.Claims{"scopes": []string{"write"}}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if strings.Join(info.Scopes, ",") != "write" {
				t.Errorf("scopes %v", info.Scopes)
			}
		}},
		{name: "no scope claim", status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if info.Scopes == nil || len(info.Scopes) != 0 {
				t.Errorf("scopes %#v", info.Scopes)
			}
		}},
		{name: "azp as client ID", claims: authtest.Claims{"client_id": authtest.Delete, "azp": "auth0-client"}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if info.ClientID != "auth0-client" {
				t.Errorf("client %q", info.ClientID)
			}
		}},
		{name: "cid as client ID (Okta)", claims: authtest.Claims{"client_id": authtest.Delete, "cid": "okta-client"}, status: 200, check: func(t *testing.T, info *mcpauth.AuthInfo) {
			if info.ClientID != "okta-client" {
				t.Errorf("client %q", info.ClientID)
			}
		}},
		{name: "typ JWT accepted when not strict", header: map[string]any{"typ": "JWT"}, status: 200},
		{name: "no typ accepted when not strict", header: map[string]any{"typ": authtest.Delete}, status: 200},
		{name: "exp as a string", claims: authtest.Claims{"exp": "tomorrow"}, status: 401,
			challenge: challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{name: "aud as an object", claims: authtest.Claims{"aud": map[string]any{"x": 1}}, status: 401,
			challenge: challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{name: "client_id not a string", claims: authtest.Claims{"client_id": 42}, status: 401,
			challenge: challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{name: "scope a number", claims: authtest.Claims{"scope": 7}, status: 401,
			challenge: challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{name: "crit header", header: map[string]any{"crit": []string{"exp"}, "exp": 1}, status: 401,
			challenge: challengeFor("invalid_token", "The access token has a critical header the server does not understand.", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := r.as.MintWith(authtest.MintOptions{Claims: tt.claims, Header: tt.header})
			before := r.calls.Load()
			rec := r.bearer(token)
			expect(t, rec, tt.status, tt.challenge)
			if tt.status != 200 {
				if r.calls.Load() != before {
					t.Fatal("handler ran")
				}
				return
			}
			info, ok := mcpauth.FromContext(r.lastReq.Load().Context())
			if !ok || info.Token != token {
				t.Fatal("no AuthInfo in the handler's context")
			}
			if tt.check != nil {
				tt.check(t, info)
			}
		})
	}
}

func TestStrictTokenType(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequireTokenType: true}})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "application/at+jwt"}})), 200, "")
	want := challengeFor("invalid_token", "The access token's type (typ) is not at+jwt.", "")
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "JWT"}})), 401, want)
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": authtest.Delete}})), 401, want)
}

func TestForgedTokens(t *testing.T) {
	r := newRig(t, rigOptions{})
	pub := r.as.SigningKey().Public()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	other, _ := authtest.NewKey("key-1", "RS256") // same kid, another key
	signatureInvalid := challengeFor("invalid_token", "The access token's signature is invalid.", "")
	tests := []struct {
		name      string
		token     string
		challenge string
	}{
		{"alg none", r.as.MintWith(authtest.MintOptions{Algorithm: "none"}), signatureInvalid},
		{"alg none with a signature", r.as.MintWith(authtest.MintOptions{Algorithm: "none", Signature: []byte("x")}), signatureInvalid},
		{"HS256 with the public key as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS256", SigningKey: pemKey}), signatureInvalid},
		{"HS384 with the public key as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS384", SigningKey: pemKey}), signatureInvalid},
		{"HS512 with the public key DER as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS512", SigningKey: der}), signatureInvalid},
		{"signed by another key under the same kid", r.as.MintWith(authtest.MintOptions{Key: other}), signatureInvalid},
		{"signature removed", r.as.MintWith(authtest.MintOptions{Signature: []byte{}}), signatureInvalid},
		{"payload changed after signing", authtest.Tamper(r.as.Mint(nil), authtest.Claims{"sub": "admin"}), signatureInvalid},
		{"unknown alg", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"alg": "XS999"}}), challengeFor("invalid_token", "The access token cannot be verified.", "")},
		{"duplicate claim", r.as.MintWith(authtest.MintOptions{Payload: []byte(`{"iss":"` + r.as.Issuer + `","sub":"a","sub":"admin","aud":"` + resourceID + `","exp":9999999999}`)}),
			challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"duplicate empty-named claim", r.as.MintWith(authtest.MintOptions{Payload: []byte(`{"iss":"` + r.as.Issuer + `","sub":"a","":1,"aud":"` + resourceID + `","":2,"exp":9999999999}`)}),
			challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"payload not JSON", r.as.MintWith(authtest.MintOptions{Payload: []byte("hello")}), challengeFor("invalid_token", "The access token is malformed.", "")},
		{"payload an array", r.as.MintWith(authtest.MintOptions{Payload: []byte(`[1]`)}), challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"jku header pointing elsewhere", r.as.MintWith(authtest.MintOptions{Key: other, Header: map[string]any{"jku": "http://127.0.0.1:1/evil", "kid": "evil"}}),
			challengeFor("invalid_token", "The access token was signed by an unknown key.", "")},
		{"kid with path traversal", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": "../../etc/passwd"}}),
			challengeFor("invalid_token", "The access token was signed by an unknown key.", "")},
		{"kid not a string", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": 42}}),
			challengeFor("invalid_token", "The access token's kid is not a string.", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			expect(t, r.bearer(tt.token), 401, tt.challenge)
			if r.calls.Load() != before {
				t.Fatal("handler ran")
			}
		})
	}
}
