package mcpauth_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
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
