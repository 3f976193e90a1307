package mcpauth_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

type parentKey struct{}

// TestAuthenticateRequest: the request it returns carries the AuthInfo on a
// context that keeps the parent's values and cancellation.
func TestAuthenticateRequest(t *testing.T) {
	r := newRig(t, rigOptions{})
	b := newBearer(t, r.auth, nil)
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), parentKey{}, "parent value"))
	req, _ := http.NewRequestWithContext(parent, http.MethodGet, resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+r.as.Mint(nil))

	authed, info, err := adapter.Authenticate(b, http.Header{}, req)
	if err != nil {
		t.Fatal(err)
	}
	if authed == req || req.Context() != parent {
		t.Fatal("the original request was modified instead of copied")
	}
	ctx := authed.Context()
	got, ok := mcpauth.FromContext(ctx)
	if !ok || got != info || info.Subject != "test-user" || info.Token == "" {
		t.Fatalf("FromContext = %+v, %v", got, ok)
	}
	if ctx.Value(parentKey{}) != "parent value" {
		t.Fatal("the parent's value is lost")
	}
	// A context derived from it still sees the AuthInfo and the cancellation.
	child, stop := context.WithCancel(context.WithValue(ctx, parentKey{}, "shadowed"))
	defer stop()
	if got, _ := mcpauth.FromContext(child); got != info {
		t.Fatal("a derived context lost the AuthInfo")
	}
	cancel()
	<-child.Done()
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Fatalf("cancellation: %v, %v", ctx.Err(), child.Err())
	}
	// A second request gets its own AuthInfo.
	_, again, err := adapter.Authenticate(b, http.Header{}, req)
	if err != nil || again == info {
		t.Fatalf("second AuthInfo %p, first %p, err %v", again, info, err)
	}
}

func TestAuthenticateRequestRefused(t *testing.T) {
	r := newRig(t, rigOptions{})
	b := newBearer(t, r.auth, nil)
	req, _ := http.NewRequest(http.MethodGet, resourceID, nil)
	authed, info, err := adapter.Authenticate(b, http.Header{}, req)
	if authed != req || info != nil || !errors.Is(err, mcpauth.CodeMissingAuthHeader) {
		t.Fatalf("got %p (request %p), %v, %v", authed, req, info, err)
	}
	if _, ok := mcpauth.FromContext(authed.Context()); ok {
		t.Fatal("a refused request carries an AuthInfo")
	}
}

func TestUserID(t *testing.T) {
	for _, tt := range []struct {
		info mcpauth.AuthInfo
		want string
	}{
		{mcpauth.AuthInfo{Issuer: "https://a.example", Subject: "x", ClientID: "c", Token: "t"}, "https://a.example#sub=x"},
		{mcpauth.AuthInfo{Issuer: "https://a.example", ClientID: "x", Token: "t"}, "https://a.example#client_id=x"},
		// SHA-256("tok") in base64url.
		{mcpauth.AuthInfo{Issuer: "https://a.example", Token: "tok"}, "https://a.example#token-sha256=GnZ0607njffhrEOak8P6jjyUV4TU3sn9jjARc4svHWI"},
		{mcpauth.AuthInfo{Issuer: "https://a.example"}, ""},
	} {
		if got := tt.info.UserID(); got != tt.want {
			t.Errorf("UserID(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
	if (*mcpauth.AuthInfo)(nil).UserID() != "" {
		t.Error("nil")
	}
}
