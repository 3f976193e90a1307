package mcpauth_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestAlgorithms(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			r := newRig(t, rigOptions{as: &authtest.Options{Algorithm: alg}})
			expect(t, r.bearer(r.as.Mint(nil)), 200, "")
			// Without a kid, the key is found by its algorithm.
			expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": authtest.Delete}})), 200, "")
		})
	}
}

func TestKeyAlgorithmMismatch(t *testing.T) {
	r := newRig(t, rigOptions{as: &authtest.Options{Algorithm: "ES256"}})
	rsa, err := r.as.AddKey("RS256")
	if err != nil {
		t.Fatal(err)
	}
	es := r.as.SigningKey()
	// A token claiming PS256 but naming the RS256 key: the JWK's alg disagrees.
	mismatch := challengeFor("invalid_token", "The access token's algorithm does not match its key.", "")
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Key: rsa, Algorithm: "PS256", SigningKey: rsa.Private})), 401, mismatch)
	// A token naming the EC key with an RSA algorithm: wrong key type.
	rsa.OmitAlg = true
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Key: rsa, Algorithm: "RS256", Header: map[string]any{"kid": es.ID}})), 401, mismatch)
}

func TestIssuerRouting(t *testing.T) {
	clk := newClock()
	a := authtest.NewServer(&authtest.Options{Audience: resourceID, Now: clk.Now})
	b := authtest.NewServer(&authtest.Options{Audience: resourceID, Now: clk.Now})
	untrusted := authtest.NewServer(&authtest.Options{Audience: resourceID, Now: clk.Now})
	for _, s := range []*authtest.Server{a, b, untrusted} {
		t.Cleanup(s.Close)
	}
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID},
			AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(a)), mcpauth.DiscoverAuthServer(b.Issuer, "", nil)},
		}},
		Logger: quiet,
	}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	bearer, _ := auth.NewBearer(nil)
	check := func(token string) *mcpauth.Error {
		req, _ := http.NewRequest("GET", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		_, err := bearer.Authenticate(req)
		if err == nil {
			return nil
		}
		return asError(err)
	}
	if err := check(a.Mint(nil)); err != nil {
		t.Fatalf("A's token: %v", err)
	}
	if err := check(b.Mint(nil)); err != nil {
		t.Fatalf("B's token: %v", err)
	}
	t.Run("issuer B signed with A's key", func(t *testing.T) {
		token := a.Mint(authtest.Claims{"iss": b.Issuer})
		err := check(token)
		if err == nil || err.Code != mcpauth.CodeInvalidToken {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("untrusted issuer causes no request", func(t *testing.T) {
		a.ResetCounts()
		b.ResetCounts()
		err := check(untrusted.Mint(nil))
		if err == nil || err.Code != mcpauth.CodeInvalidIssuer || err.StatusCode() != 401 {
			t.Fatalf("err = %v", err)
		}
		if n := a.TotalRequests() + b.TotalRequests() + untrusted.TotalRequests(); n != 0 {
			t.Fatalf("%d requests made", n)
		}
	})
}

func TestUnknownKidRefresh(t *testing.T) {
	r := newRig(t, rigOptions{})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if r.jwksRequests() != 1 {
		t.Fatalf("%d JWKS fetches", r.jwksRequests())
	}
	// A new key appears after the minimum refresh interval: picked up on first use.
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	k, _ := r.as.AddKey("ES256")
	r.as.UseKey(k)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if r.jwksRequests() != 2 {
		t.Fatalf("%d JWKS fetches, want 2", r.jwksRequests())
	}
	// Cached keys answer without a fetch.
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if r.jwksRequests() != 2 {
		t.Fatalf("%d JWKS fetches, want 2", r.jwksRequests())
	}
	// Within the interval an unknown kid is refused without a fetch.
	k2, _ := r.as.AddKey("EdDSA")
	r.as.UseKey(k2)
	expect(t, r.bearer(r.as.Mint(nil)), 401, challengeFor("invalid_token", "The access token was signed by an unknown key.", ""))
	if r.jwksRequests() != 2 {
		t.Fatalf("%d JWKS fetches, want 2", r.jwksRequests())
	}
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if r.jwksRequests() != 3 {
		t.Fatalf("%d JWKS fetches, want 3", r.jwksRequests())
	}
}

func TestSameKidRotation(t *testing.T) {
	r := newRig(t, rigOptions{})
	old := r.as.Mint(nil)
	expect(t, r.bearer(old), 200, "")
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	if _, err := r.as.RotateKey(r.as.SigningKey().ID); err != nil {
		t.Fatal(err)
	}
	// Signature fails with the cached key, the set is refetched, the new key verifies.
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if r.jwksRequests() != 2 {
		t.Fatalf("%d JWKS fetches, want 2", r.jwksRequests())
	}
	// The old key is gone from the set: its tokens now fail.
	expect(t, r.bearer(old), 401, challengeFor("invalid_token", "The access token's signature is invalid.", ""))
}

func TestRetiredKey(t *testing.T) {
	r := newRig(t, rigOptions{})
	old := r.as.Mint(nil)
	expect(t, r.bearer(old), 200, "")
	k, _ := r.as.AddKey("RS256")
	r.as.UseKey(k)
	r.as.RetireKey("key-1")
	r.clock.Advance(mcpauth.DefaultJWKSRefreshInterval)
	// The set is stale: this request answers from the cache and refreshes in the background.
	expect(t, r.bearer(old), 200, "")
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	// The new key triggers a fetch if the background one has not happened yet;
	// either way, key-1 has left the set afterwards.
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	expect(t, r.bearer(old), 401, challengeFor("invalid_token", "The access token was signed by an unknown key.", ""))
}

func TestUnknownKidStorm(t *testing.T) {
	r := newRig(t, rigOptions{})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	stranger, _ := authtest.NewKey("stranger", "RS256")
	token := r.as.MintWith(authtest.MintOptions{Key: stranger})
	var wg sync.WaitGroup
	codes := make(chan int, 200)
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes <- r.bearer(token).Code
		}()
	}
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != 401 {
			t.Fatalf("status %d", c)
		}
	}
	if n := r.jwksRequests(); n != 2 {
		t.Fatalf("%d JWKS fetches for 200 unknown-kid requests, want 1 (+1 initial)", n)
	}
}

func TestJWKSDownAtStartThenUp(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		if req.URL.Path == r.as.Path("/jwks") {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	rec := r.bearer(r.as.Mint(nil))
	expect(t, rec, 503, "")
	if rec.Header().Get("Retry-After") != "30" {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
	r.clock.Advance(10 * time.Second)
	rec = r.bearer(r.as.Mint(nil))
	expect(t, rec, 503, "")
	if rec.Header().Get("Retry-After") != "20" || r.jwksRequests() != 1 {
		t.Fatalf("Retry-After %q after %d fetches", rec.Header().Get("Retry-After"), r.jwksRequests())
	}
	r.as.SetIntercept(nil)
	r.clock.Advance(20 * time.Second)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
}

func TestJWKSDownAfterKeysCached(t *testing.T) {
	r := newRig(t, rigOptions{})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	r.as.Stop()
	r.clock.Advance(mcpauth.DefaultJWKSRefreshInterval + time.Minute)
	for range 3 {
		expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	}
	// An unknown key while the key set cannot be fetched: cannot be checked now.
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	k, _ := r.as.AddKey("RS256")
	r.as.UseKey(k)
	rec := r.bearer(r.as.Mint(nil))
	expect(t, rec, 503, "")
	if err := r.as.Restart(); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
}

func TestSlowJWKSBoundedByTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.JWKS.FetchTimeout = 50 * time.Millisecond }})
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		select {
		case <-release:
		case <-req.Context().Done():
		}
		return true
	})
	expect(t, r.bearer(r.as.Mint(nil)), 503, "")

	// A request whose context ends stops waiting.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r.clock.Advance(time.Minute)
	req := r.newRequest(http.MethodPost, []string{"Bearer " + r.as.Mint(nil)}, "").WithContext(ctx)
	rec := r.send(req)
	if rec.Code != 503 {
		t.Fatalf("cancelled request: %d", rec.Code)
	}
}

func TestEmptyKeySet(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.as.RetireKey("key-1")
	expect(t, r.bearer(r.as.Mint(nil)), 401, challengeFor("invalid_token", "The access token was signed by an unknown key.", ""))
}

func TestGarbageKeySet(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		w.Write([]byte(`{"keys": "no"}`))
		return true
	})
	expect(t, r.bearer(r.as.Mint(nil)), 503, "")
}
