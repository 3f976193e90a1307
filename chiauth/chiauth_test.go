package chiauth_test

import (
	"net/http"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	"github.com/mcp-auth/go/core/adaptertest"
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

// The metadata router mounted on its own serves the same documents.
func TestMetadataRouter(t *testing.T) {
	adaptertest.Run(t, func(t testing.TB, s *adaptertest.Setup) http.Handler {
		r := chi.NewRouter()
		r.Mount("/.well-known", chiauth.MetadataRouter(s.Auth))
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
		"chiauth.MetadataRouter":   func() { chiauth.MetadataRouter(nil) },
	})
}
