package chiauth_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
)

func newServer(t testing.TB, s *adaptertest.Setup) http.Handler {
	r := chi.NewRouter()
	chiauth.RegisterMetadata(r, s.Auth)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Handler(w, r, chiauth.AuthInfo(r)) })
	r.Group(func(r chi.Router) {
		r.Use(chiauth.BearerAuth(s.Auth, s.Options))
		r.Handle(adaptertest.PathMCP, handler)
		r.With(chiauth.RequireScopes(adaptertest.RouteScopes...)).Handle(adaptertest.PathWrite, handler)
	})
	return r
}

func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, newServer)
}

// The router mounted at /.well-known serves the same documents.
func TestRouter(t *testing.T) {
	adaptertest.Run(t, func(t testing.TB, s *adaptertest.Setup) http.Handler {
		r := chi.NewRouter()
		r.Mount("/.well-known", chiauth.Router(s.Auth))
		handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Handler(w, r, chiauth.AuthInfo(r)) })
		r.With(chiauth.BearerAuth(s.Auth, s.Options)).Handle(adaptertest.PathMCP, handler)
		r.With(chiauth.BearerAuth(s.Auth, s.Options), chiauth.RequireScopes(adaptertest.RouteScopes...)).Handle(adaptertest.PathWrite, handler)
		return r
	})
}

func TestNilAuth(t *testing.T) {
	adaptertest.WiringPanics(t, map[string]func(){
		"chiauth.BearerAuth":       func() { chiauth.BearerAuth(nil, nil) },
		"chiauth.RegisterMetadata": func() { chiauth.RegisterMetadata(chi.NewRouter(), nil) },
		"chiauth.Router":           func() { chiauth.Router(nil) },
	})
}

// TestRouterBesideOtherWellKnownRoutes: mounting the router does not panic
// when the application already routes other /.well-known/ paths, and both
// keep answering.
func TestRouterBesideOtherWellKnownRoutes(t *testing.T) {
	as := authtest.NewServer(&authtest.Options{Audience: adaptertest.Resource})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: adaptertest.Resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	r := chi.NewRouter()
	r.Get("/.well-known/security.txt", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Contact: x") })
	r.Get("/.well-known/acme-challenge/{token}", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, chi.URLParam(r, "token")) })
	r.Mount("/.well-known", chiauth.Router(auth))
	for path, want := range map[string]string{
		"/.well-known/security.txt":                 "Contact: x",
		"/.well-known/acme-challenge/abc":           "abc",
		"/.well-known/oauth-protected-resource/mcp": `"resource":"` + adaptertest.Resource + `"`,
		"/.well-known/oauth-protected-resource":     `"resource":"` + adaptertest.Resource + `"`,
		"/.well-known/oauth-authorization-server":   "404 page not found",
	} {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest("GET", "https://mcp.example.com"+path, nil))
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s: %d %s", path, rec.Code, rec.Body)
		}
	}
}
