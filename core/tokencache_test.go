package mcpauth_test

import (
	"context"
	"encoding/base64"
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

// authCode authenticates a request bearing token with b and returns the
// refusal's code, or "" on success.
func authCode(t *testing.T, b *mcpauth.Bearer, token string) mcpauth.Code {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	info, err := b.Authenticate(req)
	if err != nil {
		return asError(err).Code
	}
	if info.Token != token {
		t.Fatalf("AuthInfo.Token = %q, want the request's token", info.Token)
	}
	return ""
}

func newBearer(t *testing.T, a *mcpauth.Auth, o *mcpauth.BearerOptions) *mcpauth.Bearer {
	t.Helper()
	b, err := a.NewBearer(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantVerifications fails unless the JWT verifier has run n times.
func wantVerifications(t *testing.T, a *mcpauth.Auth, n int64) {
	t.Helper()
	if got := mcpauth.Verifications(a); got != n {
		t.Fatalf("%d verifications, want %d", got, n)
	}
}

func TestTokenCacheHitsAndDisabled(t *testing.T) {
	tests := []struct {
		name    string
		cache   mcpauth.TokenCacheOptions
		want    int64 // verifications for 3 requests with one token
		entries int
	}{
		{"default", mcpauth.TokenCacheOptions{}, 1, 1},
		{"disabled", mcpauth.TokenCacheOptions{Disabled: true}, 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.TokenCache = tt.cache }})
			token := r.as.Mint(nil)
			for range 3 {
				expect(t, r.bearer(token), 200, "")
			}
			wantVerifications(t, r.auth, tt.want)
			if n, _ := mcpauth.CachedTokens(r.auth); n != tt.entries {
				t.Fatalf("%d entries", n)
			}
		})
	}
}

func TestTokenCacheExpiry(t *testing.T) {
	const leeway = 30 * time.Second
	tests := []struct {
		name     string
		lifetime time.Duration // of the token
		advance  time.Duration // from the first, verifying request
		status   int
		verified int64 // verifications after the second request
	}{
		{"before exp: hit", 10 * time.Minute, 4 * time.Minute, 200, 1},
		{"after exp, within leeway: verified again", 4 * time.Minute, 4*time.Minute + leeway/2, 200, 2},
		{"at exp plus leeway: refused", 4 * time.Minute, 4*time.Minute + leeway, 401, 2},
		{"default max age reached: verified again", time.Hour, mcpauth.DefaultTokenCacheMaxAge, 200, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{Leeway: leeway}})
			token := r.as.Mint(authtest.Claims{"exp": r.clock.Now().Add(tt.lifetime).Unix()})
			expect(t, r.bearer(token), 200, "")
			r.clock.Advance(tt.advance)
			rec := r.bearer(token)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			wantVerifications(t, r.auth, tt.verified)
		})
	}
}

func TestTokenCacheMaxAge(t *testing.T) {
	r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.TokenCache.MaxAge = time.Minute }})
	token := r.as.Mint(nil)
	steps := []struct {
		advance  time.Duration
		verified int64
	}{{0, 1}, {59 * time.Second, 1}, {time.Second, 2}, {30 * time.Second, 2}, {30 * time.Second, 3}}
	for i, s := range steps {
		r.clock.Advance(s.advance)
		expect(t, r.bearer(token), 200, "")
		if got := mcpauth.Verifications(r.auth); got != s.verified {
			t.Fatalf("step %d: %d verifications, want %d", i, got, s.verified)
		}
	}
}

func TestTokenCacheBounds(t *testing.T) {
	// Every token has the same claim-set size: one entry has this estimated size.
	claims := authtest.Claims{"jti": "0123456789abcdef01234567", "sub": "user-0"}
	probe := authtest.NewServer(&authtest.Options{Audience: resourceID})
	defer probe.Close()
	payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(probe.Mint(claims), ".")[1])
	entry := mcpauth.EntrySize(len(payload))
	tests := []struct {
		name       string
		cache      mcpauth.TokenCacheOptions
		maxEntries int
	}{
		{"entries", mcpauth.TokenCacheOptions{MaxEntries: 4}, 4},
		{"bytes", mcpauth.TokenCacheOptions{MaxBytes: 3*entry + entry/2}, 3},
		{"entry larger than MaxBytes", mcpauth.TokenCacheOptions{MaxBytes: 100}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.TokenCache = tt.cache }})
			var tokens []string
			for i := range 10 {
				claims["sub"] = fmt.Sprintf("user-%d", i)
				tokens = append(tokens, r.as.Mint(claims))
				expect(t, r.bearer(tokens[i]), 200, "")
				n, size := mcpauth.CachedTokens(r.auth)
				if n > tt.maxEntries || (tt.cache.MaxBytes > 0 && size > tt.cache.MaxBytes) {
					t.Fatalf("after %d tokens: %d entries of %d bytes", i+1, n, size)
				}
			}
			if n, _ := mcpauth.CachedTokens(r.auth); n != tt.maxEntries {
				t.Fatalf("%d entries, want %d", n, tt.maxEntries)
			}
			// The last token is cached, unless nothing fits.
			wantVerifications(t, r.auth, 10)
			expect(t, r.bearer(tokens[9]), 200, "")
			if tt.maxEntries > 0 {
				wantVerifications(t, r.auth, 10)
			} else {
				wantVerifications(t, r.auth, 11)
			}
		})
	}
}

func TestTokenCacheKeyLeavesSet(t *testing.T) {
	unknownKey := challengeFor("invalid_token", "The access token was signed by an unknown key.", "")
	badSignature := challengeFor("invalid_token", "The access token's signature is invalid.", "")
	tests := []struct {
		name     string
		change   func(r *rig) // changes the published set; the next request refetches it
		status   int
		verified int64 // of the cached token, after the refetch
	}{
		{"key retired", func(r *rig) { r.as.RetireKey("key-1") }, 401, 1},
		{"same kid, new key material", func(r *rig) { r.as.RotateKey("key-1") }, 401, 1},
		{"key kept", func(r *rig) {}, 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, rigOptions{})
			cached := r.as.Mint(nil)
			expect(t, r.bearer(cached), 200, "")
			next, _ := r.as.AddKey("ES256")
			tt.change(r)
			// Until the set is refetched, the cached token is still served.
			expect(t, r.bearer(cached), 200, "")
			wantVerifications(t, r.auth, 1)
			// A token of the new key refetches the set.
			r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
			expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Key: next})), 200, "")
			if r.jwksRequests() != 2 {
				t.Fatalf("%d JWKS fetches", r.jwksRequests())
			}
			rec := r.bearer(cached)
			if rec.Code != tt.status {
				t.Fatalf("cached token after the refetch: status %d, want %d", rec.Code, tt.status)
			}
			if tt.status == 401 {
				want := unknownKey
				if tt.name == "same kid, new key material" {
					want = badSignature
				}
				expect(t, rec, 401, want)
			}
			wantVerifications(t, r.auth, 2+tt.verified)
		})
	}
}

func TestTokenCacheHitStartsPeriodicRefresh(t *testing.T) {
	// MaxAge beyond the refresh interval, so that the stale set meets a hit.
	r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.TokenCache.MaxAge = time.Hour }})
	token := r.as.Mint(nil)
	expect(t, r.bearer(token), 200, "")
	r.as.RetireKey("key-1")
	next, _ := r.as.AddKey("RS256")
	fetches := make(chan struct{}, 4)
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		fetches <- struct{}{}
		return false
	})
	r.clock.Advance(mcpauth.DefaultJWKSRefreshInterval)
	// A hit on a stale set is answered at once and starts a background refetch.
	expect(t, r.bearer(token), 200, "")
	wantVerifications(t, r.auth, 1)
	select {
	case <-fetches:
	case <-waitCtx(t).Done():
		t.Fatal("no refetch after a hit on a stale key set")
	}
	// A token of the new key waits for that fetch (or finds its result).
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Key: next})), 200, "")
	if n := r.jwksRequests(); n != 2 {
		t.Fatalf("%d JWKS fetches, want 2", n)
	}
	expect(t, r.bearer(token), 401, challengeFor("invalid_token", "The access token was signed by an unknown key.", ""))
}

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
