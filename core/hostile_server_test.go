package mcpauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// Hostile authorization servers: key sets and metadata documents that are
// too large, never end, redirect where they must not, or are garbage. The
// protected handler keeps answering, with the right status each time, and
// answers normally again once the server behaves.

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
