package mcpauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// A net/http MCP server protected by MCP Auth: the protected resource
// metadata at both well-known URLs, and bearer authentication with a
// required scope on the MCP endpoint.
func Example() {
	// An authorization server; in production, your provider's issuer URL.
	as := authtest.NewServer(nil)
	defer as.Close()

	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/mcp"

	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{
				Resource:        resource,
				ScopesSupported: []string{"read", "write"},
			},
			AuthServers: []*mcpauth.AuthServer{
				mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil),
			},
		}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer auth.Close()

	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context())
		fmt.Fprintf(w, "hello %s, scopes %v", info.Subject, info.Scopes)
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(&mcpauth.BearerOptions{RequiredScopes: []string{"read"}})(mcp))
	srv.Config.Handler = mux
	srv.Start()
	defer srv.Close()

	// Without a token: 401 and a challenge pointing at the resource metadata.
	resp, _ := http.Post(resource, "application/json", nil)
	resp.Body.Close()
	challenge := resp.Header.Get("WWW-Authenticate")
	fmt.Println(resp.StatusCode, strings.HasPrefix(challenge, `Bearer scope="read", resource_metadata="http://`))

	// The metadata names the authorization server.
	resp, _ = http.Get(strings.Replace(resource, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1))
	var doc strings.Builder
	io.Copy(&doc, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, strings.Contains(doc.String(), as.Issuer))

	// With a token issued for this resource.
	token := as.Mint(authtest.Claims{"aud": resource, "sub": "alice", "scope": "read"})
	req, _ := http.NewRequest(http.MethodPost, resource, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, _ = http.DefaultClient.Do(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// 401 true
	// 200 true
	// 200 hello alice, scopes [read]
}

// Step-up authorization: a tool that needs more than the base scope answers
// 403 insufficient_scope naming every scope the call needs.
func ExampleScopePolicy() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth, _ := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	defer auth.Close()
	protect := auth.Middleware(&mcpauth.BearerOptions{
		RequiredScopes: []string{"mcp"},
		Policy:         &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"create:todos"}}},
	})
	handler := protect(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))

	body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"x"}}}`
	req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"scope": "mcp"}))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	fmt.Println(rec.Header().Get("WWW-Authenticate"))
	// Output:
	// 403
	// Bearer error="insufficient_scope", error_description="The access token lacks scopes this operation requires.", scope="mcp create:todos", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
}

// An authorization server whose issuer has a path: the MCP order finds its
// OpenID Connect document at the third location.
func ExampleFetchServerConfig() {
	var issuer string
	as := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/tenant/.well-known/openid-configuration" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{
			"issuer":                           issuer,
			"authorization_endpoint":           issuer + "/authorize",
			"token_endpoint":                   issuer + "/token",
			"jwks_uri":                         issuer + "/jwks",
			"response_types_supported":         []string{"code"},
			"code_challenge_methods_supported": []string{"S256"},
		})
	}))
	defer as.Close()
	issuer = as.URL + "/tenant"

	cfg, err := mcpauth.FetchServerConfig(context.Background(), issuer, mcpauth.ServerTypeAuto, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("type:", cfg.Type)
	fmt.Println("jwks_uri found:", cfg.Metadata.JWKSURI == issuer+"/jwks")

	result := mcpauth.ValidateServerConfig(cfg, nil)
	fmt.Println("valid:", result.IsValid)
	for _, w := range result.Warnings {
		fmt.Println("warning:", w.Code)
	}
	// Output:
	// type: oidc
	// jwks_uri found: true
	// valid: true
	// warning: dynamic_registration_not_supported
	// warning: client_id_metadata_document_not_supported
}

// URLs tried for each discovery type.
func ExampleDiscoveryURLs() {
	for _, typ := range []mcpauth.ServerType{mcpauth.ServerTypeOAuth, mcpauth.ServerTypeOIDC, mcpauth.ServerTypeAuto} {
		urls, _ := mcpauth.DiscoveryURLs("https://auth.example.com/tenant1", typ)
		fmt.Println(typ, urls)
	}
	// Output:
	// oauth [https://auth.example.com/.well-known/oauth-authorization-server/tenant1]
	// oidc [https://auth.example.com/tenant1/.well-known/openid-configuration]
	// auto [https://auth.example.com/.well-known/oauth-authorization-server/tenant1 https://auth.example.com/.well-known/openid-configuration/tenant1 https://auth.example.com/tenant1/.well-known/openid-configuration]
}

// Manual metadata for a provider without discovery: no network at all.
func ExampleNewAuthServer() {
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{
		Type: mcpauth.ServerTypeOAuth,
		Metadata: mcpauth.AuthorizationServerMetadata{
			Issuer:                 "https://auth.example.com",
			AuthorizationEndpoint:  "https://auth.example.com/authorize",
			TokenEndpoint:          "https://auth.example.com/token",
			JWKSURI:                "https://auth.example.com/.well-known/jwks.json",
			ResponseTypesSupported: []string{"code"},
		},
	})
	defer server.Close()
	cfg, _ := server.Config(context.Background())
	fmt.Println(server.Issuer(), cfg.Metadata.JWKSURI)
	// Output: https://auth.example.com https://auth.example.com/.well-known/jwks.json
}

// exampleAuth configures MCP Auth for https://mcp.example.com/mcp, trusting
// the authorization server as.
func exampleAuth(as *authtest.Server) *mcpauth.Auth {
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		panic(err)
	}
	return auth
}

// Deciding on a request without the middleware: compile the options once
// with NewBearer, then Authenticate each request; a refusal is an *Error
// that WriteError answers with, and that errors.Is recognises by its code.
func ExampleAuth_NewBearer() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth := exampleAuth(as)
	defer auth.Close()
	bearer, err := auth.NewBearer(&mcpauth.BearerOptions{RequiredScopes: []string{"read"}})
	if err != nil {
		panic(err) // a mistake in the options, found at startup
	}
	for _, token := range []string{
		as.Mint(authtest.Claims{"sub": "alice", "scope": "read"}),
		as.Mint(authtest.Claims{"sub": "bob", "aud": "https://payments.example.com/api"}),
	} {
		req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		info, err := bearer.Authenticate(req)
		switch {
		case err == nil:
			fmt.Println("accepted:", info.Subject, info.Scopes)
		case errors.Is(err, mcpauth.CodeInvalidAudience):
			rec := httptest.NewRecorder()
			mcpauth.WriteError(rec, req, err)
			fmt.Println("refused:", rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}
	// Output:
	// accepted: alice [read]
	// refused: 401 Bearer error="invalid_token", error_description="The access token was not issued for this resource.", scope="read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
}

// An *Error knows how to answer: its status, its code (also on the wire as
// "error_code") and, for frameworks that render errors themselves, its JSON
// body.
func ExampleError() {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	defer as.Close()
	auth := exampleAuth(as)
	defer auth.Close()
	bearer, _ := auth.NewBearer(nil)
	_, err := bearer.Authenticate(httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil))
	var e *mcpauth.Error
	if errors.As(err, &e) {
		body, _ := e.MarshalJSON()
		fmt.Println(e.StatusCode(), e.Code, errors.Is(err, mcpauth.CodeMissingAuthHeader))
		fmt.Println(string(body))
	}
	// Output:
	// 401 missing_auth_header true
	// {"error_description":"An access token is required.","error_code":"missing_auth_header"}
}

// Opaque access tokens, verified by asking the authorization server (RFC
// 7662). The answer's issuer, audience, expiry and scopes are checked like a
// JWT's; answers are cached by the token's hash.
func ExampleNewIntrospectionVerifier() {
	as := authtest.NewServer(&authtest.Options{OpaqueTokens: true, Clients: []authtest.Client{{ID: "mcp-server", Secret: "s3cret"}}})
	defer as.Close()
	server := mcpauth.DiscoverAuthServer(as.Issuer, "", nil)
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{server},
	}}})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	verifier, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Server: server, ClientID: "mcp-server", ClientSecret: "s3cret"})
	if err != nil {
		panic(err)
	}
	handler := auth.Middleware(&mcpauth.BearerOptions{Verifier: verifier})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context())
		fmt.Println("client:", info.ClientID)
	}))

	// A client gets an opaque token for the resource (client credentials).
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {"https://mcp.example.com/mcp"}}
	req, _ := http.NewRequest(http.MethodPost, as.Issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("mcp-server", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()

	for _, token := range []string{tok.AccessToken, "opaque-never-issued"} {
		req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// client: mcp-server
	// 200
	// 401
}

// A verifier of your own, for tokens the library cannot verify itself (an
// API key, a provider's opaque token checked at its own endpoint). Return an
// *Error to refuse a token; any other error means the verifier failed (500).
// The issuer, audience, expiry and scope checks still apply to what it
// returns.
func ExampleVerifierFunc() {
	issuer := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: "https://keys.example.com", AuthorizationEndpoint: "https://keys.example.com/authorize",
		TokenEndpoint: "https://keys.example.com/token", ResponseTypesSupported: []string{"code"},
	}})
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{issuer},
	}}})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	keys := map[string]string{"key-123": "alice"}
	verify := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		user, ok := keys[token]
		if !ok {
			return nil, &mcpauth.Error{Code: mcpauth.CodeInvalidToken, Description: "Unknown API key."}
		}
		return &mcpauth.AuthInfo{Issuer: "https://keys.example.com", Subject: user, Audience: []string{"https://mcp.example.com/mcp"}, Scopes: []string{"read"}}, nil
	})
	handler := auth.Middleware(&mcpauth.BearerOptions{Verifier: verify, RequiredScopes: []string{"read"}})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := mcpauth.FromContext(r.Context())
			fmt.Println("hello", info.Subject)
		}))
	for _, key := range []string{"key-123", "key-000"} {
		req := httptest.NewRequest(http.MethodPost, "https://mcp.example.com/mcp", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(strings.TrimSpace(fmt.Sprint(rec.Code, " ", rec.Header().Get("WWW-Authenticate"))))
	}
	// Output:
	// hello alice
	// 200
	// 401 Bearer error="invalid_token", error_description="Unknown API key.", scope="read", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
}
