package mcpauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestKeyAlgorithms(t *testing.T) {
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

func TestHostileKid(t *testing.T) {
	r := newRig(t, rigOptions{})
	junk := strings.Repeat(`../\%00ÿ!`, 1024) // 10 KiB
	withKid := func(kid string) string {
		return r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": kid}})
	}
	unknownKey := invalidToken("The access token was signed by an unknown key.")
	refuseAll(t, r, []hostileCase{
		{"10 KiB of junk", withKid(junk), 401, unknownKey},
		{"absolute path", withKid("/etc/passwd"), 401, unknownKey},
		{"backslash traversal", withKid(`..\..\windows\win.ini`), 401, unknownKey},
		{"file URL", withKid("file:///etc/passwd"), 401, unknownKey},
		{"traversal back to the real kid", withKid("x/../key-1"), 401, unknownKey},
		{"URL-encoded traversal", withKid("..%2f..%2fkey-1"), 401, unknownKey},
		{"trailing NUL", withKid("key-1\x00"), 401, unknownKey},
		{"another case", withKid("KEY-1"), 401, unknownKey},
		{"empty", withKid(""), 401, unknownKey},
	})
	if n := r.jwksRequests(); n != 1 {
		t.Errorf("%d fetches of the key set, want 1 (refetches are rate-limited)", n)
	}
}

// misbehave makes r's server answer the requests for paths with h; a nil h
// restores normal service.
func misbehave(r *rig, paths []string, h http.HandlerFunc) {
	if h == nil {
		r.as.SetIntercept(nil)
		return
	}
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		if !slices.Contains(paths, req.URL.Path) {
			return false
		}
		h(w, req)
		return true
	})
}

// writeBody answers with a 200 and body.
func writeBody(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(body)) }
}

// endless sends a 200 and the start of a body, then nothing more until the
// client gives up (or the test ends).
func endless(t *testing.T) http.HandlerFunc {
	done := make(chan struct{})
	t.Cleanup(func() { close(done) })
	return func(w http.ResponseWriter, req *http.Request) {
		w.Write([]byte(`{"keys":[`))
		w.(http.Flusher).Flush()
		select {
		case <-req.Context().Done():
		case <-done:
		}
	}
}

// flood streams a body that never ends, as fast as the client reads it.
func flood(w http.ResponseWriter, _ *http.Request) {
	w.Write([]byte(`{"keys":[`))
	chunk := []byte(strings.Repeat(`{},`, 10<<10))
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// expectUnavailable checks a 503 with no challenge and a Retry-After of at
// least one second.
func expectUnavailable(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	expect(t, rec, http.StatusServiceUnavailable, "")
	if s, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", rec.Header().Get("Retry-After"))
	}
}

func TestHostileKeySets(t *testing.T) {
	attacker, _ := authtest.NewKey("key-1", "RS256") // the trusted kid, another key
	attackerJWKS, _ := json.Marshal(map[string]any{"keys": []any{attacker.JWK()}})
	evil, evilHits := countingServer(t, attackerJWKS)
	redirect := func(to func(*http.Request) string) http.HandlerFunc {
		return func(w http.ResponseWriter, req *http.Request) { http.Redirect(w, req, to(req), http.StatusFound) }
	}
	unknownKey := invalidToken("The access token was signed by an unknown key.")
	tests := []struct {
		name      string
		handler   http.HandlerFunc
		status    int
		challenge string
		fetches   int // JWKS requests expected, when not 1
	}{
		{name: "over 1 MiB", handler: writeBody(`{"keys":[],"pad":"` + strings.Repeat("a", mcpauth.MaxResponseBytes) + `"}`), status: 503},
		{name: "a body that never ends", handler: endless(t), status: 503},
		{name: "a flood that never ends", handler: flood, status: 503},
		{name: "redirect loop", handler: redirect(func(req *http.Request) string { return req.URL.Path }), status: 503, fetches: 4},
		{name: "redirect to another host", handler: redirect(func(*http.Request) string { return evil.URL + "/jwks" }), status: 503},
		{name: "500", handler: func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "boom", 500) }, status: 503},
		{name: "429", handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(429)
		}, status: 503},
		{name: "HTML", handler: writeBody(`<html><body>Sign in</body></html>`), status: 503},
		{name: "truncated", handler: writeBody(`{"keys":[{"kty":"RSA","kid":"key-1"`), status: 503},
		{name: "null", handler: writeBody(`null`), status: 503},
		{name: "keys null", handler: writeBody(`{"keys":null}`), status: 503},
		{name: "keys an object", handler: writeBody(`{"keys":{"kid":"key-1"}}`), status: 503},
		{name: "binary", handler: writeBody("\x00\xff\xfe\x01"), status: 503},
		{name: "keys of the wrong types", handler: writeBody(`{"keys":[1,"x",null,[],{}]}`), status: 401, challenge: unknownKey},
		{name: "only a symmetric key", handler: writeBody(`{"keys":[{"kty":"oct","kid":"key-1","k":"c2VjcmV0"}]}`), status: 401, challenge: unknownKey},
		{name: "a broken RSA key", handler: writeBody(`{"keys":[{"kty":"RSA","kid":"key-1","n":"!!","e":"AQAB"}]}`), status: 401, challenge: unknownKey},
		{name: "an encryption key", status: 401, challenge: unknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Fetches end at the client's timeout, so each has ended when the
			// request that started it is answered.
			r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} }})
			handler := tt.handler
			if handler == nil { // the real key, published for encryption only
				jwk := r.as.SigningKey().JWK()
				jwk["use"] = "enc"
				doc, _ := json.Marshal(map[string]any{"keys": []any{jwk}})
				handler = writeBody(string(doc))
			}
			misbehave(r, []string{r.as.Path("/jwks")}, handler)
			start := time.Now()
			rec := r.bearer(r.as.Mint(nil))
			if tt.status == 503 {
				expectUnavailable(t, rec)
			} else {
				expect(t, rec, tt.status, tt.challenge)
			}
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Fatalf("answered after %v: not bounded by the client's 200ms timeout", elapsed)
			}
			if want := max(tt.fetches, 1); r.jwksRequests() != want {
				t.Errorf("%d key-set requests, want %d", r.jwksRequests(), want)
			}
			if r.calls.Load() != 0 || evilHits.Load() != 0 {
				t.Fatalf("handler ran %d times, attacker's server got %d requests", r.calls.Load(), evilHits.Load())
			}
			// The server behaves again: answered normally after the minimum interval.
			misbehave(r, nil, nil)
			r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
			expect(t, r.bearer(r.as.Mint(nil)), 200, "")
		})
	}
}

// TestEndlessKeySetBoundedByFetchTimeout: with the default client, the
// JWKS fetch timeout bounds a key-set response that never ends, and the keys
// already known keep answering meanwhile.
func TestEndlessKeySetBoundedByFetchTimeout(t *testing.T) {
	r := newRig(t, rigOptions{config: func(c *mcpauth.Config) { c.JWKS.FetchTimeout = 200 * time.Millisecond }})
	old := r.as.Mint(nil)
	expect(t, r.bearer(old), 200, "")
	misbehave(r, []string{r.as.Path("/jwks")}, endless(t))
	k, err := r.as.AddKey("EdDSA")
	if err != nil {
		t.Fatal(err)
	}
	r.as.UseKey(k)
	r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
	start := time.Now()
	expectUnavailable(t, r.bearer(r.as.Mint(nil)))
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("answered after %v: not bounded by the 200ms fetch timeout", elapsed)
	}
	expect(t, r.bearer(old), 200, "")
	if r.calls.Load() != 2 {
		t.Fatalf("the protected handler ran %d times, want 2", r.calls.Load())
	}
}

// countingTransport counts the requests it sends by URL scheme.
type countingTransport struct {
	base  http.RoundTripper
	plain atomic.Int64
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" {
		c.plain.Add(1)
	}
	return c.base.RoundTrip(req)
}

func TestKeySetRedirectFromHTTPSToHTTP(t *testing.T) {
	var hits atomic.Int64
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hits.Add(1)
		http.Redirect(w, req, "http://"+req.Host+"/jwks", http.StatusFound)
	}))
	t.Cleanup(tlsSrv.Close)
	transport := &countingTransport{base: tlsSrv.Client().Transport}
	r := newRig(t, rigOptions{
		config: func(c *mcpauth.Config) { c.HTTPClient = &http.Client{Transport: transport} },
		resource: func(p *mcpauth.ProtectedResource) {
			cfg, _ := p.AuthServers[0].Resolved()
			moved := *cfg
			moved.Metadata.JWKSURI = tlsSrv.URL + "/jwks"
			p.AuthServers[0] = mcpauth.NewAuthServer(&moved)
		},
	})
	expectUnavailable(t, r.bearer(r.as.Mint(nil)))
	if hits.Load() != 1 || transport.plain.Load() != 0 {
		t.Fatalf("%d https requests (want 1), %d plain http requests (want 0)", hits.Load(), transport.plain.Load())
	}
	if r.calls.Load() != 0 {
		t.Fatal("the protected handler ran")
	}
}
