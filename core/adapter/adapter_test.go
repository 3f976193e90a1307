package adapter_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
	"github.com/mcp-auth/go/core/authtest"
)

const resource = "https://mcp.example.com/mcp"

func setup(t *testing.T) (*authtest.Server, *mcpauth.Auth) {
	as := authtest.NewServer(&authtest.Options{Audience: resource})
	t.Cleanup(as.Close)
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	return as, auth
}

func TestAuthenticate(t *testing.T) {
	as, auth := setup(t)
	b, err := auth.NewBearer(nil)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("POST", resource, nil)
	if got, info, err := adapter.Authenticate(b, http.Header{}, req); got != req || info != nil || !errors.Is(err, mcpauth.CodeMissingAuthHeader) {
		t.Fatalf("no token: %p (request %p), %v, %v", got, req, info, err)
	}
	req.Header.Set("Authorization", "Bearer "+as.Mint(nil))
	got, info, err := adapter.Authenticate(b, http.Header{}, req)
	if err != nil || got == req || info == nil || info.Subject != "test-user" {
		t.Fatalf("%v %v", info, err)
	}
	if ctxInfo, ok := mcpauth.FromContext(got.Context()); !ok || ctxInfo != info {
		t.Fatal("the request passed on does not carry the identity")
	}
}

func TestRefusal(t *testing.T) {
	as, auth := setup(t)
	b, _ := auth.NewBearer(nil)
	req := httptest.NewRequest("POST", resource, nil)
	req.Header.Set("Origin", "https://app.example.com")
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"aud": "https://other.example.com"}))
	_, err := b.Authenticate(req)
	h := http.Header{}
	e := adapter.Refusal(err, h, req)
	if e.Code != mcpauth.CodeInvalidAudience || e.StatusCode() != 401 {
		t.Fatalf("%+v", e)
	}
	// The same headers as WriteError's.
	rec := httptest.NewRecorder()
	mcpauth.WriteError(rec, req, err)
	for _, name := range []string{"WWW-Authenticate", "Access-Control-Expose-Headers", "Content-Type", "Cache-Control"} {
		if h.Get(name) == "" || h.Get(name) != rec.Header().Get(name) {
			t.Errorf("%s: %q, WriteError %q", name, h.Get(name), rec.Header().Get(name))
		}
	}
	// Any other error is a 500 whose text is never sent.
	h = http.Header{}
	e = adapter.Refusal(errors.New("database password wrong"), h, req)
	body, _ := e.MarshalJSON()
	if e.StatusCode() != 500 || h.Get("WWW-Authenticate") != "" || strings.Contains(string(body), "password") {
		t.Fatalf("%d %v %s", e.StatusCode(), h, body)
	}
}

func TestMetadataRoutes(t *testing.T) {
	_, auth := setup(t)
	routes := adapter.MetadataRoutes(auth)
	if len(routes) != 2 || routes[0].Path != "/.well-known/oauth-protected-resource/mcp" || routes[1].Path != "/.well-known/oauth-protected-resource" {
		t.Fatalf("%+v", routes)
	}
	for _, r := range routes {
		rec := httptest.NewRecorder()
		r.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "https://mcp.example.com"+r.EscapedPath, nil))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"resource":"`+resource+`"`) {
			t.Errorf("%s: %d %s", r.Path, rec.Code, rec.Body)
		}
		rec = httptest.NewRecorder()
		r.Handler.ServeHTTP(rec, httptest.NewRequest("DELETE", "https://mcp.example.com"+r.EscapedPath, nil))
		if rec.Code != 405 || rec.Header().Get("Allow") != adapter.MetadataMethods {
			t.Errorf("%s DELETE: %d Allow %q", r.Path, rec.Code, rec.Header().Get("Allow"))
		}
	}
}
