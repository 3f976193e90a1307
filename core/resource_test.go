package mcpauth_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestSeveralResources(t *testing.T) {
	as := authtest.NewServer(nil)
	defer as.Close()
	a := mcpauth.NewAuthServer(manualConfig(as))
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{
		{Metadata: mcpauth.ProtectedResourceMetadata{Resource: "https://api.example.com/notes"}, AuthServers: []*mcpauth.AuthServer{a}},
		{Metadata: mcpauth.ProtectedResourceMetadata{Resource: "https://api.example.com/todos/"}, AuthServers: []*mcpauth.AuthServer{a}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	for path, res := range map[string]string{
		"/.well-known/oauth-protected-resource/notes":  "https://api.example.com/notes",
		"/.well-known/oauth-protected-resource/todos/": "https://api.example.com/todos/",
	} {
		rec := serveMetadata(auth, "GET", path)
		var doc mcpauth.ProtectedResourceMetadata
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Resource != res {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
	if rec := serveMetadata(auth, "GET", "/.well-known/oauth-protected-resource"); rec.Code != 404 {
		t.Fatalf("root served for two resources at paths: %d", rec.Code)
	}
	if _, err := auth.NewBearer(nil); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("no resource named: %v", err)
	}
	if _, err := auth.NewBearer(&mcpauth.BearerOptions{Resource: "https://api.example.com/other"}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("unknown resource: %v", err)
	}
	b, err := auth.NewBearer(&mcpauth.BearerOptions{Resource: "https://API.example.com/todos"})
	if err != nil {
		t.Fatalf("canonical resource name: %v", err)
	}
	// A token for /notes is refused at /todos/.
	req := httptest.NewRequest("GET", "https://api.example.com/todos/", nil)
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"aud": "https://api.example.com/notes"}))
	if _, err := b.Authenticate(req); !errors.Is(err, mcpauth.CodeInvalidAudience) {
		t.Fatalf("cross-resource token: %v", err)
	}
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"aud": "https://api.example.com/todos/"}))
	if _, err := b.Authenticate(req); err != nil {
		t.Fatal(err)
	}
}

func TestLegacyMode(t *testing.T) {
	as := authtest.NewServer(&authtest.Options{Scopes: []string{"read"}, Audience: "api://todo"})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, Legacy: &mcpauth.LegacyServer{
		Server:    mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeOAuth, nil),
		Audiences: []string{"api://todo"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	rec := serveMetadata(auth, "GET", "/.well-known/oauth-authorization-server")
	var doc map[string]any
	if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc["issuer"] != as.Issuer || doc["jwks_uri"] != as.Issuer+"/jwks" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Fatal("no CORS")
	}
	if rec := serveMetadata(auth, "GET", "/.well-known/oauth-protected-resource"); rec.Code != 404 {
		t.Fatalf("resource metadata served in legacy mode: %d", rec.Code)
	}
	do := legacyClient(auth.Middleware(&mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
	expect(t, do(""), 401, `Bearer scope="read"`)
	expect(t, do(as.Mint(authtest.Claims{"scope": "read"})), 200, "")
	expect(t, do(as.Mint(authtest.Claims{"aud": "whatever", "scope": "read"})), 401,
		`Bearer error="invalid_token", error_description="The access token was not issued for this resource.", scope="read"`)
	expect(t, do(as.Mint(authtest.Claims{"scope": "write"})), 403, `Bearer error="insufficient_scope", error_description="The access token lacks scopes this operation requires.", scope="read"`)
	// BearerOptions.Audiences overrides the legacy server's.
	other, err := auth.NewBearer(&mcpauth.BearerOptions{Audiences: []string{"api://other"}})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", "http://127.0.0.1/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+as.Mint(nil))
	if _, err := other.Authenticate(req); !errors.Is(err, mcpauth.CodeInvalidAudience) {
		t.Fatalf("configured audience not checked: %v", err)
	}
	if _, err := auth.NewBearer(&mcpauth.BearerOptions{Resource: resourceID}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatal("a resource named in legacy mode")
	}
}

// legacyClient sends a POST through h with token (none when "").
func legacyClient(mw func(http.Handler) http.Handler) func(token string) *httptest.ResponseRecorder {
	handler := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	return func(token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "http://127.0.0.1/mcp", nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		return rec
	}
}

// TestLegacyModeAudience: legacy mode, which has no resource identifier,
// requires the audience its tokens must carry. Without it, New fails naming
// the option; with it, an ID token of another client, an access token for
// another API and a logout token are refused. The loudly named opt-out
// accepts any audience, logs a warning, and still refuses tokens that are
// not access tokens.
func TestLegacyModeAudience(t *testing.T) {
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com"})
	defer as.Close()
	server := mcpauth.NewAuthServer(manualConfig(as))
	_, err := mcpauth.New(mcpauth.Config{Logger: quiet, Legacy: &mcpauth.LegacyServer{Server: server}})
	if !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), "Legacy.Audiences") || !strings.Contains(err.Error(), "Legacy.InsecureAcceptAnyAudience") {
		t.Fatalf("legacy mode without audiences: %v", err)
	}
	if _, err := mcpauth.New(mcpauth.Config{Logger: quiet, Legacy: &mcpauth.LegacyServer{Server: server, Audiences: []string{""}}}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("an empty audience: %v", err)
	}
	idToken := as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "JWT"}, Claims: authtest.Claims{"aud": "unrelated-client", "azp": "unrelated-client", "nonce": "n"}})
	payments := as.Mint(authtest.Claims{"aud": "https://payments.example.com/api", "scope": "payments"})
	logout := as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "logout+jwt"}, Claims: authtest.Claims{"events": map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}}})
	wrongAudience := `Bearer error="invalid_token", error_description="The access token was not issued for this resource."`
	notAccess := `Bearer error="invalid_token", error_description="The token is not an access token."`

	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, Legacy: &mcpauth.LegacyServer{Server: server, Audiences: []string{"https://mcp.example.com/"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	do := legacyClient(auth.Middleware(nil))
	expect(t, do(as.Mint(nil)), 200, "")
	expect(t, do(idToken), 401, wrongAudience)
	expect(t, do(payments), 401, wrongAudience)
	expect(t, do(logout), 401, notAccess)

	var logs strings.Builder
	anyAud, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Legacy: &mcpauth.LegacyServer{Server: server, InsecureAcceptAnyAudience: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer anyAud.Close()
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "InsecureAcceptAnyAudience") {
		t.Fatalf("no warning for the opt-out: %s", logs.String())
	}
	do = legacyClient(anyAud.Middleware(nil))
	expect(t, do(payments), 200, "")
	expect(t, do(logout), 401, notAccess)
}

func TestNoAudienceClientIDs(t *testing.T) {
	r := newRig(t, rigOptions{resource: func(p *mcpauth.ProtectedResource) { p.NoAudienceClientIDs = []string{"cognito-app"} }})
	noAud := authtest.Claims{"aud": authtest.Delete, "client_id": "cognito-app"}
	expect(t, r.bearer(r.as.Mint(noAud)), 200, "")
	wrongAud := challengeFor("invalid_token", "The access token was not issued for this resource.", "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"aud": authtest.Delete, "client_id": "other-app"})), 401, wrongAud)
	// A token that names another audience is refused even for an allowed client.
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"aud": "https://other.example.com", "client_id": "cognito-app"})), 401, wrongAud)
	// Off by default.
	r2 := newRig(t, rigOptions{})
	expect(t, r2.bearer(r2.as.Mint(noAud)), 401, wrongAud)
}
