package mcpauth_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

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

func TestHostileClaims(t *testing.T) {
	// The token size limit is raised so that the 5 MiB cases reach the parser.
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{MaxTokenBytes: 8 << 20}})
	key := r.as.SigningKey()
	stranger, err := authtest.NewKey(key.ID, key.Algorithm) // another key under the trusted kid
	if err != nil {
		t.Fatal(err)
	}
	header := []byte(`{"alg":"RS256","typ":"at+jwt","kid":"key-1"}`)
	signed := func(extra string) string { return signRaw(t, key, header, rawClaims(r, extra)) }
	withHeader := func(h string) string { return signRaw(t, key, []byte(h), rawClaims(r, "")) }
	withClaims := func(c authtest.Claims) string { return r.as.Mint(c) }
	nested := func(depth int) string { return `,"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) }
	fiveMiB := 5 << 20
	var manyMembers strings.Builder
	for i := 0; manyMembers.Len() < fiveMiB; i++ {
		fmt.Fprintf(&manyMembers, `,"m%d":0`, i)
	}

	malformed := invalidToken("The access token's claims are malformed.")
	badHeader := invalidToken("The access token's header is malformed.")
	badSignature := invalidToken("The access token's signature is invalid.")
	refuseAll(t, r, []hostileCase{
		// Nesting and size.
		{"claims nested 600 deep", signed(nested(600)), 401, malformed},
		// Deeper than encoding/json's own limit: refused before the claims are read.
		{"claims nested 20000 deep", signed(nested(20000)), 401, invalidToken("The access token is malformed.")},
		{"5 MiB of nesting", signed(nested(fiveMiB / 2)), 401, invalidToken("The access token is malformed.")},
		{"5 MiB string claim, another key", signRaw(t, stranger, header, rawClaims(r, `,"x":"`+strings.Repeat("x", fiveMiB)+`"`)), 401, badSignature},
		{"5 MiB of members, another key", signRaw(t, stranger, header, rawClaims(r, manyMembers.String())), 401, badSignature},
		// Duplicate members, which JSON decoders resolve differently.
		{"duplicate alg in the header", withHeader(`{"alg":"none","alg":"RS256","kid":"key-1"}`), 401, badHeader},
		{"duplicate kid in the header", withHeader(`{"alg":"RS256","kid":"other","kid":"key-1"}`), 401, badHeader},
		{"duplicate sub, one escaped", signed(`,"s\u0075b":"admin"`), 401, malformed},
		{"duplicate iss", signed(`,"iss":"https://evil.example.com"`), 401, malformed},
		{"duplicate exp", signed(`,"exp":99999999999`), 401, malformed},
		// Not UTF-8.
		{"non-UTF-8 in the header", withHeader("{\"alg\":\"RS256\",\"kid\":\"key-1\",\"x\":\"\xff\xfe\"}"), 401, badHeader},
		{"non-UTF-8 in the payload", signed(",\"name\":\"\xc3\x28\""), 401, malformed},
		{"non-UTF-8 in the Authorization header", r.as.Mint(nil) + "\xff", 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "")},
		// Numbers, objects and strings where others belong.
		{"iss a number", withClaims(authtest.Claims{"iss": 42}), 401, malformed},
		{"sub an object", withClaims(authtest.Claims{"sub": map[string]any{"id": "admin"}}), 401, malformed},
		{"nbf a string", withClaims(authtest.Claims{"nbf": "yesterday"}), 401, malformed},
		{"iat a boolean", withClaims(authtest.Claims{"iat": true}), 401, malformed},
		{"exp beyond any date", withClaims(authtest.Claims{"exp": 1e300}), 401, malformed},
		{"aud array holding a number", withClaims(authtest.Claims{"aud": []any{resourceID, 1}}), 401, malformed},
		{"scope an object", withClaims(authtest.Claims{"scope": map[string]any{"read": true}}), 401, malformed},
		{"azp an array", withClaims(authtest.Claims{"client_id": authtest.Delete, "azp": []string{"a"}}), 401, malformed},
	})
}

const entraClientID = "6e74172b-be56-4843-9ff4-e66a39bb12e3"

type providerCase struct {
	name      string
	alg       string
	header    map[string]any
	claims    func(as *authtest.Server, now time.Time) authtest.Claims
	configure func(pr *mcpauth.ProtectedResource, as *authtest.Server)
	bearer    *mcpauth.BearerOptions
	want      mcpauth.Code // "" means accepted
	check     func(t *testing.T, info *mcpauth.AuthInfo)
}

func (c providerCase) run(t *testing.T) {
	alg := c.alg
	if alg == "" {
		alg = "RS256"
	}
	as := authtest.NewServer(&authtest.Options{Algorithm: alg})
	t.Cleanup(as.Close)
	pr := mcpauth.ProtectedResource{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID},
		AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
	}
	if c.configure != nil {
		c.configure(&pr, as)
	}
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{pr}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	b, err := auth.NewBearer(c.bearer)
	if err != nil {
		t.Fatal(err)
	}
	claims := c.claims(as, time.Now())
	// Only the provider's own claims: drop authtest's defaults the case does not set.
	for _, k := range []string{"client_id", "jti", "aud"} {
		if _, ok := claims[k]; !ok {
			claims[k] = authtest.Delete
		}
	}
	token := as.MintWith(authtest.MintOptions{Claims: claims, Header: c.header})
	req := httptest.NewRequest("POST", resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	info, err := b.Authenticate(req)
	if c.want == "" {
		if err != nil {
			t.Fatalf("refused: %v", err)
		}
		if c.check != nil {
			c.check(t, info)
		}
		return
	}
	if err == nil || asError(err).Code != c.want {
		t.Fatalf("got %v, want %s", err, c.want)
	}
}

func scopes(want ...string) func(*testing.T, *mcpauth.AuthInfo) {
	return func(t *testing.T, info *mcpauth.AuthInfo) {
		if !slices.Equal(info.Scopes, want) {
			t.Errorf("scopes %q, want %q", info.Scopes, want)
		}
	}
}

func client(want string, more func(*testing.T, *mcpauth.AuthInfo)) func(*testing.T, *mcpauth.AuthInfo) {
	return func(t *testing.T, info *mcpauth.AuthInfo) {
		if info.ClientID != want {
			t.Errorf("client %q, want %q", info.ClientID, want)
		}
		if more != nil {
			more(t, info)
		}
	}
}

func TestProviderTokenShapes(t *testing.T) {
	entraV2 := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"aud": entraClientID, "iss": as.Issuer, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"azp": entraClientID, "scp": "access_as_user", "sub": "HKZpfaHyWadeOouYlitjrI", "tid": "72f988bf", "ver": "2.0"}
	}
	const stsIssuer = "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"
	entraV1 := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"aud": "api://" + entraClientID, "iss": stsIssuer, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"appid": entraClientID, "sub": "a365827a", "ver": "1.0"}
	}
	cognito := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"sub": "c0gn170", "token_use": "access", "scope": "default-m2m-resource-server-x/read", "iss": as.Issuer,
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "version": 2, "jti": "j", "client_id": "4pp-cl13nt"}
	}
	auth0 := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"iss": as.Issuer + "/", "sub": "auth0|123456", "aud": []string{resourceID, "https://tenant.auth0.com/userinfo"},
			"azp": "my_client_id", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "scope": "openid profile read:patients"}
	}
	okta := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"ver": 1, "jti": "AT.x", "iss": as.Issuer, "aud": "api://default", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"cid": "0oa1okta", "uid": "00u1", "scp": []string{"openid", "read"}, "sub": "user@example.com"}
	}
	keycloak := func(as *authtest.Server, now time.Time) authtest.Claims {
		return authtest.Claims{"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "jti": "onrtna:x", "iss": as.Issuer, "sub": "kc-user",
			"typ": "Bearer", "azp": "vscode-dcr-uuid", "scope": "openid profile", "realm_access": map[string]any{"roles": []string{"a"}}}
	}
	auth0Issuer := func(pr *mcpauth.ProtectedResource, as *authtest.Server) {
		cfg := manualConfig(as)
		cfg.Metadata.Issuer = as.Issuer + "/" // Auth0's issuer ends with a slash
		pr.AuthServers = []*mcpauth.AuthServer{mcpauth.NewAuthServer(cfg)}
	}
	cases := []providerCase{
		{name: "Entra ID v2.0 with the API's client ID as audience", header: map[string]any{"typ": "JWT"}, claims: entraV2,
			bearer: &mcpauth.BearerOptions{Audiences: []string{entraClientID, "api://" + entraClientID}},
			check:  client(entraClientID, scopes("access_as_user"))},
		{name: "Entra ID v2.0 without the Audiences option", header: map[string]any{"typ": "JWT"}, claims: entraV2, want: mcpauth.CodeInvalidAudience},
		{name: "Entra ID v1.0 issuer not trusted by the v2.0 metadata alone", header: map[string]any{"typ": "JWT"}, claims: entraV1,
			bearer: &mcpauth.BearerOptions{Audiences: []string{"api://" + entraClientID}}, want: mcpauth.CodeInvalidIssuer},
		{name: "Entra ID v1.0 with the sts.windows.net issuer trusted too", header: map[string]any{"typ": "JWT"}, claims: entraV1,
			configure: func(pr *mcpauth.ProtectedResource, as *authtest.Server) {
				v1 := manualConfig(as)
				v1.Metadata.Issuer = stsIssuer // same keys, the v1.0 issuer
				pr.AuthServers = append(pr.AuthServers, mcpauth.NewAuthServer(v1))
			},
			bearer: &mcpauth.BearerOptions{Audiences: []string{"api://" + entraClientID}}, check: client(entraClientID, scopes())},
		{name: "Cognito without aud is refused by default", header: map[string]any{"typ": authtest.Delete}, claims: cognito, want: mcpauth.CodeInvalidAudience},
		{name: "Cognito with NoAudienceClientIDs", header: map[string]any{"typ": authtest.Delete}, claims: cognito,
			configure: func(pr *mcpauth.ProtectedResource, _ *authtest.Server) {
				pr.NoAudienceClientIDs = []string{"4pp-cl13nt"}
			},
			check: client("4pp-cl13nt", scopes("default-m2m-resource-server-x/read"))},
		{name: "Auth0: issuer with a trailing slash, aud array, azp", header: map[string]any{"typ": "JWT"}, claims: auth0, configure: auth0Issuer,
			check: client("my_client_id", scopes("openid", "profile", "read:patients"))},
		{name: "Auth0: a token whose iss lacks the slash is another issuer", header: map[string]any{"typ": "JWT"}, configure: auth0Issuer,
			claims: func(as *authtest.Server, now time.Time) authtest.Claims {
				c := auth0(as, now)
				c["iss"] = as.Issuer
				return c
			}, want: mcpauth.CodeInvalidIssuer},
		{name: "Okta: scp array, cid, api://default audience", header: map[string]any{"typ": authtest.Delete}, claims: okta,
			bearer: &mcpauth.BearerOptions{Audiences: []string{"api://default"}}, check: client("0oa1okta", scopes("openid", "read"))},
		{name: "Okta without the Audiences option", header: map[string]any{"typ": authtest.Delete}, claims: okta, want: mcpauth.CodeInvalidAudience},
		{name: "Keycloak without an audience mapper, client allowed", header: map[string]any{"typ": "JWT"}, claims: keycloak,
			configure: func(pr *mcpauth.ProtectedResource, _ *authtest.Server) {
				pr.NoAudienceClientIDs = []string{"vscode-dcr-uuid"}
			},
			check: client("vscode-dcr-uuid", scopes("openid", "profile"))},
		{name: "Keycloak with aud account is not for this resource", header: map[string]any{"typ": "JWT"},
			claims: func(as *authtest.Server, now time.Time) authtest.Claims {
				c := keycloak(as, now)
				c["aud"] = "account"
				return c
			},
			configure: func(pr *mcpauth.ProtectedResource, _ *authtest.Server) {
				pr.NoAudienceClientIDs = []string{"vscode-dcr-uuid"}
			},
			want: mcpauth.CodeInvalidAudience},
		{name: "Logto: ES384, at+jwt, no scope claim", alg: "ES384", bearer: &mcpauth.BearerOptions{RequireTokenType: true},
			claims: func(as *authtest.Server, now time.Time) authtest.Claims {
				return authtest.Claims{"iss": as.Issuer, "sub": "logto-user", "aud": resourceID, "client_id": "logto-app", "jti": "j",
					"iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
			}, check: client("logto-app", scopes())},
		{name: "Hydra: typ JWT, aud and scp arrays, nbf", header: map[string]any{"typ": "JWT"},
			claims: func(as *authtest.Server, now time.Time) authtest.Claims {
				return authtest.Claims{"iss": as.Issuer, "sub": "hydra-client", "client_id": "hydra-client", "aud": []string{resourceID}, "scp": []string{"read", "write"},
					"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(), "jti": "j", "ext": map[string]any{}}
			}, check: client("hydra-client", scopes("read", "write"))},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}

// Google's access tokens are opaque: the JWT verifier cannot read them, a
// verifier function (asking Google's tokeninfo endpoint) can.
func TestOpaqueProviderTokens(t *testing.T) {
	const google = "ya29.a0AfH6SMBx-opaque-google-token"
	server := mcpauth.NewAuthServer(manualMetadata("https://accounts.google.com", "https://www.googleapis.com/oauth2/v3/certs"))
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	req := httptest.NewRequest("POST", resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+google)
	jwtBearer, _ := auth.NewBearer(nil)
	if _, err := jwtBearer.Authenticate(req); asError(err).Code != mcpauth.CodeInvalidToken {
		t.Fatalf("JWT verifier on an opaque token: %v", err)
	}
	tokeninfo := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		if token != google {
			return nil, &mcpauth.Error{Code: mcpauth.CodeInvalidToken, Description: "Unknown token."}
		}
		return &mcpauth.AuthInfo{Issuer: "https://accounts.google.com", Subject: "1234", Audience: []string{resourceID}, Scopes: []string{"openid"}}, nil
	})
	fnBearer, _ := auth.NewBearer(&mcpauth.BearerOptions{Verifier: tokeninfo})
	if info, err := fnBearer.Authenticate(req); err != nil || info.Subject != "1234" {
		t.Fatalf("verifier function: %v", err)
	}
	// GitHub publishes no jwks_uri: JWT mode is refused up front.
	gh := mcpauth.NewAuthServer(manualMetadata("https://github.com/login/oauth", ""))
	ghAuth, _ := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{gh}}}})
	defer ghAuth.Close()
	if _, err := ghAuth.NewBearer(nil); err == nil {
		t.Fatal("JWT mode accepted an authorization server without jwks_uri")
	}
}
