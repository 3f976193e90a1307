package mcpauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

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

// TestLegacyMetadataBackoff: in legacy mode, unauthenticated GETs of the
// authorization-server metadata the MCP server relays cause at most one
// fetch per backoff window while the authorization server is down.
func TestLegacyMetadataBackoff(t *testing.T) {
	as := authtest.NewServer(nil)
	defer as.Close()
	as.SetIntercept(func(w http.ResponseWriter, _ *http.Request) bool {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return true
	})
	clk := newClock()
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, Legacy: &mcpauth.LegacyServer{
		Server: mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeOAuth, nil), Audiences: []string{"api://todo"},
	}}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			rec := serveMetadata(auth, "GET", "/.well-known/oauth-authorization-server")
			if rec.Code != 503 || rec.Header().Get("Retry-After") != "30" {
				t.Errorf("status %d Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
			}
		})
	}
	wg.Wait()
	if n := as.TotalRequests(); n != 1 {
		t.Fatalf("%d fetches of the authorization server's metadata, want 1", n)
	}
	clk.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	serveMetadata(auth, "GET", "/.well-known/oauth-authorization-server")
	if n := as.TotalRequests(); n != 2 {
		t.Fatalf("%d fetches after the window, want 2", n)
	}
}
