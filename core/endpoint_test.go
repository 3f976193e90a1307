package mcpauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
	"github.com/mcp-auth/go/core/authtest"
)

func serveMetadata(auth *mcpauth.Auth, method, path string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	auth.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(method, "https://mcp.example.com"+path, nil))
	return rec
}

func TestMetadataEndpoint(t *testing.T) {
	r := newRig(t, rigOptions{resource: func(p *mcpauth.ProtectedResource) {
		p.Metadata.ResourceName = "Todo MCP"
		p.Metadata.ResourceDocumentation = "https://mcp.example.com/docs"
	}})
	want := `{"resource":"https://mcp.example.com/mcp","authorization_servers":["` + r.as.Issuer + `"],"scopes_supported":["read","write"],"bearer_methods_supported":["header"],"resource_name":"Todo MCP","resource_documentation":"https://mcp.example.com/docs"}`
	for _, path := range []string{"/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"} {
		t.Run("GET "+path, func(t *testing.T) {
			rec := serveMetadata(r.auth, "GET", path)
			if rec.Code != 200 || rec.Body.String() != want {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			h := rec.Header()
			if h.Get("Content-Type") != "application/json" || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Content-Length") != "" && h.Get("Content-Length") != strconv.Itoa(len(want)) {
				t.Fatalf("headers %v", h)
			}
		})
		t.Run("HEAD "+path, func(t *testing.T) {
			rec := serveMetadata(r.auth, "HEAD", path)
			if rec.Code != 200 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != strconv.Itoa(len(want)) {
				t.Fatalf("%d %q %v", rec.Code, rec.Body, rec.Header())
			}
		})
		t.Run("OPTIONS "+path, func(t *testing.T) {
			rec := serveMetadata(r.auth, "OPTIONS", path)
			h := rec.Header()
			if rec.Code != 204 || rec.Body.Len() != 0 || h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Methods") != "GET, HEAD, OPTIONS" {
				t.Fatalf("%d %v", rec.Code, h)
			}
		})
		t.Run("POST "+path, func(t *testing.T) {
			rec := serveMetadata(r.auth, "POST", path)
			if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD, OPTIONS" {
				t.Fatalf("%d %v", rec.Code, rec.Header())
			}
		})
	}
	if rec := serveMetadata(r.auth, "GET", "/.well-known/oauth-protected-resource/other"); rec.Code != 404 {
		t.Fatalf("unknown path: %d", rec.Code)
	}
	routes := adapter.MetadataRoutes(r.auth)
	if len(routes) != 2 || routes[0].Path != "/.well-known/oauth-protected-resource/mcp" || routes[1].Path != "/.well-known/oauth-protected-resource" {
		t.Fatalf("routes %+v", routes)
	}
	if u, _ := mcpauth.ResourceMetadataURL(resourceID); u != resourceMetadata {
		t.Fatalf("metadata URL %q", u)
	}
	// The document served is where challenges point.
	expect(t, r.request("GET", nil, ""), 401, `Bearer resource_metadata="`+resourceMetadata+`"`)
}

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

func TestConfigErrors(t *testing.T) {
	as := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://auth.example.com", JWKSURI: "https://auth.example.com/jwks"}})
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
		noKeys := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://github.com/login/oauth"}})
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

func TestNewDoesNotTouchTheNetwork(t *testing.T) {
	as := authtest.NewServer(nil)
	as.Stop() // down
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	if _, err := auth.NewBearer(nil); err != nil {
		t.Fatal(err)
	}
	if as.TotalRequests() != 0 {
		t.Fatal("requests made")
	}
}

func TestLazyDiscoveryFailures(t *testing.T) {
	t.Run("server down: 503, then works without a restart", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true})
		token := r.as.Mint(nil)
		r.as.Stop()
		rec := r.bearer(token)
		expect(t, rec, 503, "")
		if rec.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		if err := r.as.Restart(); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
		expect(t, r.bearer(token), 200, "")
	})
	t.Run("issuer mismatch: 500", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { doc["issuer"] = "https://impostor.example.com" }}})
		rec := r.bearer(r.as.Mint(nil))
		expect(t, rec, 500, "")
		if strings.Contains(rec.Body.String(), "impostor") {
			t.Fatalf("internal error text sent: %s", rec.Body)
		}
	})
	t.Run("no jwks_uri discovered: 500", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { delete(doc, "jwks_uri") }}})
		expect(t, r.bearer(r.as.Mint(nil)), 500, "")
	})
	t.Run("discovery order: OIDC only at a path issuer", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Path: "/tenant", Locations: []authtest.Location{authtest.OIDCAppend}}})
		expect(t, r.bearer(r.as.Mint(nil)), 200, "")
		for _, p := range []string{"/.well-known/oauth-authorization-server/tenant", "/.well-known/openid-configuration/tenant", "/tenant/.well-known/openid-configuration"} {
			if r.as.Requests(p) != 1 {
				t.Errorf("%s requested %d times", p, r.as.Requests(p))
			}
		}
	})
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

func TestCloseStopsGoroutines(t *testing.T) {
	r := newRig(t, rigOptions{lazy: true, config: func(c *mcpauth.Config) { c.JWKS.FetchTimeout = 5 * time.Second }})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	// Leave a key-set fetch hanging, then close.
	release := make(chan struct{})
	defer close(release)
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		select {
		case <-release:
		case <-req.Context().Done():
		}
		return true
	})
	r.clock.Advance(mcpauth.DefaultJWKSRefreshInterval)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "") // starts a background refresh
	if libraryGoroutines() == "" {
		t.Fatal("the check sees no background refresh before Close")
	}
	r.auth.Close()
	// Close waited for every goroutine to finish its work; let those still
	// unwinding (deferred calls after Done) exit before looking.
	for i := 0; i < 10000 && libraryGoroutines() != ""; i++ {
		runtime.Gosched()
	}
	if stacks := libraryGoroutines(); stacks != "" {
		t.Fatalf("goroutines left after Close:\n%s", stacks)
	}
	// After Close, requests are still answered (here from the cached keys).
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
}

// libraryGoroutines returns the stacks of goroutines running library code.
func libraryGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "mcp-auth/go/core.(*") && !strings.Contains(g, "_test.go") && !strings.Contains(g, "testing.tRunner") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}

func TestEscapedResourcePath(t *testing.T) {
	as := authtest.NewServer(nil)
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/caf%C3%A9"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	routes := adapter.MetadataRoutes(auth)
	if routes[0].Path != "/.well-known/oauth-protected-resource/café" || routes[0].EscapedPath != "/.well-known/oauth-protected-resource/caf%C3%A9" {
		t.Fatalf("route %+v", routes[0])
	}
	if u, _ := mcpauth.ResourceMetadataURL("https://mcp.example.com/caf%C3%A9"); u != "https://mcp.example.com/.well-known/oauth-protected-resource/caf%C3%A9" {
		t.Fatalf("metadata URL %q", u)
	}
	// A router matching decoded paths (net/http's ServeMux) serves it at Path.
	mux := http.NewServeMux()
	mux.Handle(routes[0].Path, routes[0].Handler)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "https://mcp.example.com/.well-known/oauth-protected-resource/caf%C3%A9", nil))
	if rec.Code != 200 {
		t.Fatalf("ServeMux with the route's Path: %d", rec.Code)
	}
}

func TestRootResourceServedAtRoot(t *testing.T) {
	as := authtest.NewServer(nil)
	defer as.Close()
	a := mcpauth.NewAuthServer(manualConfig(as))
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{
		{Metadata: mcpauth.ProtectedResourceMetadata{Resource: "https://api.example.com/mcp"}, AuthServers: []*mcpauth.AuthServer{a}},
		{Metadata: mcpauth.ProtectedResourceMetadata{Resource: "https://api.example.com"}, AuthServers: []*mcpauth.AuthServer{a}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	for path, res := range map[string]string{
		"/.well-known/oauth-protected-resource/mcp": "https://api.example.com/mcp",
		"/.well-known/oauth-protected-resource":     "https://api.example.com",
	} {
		rec := serveMetadata(auth, "GET", path)
		var doc mcpauth.ProtectedResourceMetadata
		if rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &doc) != nil || doc.Resource != res {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}
