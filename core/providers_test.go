package mcpauth_test

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// Real providers' access-token shapes (../shared/fixtures/access-token-shapes.md),
// minted by authtest with each provider's claim layout, accepted or refused
// as the README's provider section says, with the options it documents.

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
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: "https://accounts.google.com", JWKSURI: "https://www.googleapis.com/oauth2/v3/certs"}})
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
	gh := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://github.com/login/oauth"}})
	ghAuth, _ := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{gh}}}})
	defer ghAuth.Close()
	if _, err := ghAuth.NewBearer(nil); err == nil {
		t.Fatal("JWT mode accepted an authorization server without jwks_uri")
	}
}
