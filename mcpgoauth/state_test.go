package mcpgoauth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/mcpgoauth"
)

// requestOf returns the context of a request authenticated as sub.
func requestOf(t *testing.T, sub string) context.Context {
	t.Helper()
	_, ctx := authenticated(t, sub)
	return ctx
}

func TestStateBinder(t *testing.T) {
	b, err := mcpgoauth.NewStateBinder([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := requestOf(t, "alice"), requestOf(t, "bob")
	sealed, err := b.Seal(alice, "step-2 of the wizard")
	if err != nil {
		t.Fatal(err)
	}
	if state, err := b.Open(alice, sealed); err != nil || state != "step-2 of the wizard" {
		t.Fatalf("%q %v", state, err)
	}
	for name, tc := range map[string]struct {
		ctx    context.Context
		sealed string
	}{
		"another user":  {bob, sealed},
		"altered state": {alice, sealed[:strings.Index(sealed, ".")+1] + "c3RlcC0z"},
		"not sealed":    {alice, "step-2 of the wizard"},
		"empty":         {alice, ""},
	} {
		if _, err := b.Open(tc.ctx, tc.sealed); !errors.Is(err, mcpgoauth.ErrStateNotYours) {
			t.Errorf("%s: %v", name, err)
		}
	}
	other, _ := mcpgoauth.NewStateBinder([]byte(strings.Repeat("x", 32)))
	if _, err := other.Open(alice, sealed); !errors.Is(err, mcpgoauth.ErrStateNotYours) {
		t.Errorf("another key: %v", err)
	}
	if _, err := b.Seal(context.Background(), "x"); err == nil {
		t.Error("sealed without an identity")
	}
	if _, err := mcpgoauth.NewStateBinder([]byte("short")); err == nil {
		t.Error("a short key")
	}
	random, err := mcpgoauth.NewStateBinder(nil)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := random.Seal(alice, "x"); s == "" {
		t.Error("a random key")
	}
}

// authenticated passes a request bearing a token for sub through MCP Auth's
// middleware and returns the identity and the context handlers then get.
func authenticated(t *testing.T, sub string) (*mcpauth.AuthInfo, context.Context) {
	t.Helper()
	as := authtest.NewServer(&authtest.Options{Audience: "https://mcp.example.com/mcp"})
	t.Cleanup(as.Close)
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	var ctx context.Context
	h := auth.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { ctx = r.Context() }))
	req := httptest.NewRequest("POST", "https://mcp.example.com/mcp", nil)
	req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"sub": sub}))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if ctx == nil {
		t.Fatal("not authenticated")
	}
	return mcpgoauth.AuthInfo(ctx), ctx
}
