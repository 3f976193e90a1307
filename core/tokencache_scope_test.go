package mcpauth_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

const otherResourceID = "https://mcp.example.com/other"

// TestTokenCacheProfiles: an entry serves only bearers of the same
// resource, leeway and token-type requirement.
func TestTokenCacheProfiles(t *testing.T) {
	clk := newClock()
	as := authtest.NewServer(&authtest.Options{Now: clk.Now})
	defer as.Close()
	resource := func(id string) mcpauth.ProtectedResource {
		return mcpauth.ProtectedResource{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: id},
			AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
		}
	}
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{resource(resourceID), resource(otherResourceID)},
		Logger:             quiet,
	}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	base := newBearer(t, auth, &mcpauth.BearerOptions{Resource: resourceID})
	tests := []struct {
		name   string
		opts   mcpauth.BearerOptions
		shared bool
	}{
		{"same resource, other scopes", mcpauth.BearerOptions{Resource: resourceID, RequiredScopes: []string{"read"}}, true},
		{"same resource, same leeway spelled out", mcpauth.BearerOptions{Resource: resourceID, Leeway: mcpauth.DefaultLeeway}, true},
		{"other resource", mcpauth.BearerOptions{Resource: otherResourceID}, false},
		{"other leeway", mcpauth.BearerOptions{Resource: resourceID, Leeway: time.Second}, false},
		{"token type required", mcpauth.BearerOptions{Resource: resourceID, RequireTokenType: true}, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := as.Mint(authtest.Claims{"aud": []string{resourceID, otherResourceID}, "scope": "read", "jti": fmt.Sprint(i)})
			before := mcpauth.Verifications(auth)
			if code := authCode(t, base, token); code != "" {
				t.Fatalf("base bearer: %s", code)
			}
			b := newBearer(t, auth, &tt.opts)
			for range 2 {
				if code := authCode(t, b, token); code != "" {
					t.Fatalf("refused: %s", code)
				}
			}
			want := before + 2
			if tt.shared {
				want = before + 1
			}
			wantVerifications(t, auth, want)
		})
	}
}

// TestTokenCacheChecksOnHit: a cached token still meets each bearer's
// audience, scope and policy checks.
func TestTokenCacheChecksOnHit(t *testing.T) {
	r := newRig(t, rigOptions{})
	token := r.as.Mint(authtest.Claims{"scope": "read"})
	expect(t, r.bearer(token), 200, "")
	policy := &mcpauth.ScopePolicy{Tools: map[string][]string{"delete": {"write"}}}
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete","arguments":{}}}`
	tests := []struct {
		name string
		opts mcpauth.BearerOptions
		body string
		want mcpauth.Code
	}{
		{"enough scopes", mcpauth.BearerOptions{RequiredScopes: []string{"read"}}, "", ""},
		{"missing scope", mcpauth.BearerOptions{RequiredScopes: []string{"write"}}, "", mcpauth.CodeMissingRequiredScopes},
		{"other audience", mcpauth.BearerOptions{Audiences: []string{"https://elsewhere.example.com"}}, "", mcpauth.CodeInvalidAudience},
		{"policy needs a scope", mcpauth.BearerOptions{Policy: policy}, call, mcpauth.CodeMissingRequiredScopes},
		{"token longer than allowed", mcpauth.BearerOptions{MaxTokenBytes: 100}, "", mcpauth.CodeInvalidToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBearer(t, r.auth, &tt.opts)
			req, _ := http.NewRequest(http.MethodPost, resourceID, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+token)
			_, err := b.Authenticate(req)
			var got mcpauth.Code
			if err != nil {
				got = asError(err).Code
			}
			if got != tt.want {
				t.Fatalf("code %q, want %q", got, tt.want)
			}
			wantVerifications(t, r.auth, 1)
		})
	}
}

// TestTokenCacheFreshIdentity: each request gets its own AuthInfo, with
// the request's token, even when it comes from the cache.
func TestTokenCacheFreshIdentity(t *testing.T) {
	r := newRig(t, rigOptions{})
	b := newBearer(t, r.auth, nil)
	token := r.as.Mint(nil)
	var infos []*mcpauth.AuthInfo
	for range 3 {
		req, _ := http.NewRequest(http.MethodGet, resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		info, err := b.Authenticate(req)
		if err != nil {
			t.Fatal(err)
		}
		if info.Token != token || info.Subject != "test-user" || info.Resource != resourceID {
			t.Fatalf("info %+v", info)
		}
		info.Subject = "changed by a handler"
		info.Token = ""
		infos = append(infos, info)
	}
	if infos[0] == infos[1] || infos[1] == infos[2] {
		t.Fatal("the same AuthInfo was returned twice")
	}
	wantVerifications(t, r.auth, 1)
}

// TestTokenCacheOtherVerifiers: a verifier other than the JWT one is
// called for every request.
func TestTokenCacheOtherVerifiers(t *testing.T) {
	r := newRig(t, rigOptions{})
	var calls atomic.Int64
	verifier := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		calls.Add(1)
		return &mcpauth.AuthInfo{Issuer: r.as.Issuer, Subject: "s", Audience: []string{resourceID}}, nil
	})
	b := newBearer(t, r.auth, &mcpauth.BearerOptions{Verifier: verifier})
	for range 3 {
		if code := authCode(t, b, "opaque-token"); code != "" {
			t.Fatal(code)
		}
	}
	if calls.Load() != 3 {
		t.Fatalf("%d verifier calls, want 3", calls.Load())
	}
	if n, _ := mcpauth.CachedTokens(r.auth); n != 0 {
		t.Fatalf("%d cached entries", n)
	}
}

// TestTokenCacheConcurrent exercises the cache from many goroutines with
// more tokens than it holds (for the race detector), while the key set is
// refetched underneath.
func TestTokenCacheConcurrent(t *testing.T) {
	r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.TokenCache.MaxEntries = 8 }})
	b := newBearer(t, r.auth, nil)
	tokens := make([]string, 16)
	for i := range tokens {
		tokens[i] = r.as.Mint(authtest.Claims{"jti": fmt.Sprint(i)})
	}
	expect(t, r.bearer(tokens[0]), 200, "") // the first fetch of the set
	next, _ := r.as.AddKey("EdDSA")
	fresh := r.as.MintWith(authtest.MintOptions{Key: next})
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	var wg sync.WaitGroup
	failures := make(chan mcpauth.Code, 8*100)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				token := tokens[(g*7+i)%len(tokens)]
				if i == 50 {
					token = fresh // the first of these refetches the set
				}
				req, _ := http.NewRequest(http.MethodGet, resourceID, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				if _, err := b.Authenticate(req); err != nil {
					failures <- asError(err).Code
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for code := range failures {
		t.Fatalf("refused: %s", code)
	}
	if n, _ := mcpauth.CachedTokens(r.auth); n > 8 {
		t.Fatalf("%d entries, want at most 8", n)
	}
	if n := r.jwksRequests(); n != 2 {
		t.Fatalf("%d JWKS fetches, want 2", n)
	}
}
