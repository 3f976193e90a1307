package mcpauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestScopeHierarchy(t *testing.T) {
	r := newRig(t, rigOptions{
		bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"todos:read"}},
		resource: func(p *mcpauth.ProtectedResource) {
			p.ScopeHierarchy = mcpauth.ScopeHierarchy{
				"todos:admin": {"todos:write"},
				"todos:write": {"todos:read", "todos:create"},
			}
		},
	})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:read"})), 200, "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:write"})), 200, "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:admin"})), 200, "")
	info, _ := mcpauth.FromContext(r.lastReq.Load().Context())
	if !info.HasScopes("todos:create", "todos:read", "todos:write") || info.HasScopes("todos:delete") {
		t.Fatal("HasScopes does not follow the hierarchy")
	}
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:create"})), 403,
		challengeFor("insufficient_scope", "The access token lacks scopes this operation requires.", "todos:read"))
}

// TestCheckScopes: a per-route requirement adds to the middleware's, names
// every scope needed, and without a bearer middleware in front is a wiring
// mistake answered 500.
func TestCheckScopes(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "read"})), 200, "")
	info, _ := mcpauth.FromContext(r.lastReq.Load().Context())
	if err := mcpauth.CheckScopes(info, "read"); err != nil {
		t.Fatal(err)
	}
	err := mcpauth.CheckScopes(info, "write")
	e := asError(err)
	if e == nil || e.Code != mcpauth.CodeMissingRequiredScopes || strings.Join(e.RequiredScopes, " ") != "read write" || strings.Join(e.MissingScopes, " ") != "write" {
		t.Fatalf("%+v", e)
	}
	if err := mcpauth.CheckScopes(nil, "write"); !errors.Is(err, mcpauth.CodeServerError) {
		t.Fatalf("without a bearer middleware: %v", err)
	}
	rec := httptest.NewRecorder()
	mcpauth.RequireScopes("write")(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", resourceID, nil))
	if rec.Code != 500 {
		t.Fatalf("RequireScopes without a bearer middleware: %d", rec.Code)
	}
}
