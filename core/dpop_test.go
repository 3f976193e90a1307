package mcpauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// dpopAlgs are the proof algorithms of most DPoP tests, short enough to
// spell out in the expected challenges.
var dpopAlgs = []string{"ES256", "EdDSA"}

// newDPoPRig is a rig whose resource accepts DPoP with opts (Algorithms
// dpopAlgs unless set).
func newDPoPRig(t *testing.T, opts mcpauth.DPoPOptions, bearer *mcpauth.BearerOptions) *rig {
	if opts.Algorithms == nil {
		opts.Algorithms = dpopAlgs
	}
	return newRig(t, rigOptions{bearer: bearer, resource: func(pr *mcpauth.ProtectedResource) { pr.DPoP = &opts }})
}

func newDPoPKey(t testing.TB, alg string) *authtest.Key {
	k, err := authtest.NewKey("", alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// boundToken mints a token bound to k.
func (r *rig) boundToken(k *authtest.Key, claims authtest.Claims) string {
	c := authtest.Claims{"cnf": k.Confirmation()}
	for name, v := range claims {
		c[name] = v
	}
	return r.as.Mint(c)
}

// dpopRequest is a POST to the resource with "Authorization: DPoP token"
// and proof in the DPoP header ("" for none).
func (r *rig) dpopRequest(token, proof string) *http.Request {
	req := r.newRequest(http.MethodPost, []string{"DPoP " + token}, "")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return req
}

// proofFor is a valid proof by k for a POST to the resource with token.
func (r *rig) proofFor(k *authtest.Key, token string) string {
	return k.SignProof(authtest.Proof{Method: http.MethodPost, URL: resourceID, AccessToken: token, IssuedAt: r.clock.Now()})
}

// dpopChallenges is the WWW-Authenticate of a refusal on a resource
// accepting DPoP with dpopAlgs: the error goes in the DPoP challenge when
// inDPoP, else in the Bearer one; required leaves the Bearer one out.
func dpopChallenges(code, description, scope string, inDPoP, required bool) string {
	dp := withScheme("DPoP", challengeParams(code, description, scope, inDPoP)+`, algs="ES256 EdDSA"`)
	if required {
		return dp
	}
	return withScheme("Bearer", challengeParams(code, description, scope, !inDPoP)) + ", " + dp
}

func challengeParams(code, description, scope string, withError bool) string {
	var parts []string
	if code != "" && withError {
		parts = append(parts, `error="`+code+`"`, `error_description="`+description+`"`)
	}
	if scope != "" {
		parts = append(parts, `scope="`+scope+`"`)
	}
	parts = append(parts, `resource_metadata="`+resourceMetadata+`"`)
	return strings.Join(parts, ", ")
}

func withScheme(scheme, params string) string { return scheme + " " + params }

// TestDPoPAccepted: a token bound to the proof's key, sent with the DPoP
// scheme (any case) and a valid proof, reaches the handler, which sees the
// key's thumbprint; so does a plain bearer token where DPoP is optional.
func TestDPoPAccepted(t *testing.T) {
	r := newRig(t, rigOptions{resource: func(pr *mcpauth.ProtectedResource) { pr.DPoP = &mcpauth.DPoPOptions{} }})
	for _, alg := range []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"} {
		k := newDPoPKey(t, alg)
		token := r.boundToken(k, nil)
		for _, scheme := range []string{"DPoP", "dpop"} {
			req := r.newRequest(http.MethodPost, []string{scheme + " " + token}, "")
			req.Header.Set("DPoP", r.proofFor(k, token))
			expect(t, r.send(req), 200, "")
			info, _ := mcpauth.FromContext(r.lastReq.Load().Context())
			if info.DPoPThumbprint != k.Thumbprint() || info.Subject != "test-user" {
				t.Fatalf("%s: %+v", alg, info)
			}
		}
	}
	// RFC 9864's fully-specified name for EdDSA with an Ed25519 key.
	ed := newDPoPKey(t, "EdDSA")
	token := r.boundToken(ed, nil)
	expect(t, r.send(r.dpopRequest(token, ed.SignProof(authtest.Proof{Method: http.MethodPost, URL: resourceID, AccessToken: token, Algorithm: "Ed25519"}))), 200, "")

	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if info, _ := mcpauth.FromContext(r.lastReq.Load().Context()); info.DPoPThumbprint != "" {
		t.Fatalf("bearer request with a thumbprint: %+v", info)
	}
}

// TestDPoPRefusals: every way a DPoP request, or a bound token, is refused,
// with the exact challenges: the error in the challenge of the scheme the
// request used.
func TestDPoPRefusals(t *testing.T) {
	r := newDPoPRig(t, mcpauth.DPoPOptions{}, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}})
	k, other := newDPoPKey(t, "ES256"), newDPoPKey(t, "ES256")
	token := r.boundToken(k, authtest.Claims{"scope": "read"})
	now := r.clock.Now()
	proof := func(p authtest.Proof) string {
		if p.Method == "" {
			p.Method = http.MethodPost
		}
		if p.URL == "" {
			p.URL = resourceID
		}
		if p.AccessToken == "" {
			p.AccessToken = token
		}
		if p.IssuedAt.IsZero() {
			p.IssuedAt = now
		}
		return k.SignProof(p)
	}
	badProof := func(description string) string {
		return dpopChallenges("invalid_dpop_proof", description, "read", true, false)
	}
	invalid := func(description string, inDPoP bool) string {
		return dpopChallenges("invalid_token", description, "read", inDPoP, false)
	}
	unbound := r.as.Mint(authtest.Claims{"scope": "read"})
	mtls := r.as.Mint(authtest.Claims{"scope": "read", "cnf": map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}})
	otherKeys := r.boundToken(other, authtest.Claims{"scope": "read"})
	expired := r.boundToken(k, authtest.Claims{"scope": "read", "exp": now.Add(-time.Hour).Unix()})
	noScope := r.boundToken(k, nil)
	tests := []struct {
		name      string
		req       *http.Request
		status    int
		challenge string
	}{
		{"no credentials: both schemes offered", r.newRequest(http.MethodPost, nil, ""), 401, dpopChallenges("", "", "read", false, false)},
		{"bound token as a bearer token", r.newRequest(http.MethodPost, []string{"Bearer " + token}, ""), 401,
			invalid(`The access token is bound to a DPoP key: send it as 'Authorization: DPoP <token>' with a DPoP proof.`, false)},
		{"bound token as a bearer token, with a proof", func() *http.Request {
			req := r.newRequest(http.MethodPost, []string{"Bearer " + token}, "")
			req.Header.Set("DPoP", proof(authtest.Proof{}))
			return req
		}(), 401, invalid(`The access token is bound to a DPoP key: send it as 'Authorization: DPoP <token>' with a DPoP proof.`, false)},
		{"DPoP scheme without a token", r.newRequest(http.MethodPost, []string{"DPoP "}, ""), 401, dpopChallenges("", "", "read", true, false)},
		{"no DPoP header", r.dpopRequest(token, ""), 401, badProof("A DPoP proof (the DPoP header) is required with the DPoP scheme.")},
		{"two DPoP headers", func() *http.Request {
			req := r.dpopRequest(token, proof(authtest.Proof{}))
			req.Header.Add("DPoP", proof(authtest.Proof{}))
			return req
		}(), 401, badProof("The request has several DPoP headers; send exactly one proof.")},
		{"proof not a JWT", r.dpopRequest(token, "garbage"), 401, badProof("The DPoP proof is not a JWT (three base64url parts separated by dots).")},
		{"proof for GET", r.dpopRequest(token, proof(authtest.Proof{Method: "GET"})), 401, badProof("The DPoP proof's htm is not this request's method POST.")},
		{"proof for another URL", r.dpopRequest(token, proof(authtest.Proof{URL: "https://mcp.example.com/other"})), 401,
			badProof("The DPoP proof's htu is not this request's URL https://mcp.example.com/mcp.")},
		{"proof for another token", r.dpopRequest(token, proof(authtest.Proof{AccessToken: "another"})), 401,
			badProof("The DPoP proof's ath is missing or is not the hash of the access token.")},
		{"proof too old", r.dpopRequest(token, proof(authtest.Proof{IssuedAt: now.Add(-6 * time.Minute)})), 401,
			badProof("The DPoP proof's iat is not within 5m0s of the server's time.")},
		{"proof with RS256, not configured", r.dpopRequest(token, newDPoPKey(t, "RS256").Proof(http.MethodPost, resourceID, token)), 401,
			badProof("The DPoP proof's alg is not one of ES256 EdDSA.")},
		{"unbound token with the DPoP scheme", r.dpopRequest(unbound, proof(authtest.Proof{AccessToken: unbound})), 401,
			invalid("The access token is not bound to a DPoP key (no cnf.jkt), so it cannot be used with the DPoP scheme.", true)},
		{"mTLS-bound token with the DPoP scheme", r.dpopRequest(mtls, proof(authtest.Proof{AccessToken: mtls})), 401,
			invalid("The access token is bound to a key that is not a DPoP key (its cnf has no jkt).", true)},
		{"token bound to another key", r.dpopRequest(otherKeys, proof(authtest.Proof{AccessToken: otherKeys})), 401,
			invalid("The access token is bound to another key than the DPoP proof's.", true)},
		{"expired bound token", r.dpopRequest(expired, proof(authtest.Proof{AccessToken: expired})), 401,
			invalid("The access token has expired.", true)},
		{"bound token without the scope", r.dpopRequest(noScope, proof(authtest.Proof{AccessToken: noScope})), 403,
			dpopChallenges("insufficient_scope", "The access token lacks scopes this operation requires.", "read", true, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			expect(t, r.send(tt.req), tt.status, tt.challenge)
			if r.calls.Load() != before {
				t.Fatal("the handler ran")
			}
		})
	}
}

// TestDPoPRequired: with Required, bearer tokens are refused and only the
// DPoP challenge is offered; the metadata says so.
func TestDPoPRequired(t *testing.T) {
	r := newDPoPRig(t, mcpauth.DPoPOptions{Required: true}, nil)
	expect(t, r.request(http.MethodPost, nil, ""), 401, dpopChallenges("", "", "", true, true))
	expect(t, r.bearer(r.as.Mint(nil)), 401, dpopChallenges("invalid_token",
		`This resource accepts only DPoP-bound access tokens: send 'Authorization: DPoP <token>' with a DPoP proof.`, "", true, true))
	k := newDPoPKey(t, "EdDSA")
	token := r.boundToken(k, nil)
	expect(t, r.send(r.dpopRequest(token, r.proofFor(k, token))), 200, "")

	rec := httptest.NewRecorder()
	r.auth.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, resourceMetadata, nil))
	var doc map[string]any
	json.Unmarshal(rec.Body.Bytes(), &doc)
	if doc["dpop_bound_access_tokens_required"] != true || !equalJSON(doc["dpop_signing_alg_values_supported"], []any{"ES256", "EdDSA"}) {
		t.Fatalf("metadata %s", rec.Body)
	}
}

func equalJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// TestDPoPMetadata: an optional DPoP advertises its algorithms (all the
// supported ones by default) and no requirement; DPoP fields set by hand
// are refused, since they would promise checks nobody makes.
func TestDPoPMetadata(t *testing.T) {
	r := newRig(t, rigOptions{resource: func(pr *mcpauth.ProtectedResource) { pr.DPoP = &mcpauth.DPoPOptions{} }})
	rec := httptest.NewRecorder()
	r.auth.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, resourceMetadata, nil))
	var doc map[string]any
	json.Unmarshal(rec.Body.Bytes(), &doc)
	if _, ok := doc["dpop_bound_access_tokens_required"]; ok ||
		!equalJSON(doc["dpop_signing_alg_values_supported"], []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}) {
		t.Fatalf("metadata %s", rec.Body)
	}
	plain := newRig(t, rigOptions{})
	rec = httptest.NewRecorder()
	plain.auth.MetadataHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, resourceMetadata, nil))
	if strings.Contains(rec.Body.String(), "dpop") {
		t.Fatalf("metadata without DPoP mentions it: %s", rec.Body)
	}
}

// TestDPoPReplay: a proof is accepted once, even by concurrent requests; a
// request refused for another reason does not use its proof up.
func TestDPoPReplay(t *testing.T) {
	r := newDPoPRig(t, mcpauth.DPoPOptions{}, &mcpauth.BearerOptions{Policy: &mcpauth.ScopePolicy{Tools: map[string][]string{"admin-tool": {"admin"}}}})
	k := newDPoPKey(t, "ES256")
	token := r.boundToken(k, nil)
	proof := r.proofFor(k, token)
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"admin-tool"}}`
	send := func(body string) *httptest.ResponseRecorder {
		req := r.newRequest(http.MethodPost, []string{"DPoP " + token}, body)
		req.Header.Set("DPoP", proof)
		return r.send(req)
	}
	for range 2 {
		if rec := send(call); rec.Code != 403 {
			t.Fatalf("status %d", rec.Code)
		}
	}
	expect(t, send(""), 200, "")
	expect(t, send(""), 401, dpopChallenges("invalid_dpop_proof", "The DPoP proof was already used; make a new proof for each request.", "", true, false))

	fresh := r.proofFor(k, token)
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if r.send(r.dpopRequest(token, fresh)).Code == 200 {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("one proof accepted %d times by concurrent requests", ok.Load())
	}
}

// failingStore is a replay store that cannot be reached.
type failingStore struct{ calls atomic.Int64 }

func (s *failingStore) Add(context.Context, string, time.Time) (bool, error) {
	s.calls.Add(1)
	return false, errors.New("connection refused")
}

// TestDPoPReplayStoreFailure: a store failure is 503 with Retry-After by
// default, logged; AcceptOnReplayStoreError accepts the proof on its
// window, logged too.
func TestDPoPReplayStoreFailure(t *testing.T) {
	for _, accept := range []bool{false, true} {
		var logs bytes.Buffer
		store := &failingStore{}
		opts := mcpauth.DPoPOptions{Algorithms: dpopAlgs, ReplayStore: store, AcceptOnReplayStoreError: accept}
		r := newRig(t, rigOptions{
			resource: func(pr *mcpauth.ProtectedResource) { pr.DPoP = &opts },
			config:   func(c *mcpauth.Config) { c.Logger = slog.New(slog.NewTextHandler(&logs, nil)) },
		})
		k := newDPoPKey(t, "ES256")
		token := r.boundToken(k, nil)
		rec := r.send(r.dpopRequest(token, r.proofFor(k, token)))
		if accept {
			expect(t, rec, 200, "")
			if !strings.Contains(logs.String(), "AcceptOnReplayStoreError") || !strings.Contains(logs.String(), "connection refused") {
				t.Fatalf("log: %s", logs.String())
			}
		} else {
			expect(t, rec, 503, "")
			if rec.Header().Get("Retry-After") != "1" || !strings.Contains(rec.Body.String(), `"temporarily_unavailable"`) ||
				!strings.Contains(logs.String(), "connection refused") {
				t.Fatalf("%s %q; log: %s", rec.Body, rec.Header().Get("Retry-After"), logs.String())
			}
		}
		if store.calls.Load() != 1 {
			t.Fatalf("store called %d times", store.calls.Load())
		}
	}
}

var nonceSecret = bytes.Repeat([]byte("s"), 32)

// TestDPoPNonces: a proof without the server's nonce gets 401
// use_dpop_nonce and a DPoP-Nonce to use; with it, the request succeeds,
// and past half its lifetime the answer carries a fresh one; an expired,
// forged or unknown nonce is refused the same way.
func TestDPoPNonces(t *testing.T) {
	r := newDPoPRig(t, mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{nonceSecret}, Lifetime: 4 * time.Minute}}, nil)
	k := newDPoPKey(t, "ES256")
	token := r.boundToken(k, authtest.Claims{"exp": r.clock.Now().Add(time.Hour).Unix()})
	send := func(nonce string) *httptest.ResponseRecorder {
		return r.send(r.dpopRequest(token, k.SignProof(authtest.Proof{Method: http.MethodPost, URL: resourceID, AccessToken: token, Nonce: nonce, IssuedAt: r.clock.Now()})))
	}
	useNonce := func(description string) string { return dpopChallenges("use_dpop_nonce", description, "", true, false) }

	rec := send("")
	expect(t, rec, 401, useNonce("The DPoP proof must carry the nonce in the DPoP-Nonce header."))
	nonce := rec.Header().Get("DPoP-Nonce")
	if len(nonce) != 32 {
		t.Fatalf("DPoP-Nonce %q", nonce)
	}
	rec = send(nonce)
	expect(t, rec, 200, "")
	if rec.Header().Get("DPoP-Nonce") != "" {
		t.Fatal("a fresh nonce replaced at once")
	}
	r.clock.Advance(2*time.Minute + time.Second) // past half its life
	rec = send(nonce)
	expect(t, rec, 200, "")
	renewed := rec.Header().Get("DPoP-Nonce")
	if renewed == "" || renewed == nonce {
		t.Fatalf("no fresh nonce past half the lifetime: %q", renewed)
	}
	r.clock.Advance(2 * time.Minute) // the first nonce has expired
	expect(t, send(nonce), 401, useNonce("The DPoP proof's nonce is unknown or expired; use the one in the DPoP-Nonce header."))
	expect(t, send(renewed), 200, "")
	forged := []byte(renewed)
	forged[20] ^= 1
	for name, bad := range map[string]string{"garbage": "garbage", "forged": string(forged), "padded": renewed + "="} {
		rec := send(bad)
		if rec.Code != 401 || rec.Header().Get("DPoP-Nonce") == "" || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "use_dpop_nonce") {
			t.Fatalf("%s nonce: %d %q", name, rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
	}

	// Browsers can read the nonce.
	req := r.dpopRequest(token, r.proofFor(k, token))
	req.Header.Set("Origin", "https://app.example.com")
	rec = r.send(req)
	if got := rec.Header().Values("Access-Control-Expose-Headers"); strings.Join(got, ",") != "WWW-Authenticate,DPoP-Nonce" {
		t.Fatalf("exposed %q", got)
	}
}

// TestDPoPNoncesAcrossReplicas: two instances sharing the secrets accept
// each other's nonces with no shared state; one rotating its secret (new
// first, old still listed) accepts nonces made with the old one; another
// secret's nonces are refused.
func TestDPoPNoncesAcrossReplicas(t *testing.T) {
	newSecret := bytes.Repeat([]byte("n"), 32)
	a := newDPoPRig(t, mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{nonceSecret}}}, nil)
	nonceOf := func(r *rig) string {
		k := newDPoPKey(t, "ES256")
		token := r.boundToken(k, nil)
		return r.send(r.dpopRequest(token, r.proofFor(k, token))).Header().Get("DPoP-Nonce")
	}
	withNonce := func(r *rig, nonce string) int {
		k := newDPoPKey(t, "ES256")
		token := r.boundToken(k, nil)
		return r.send(r.dpopRequest(token, k.SignProof(authtest.Proof{Method: http.MethodPost, URL: resourceID, AccessToken: token, Nonce: nonce}))).Code
	}
	rotated := newDPoPRig(t, mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{newSecret, nonceSecret}}}, nil)
	stranger := newDPoPRig(t, mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{newSecret}}}, nil)
	old := nonceOf(a)
	if got := withNonce(rotated, old); got != 200 {
		t.Fatalf("the rotated replica refused the old secret's nonce: %d", got)
	}
	if got := withNonce(a, nonceOf(a)); got != 200 {
		t.Fatalf("a replica refused its own nonce: %d", got)
	}
	if got := withNonce(stranger, old); got != 401 {
		t.Fatalf("another secret's nonce accepted: %d", got)
	}
	if got := withNonce(stranger, nonceOf(rotated)); got != 200 {
		t.Fatalf("the rotated replica's nonce is not made with its first secret: %d", got)
	}
}

// TestDPoPPublicURL: htu is compared with the resource identifier's
// scheme, host and port and the request's path, whatever Host the request
// came with; X-Forwarded-* count only with TrustForwardedHeaders.
func TestDPoPPublicURL(t *testing.T) {
	k := newDPoPKey(t, "ES256")
	send := func(r *rig, token, path, htu string, headers map[string]string) int {
		req := httptest.NewRequest(http.MethodPost, "http://10.0.0.7:8080"+path, nil)
		req.Header.Set("Authorization", "DPoP "+token)
		req.Header.Set("DPoP", k.SignProof(authtest.Proof{Method: http.MethodPost, URL: htu, AccessToken: token, IssuedAt: r.clock.Now()}))
		for name, v := range headers {
			req.Header.Set(name, v)
		}
		return r.send(req).Code
	}
	r := newDPoPRig(t, mcpauth.DPoPOptions{}, nil)
	token := r.boundToken(k, nil)
	forwarded := map[string]string{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "public.example.com", "X-Forwarded-Prefix": "/api"}
	for _, tt := range []struct {
		path, htu string
		headers   map[string]string
		want      int
	}{
		{"/mcp", resourceID, nil, 200},
		{"/mcp", "http://10.0.0.7:8080/mcp", nil, 401},
		{"/whoami", "https://mcp.example.com/whoami", nil, 200},
		{"/whoami", resourceID, nil, 401},
		{"/mcp", resourceID, forwarded, 200},
		{"/mcp", "https://public.example.com/api/mcp", forwarded, 401},
	} {
		if got := send(r, token, tt.path, tt.htu, tt.headers); got != tt.want {
			t.Errorf("path %s, htu %s, headers %v: %d, want %d", tt.path, tt.htu, tt.headers, got, tt.want)
		}
	}
	behind := newDPoPRig(t, mcpauth.DPoPOptions{TrustForwardedHeaders: true}, nil)
	token = behind.boundToken(k, nil)
	for _, tt := range []struct {
		htu     string
		headers map[string]string
		want    int
	}{
		{"https://public.example.com/api/mcp", forwarded, 200},
		{"https://public.example.com/api/mcp", map[string]string{"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "public.example.com, proxy", "X-Forwarded-Prefix": "/api"}, 200},
		{resourceID, forwarded, 401},
		{resourceID, nil, 200},
		{"https://public.example.com/mcp", map[string]string{"X-Forwarded-Proto": "gopher", "X-Forwarded-Host": "public.example.com"}, 401},
	} {
		if got := send(behind, token, "/mcp", tt.htu, tt.headers); got != tt.want {
			t.Errorf("trusted proxy: htu %s, headers %v: %d, want %d", tt.htu, tt.headers, got, tt.want)
		}
	}
}

// TestDPoPRequireScopes: a per-route scope check after a DPoP request
// answers in the DPoP challenge.
func TestDPoPRequireScopes(t *testing.T) {
	r := newDPoPRig(t, mcpauth.DPoPOptions{}, nil)
	r.handler = r.auth.Middleware(nil)(mcpauth.RequireScopes("write")(http.HandlerFunc(r.serve)))
	k := newDPoPKey(t, "ES256")
	token := r.boundToken(k, nil)
	expect(t, r.send(r.dpopRequest(token, r.proofFor(k, token))), 403,
		dpopChallenges("insufficient_scope", "The access token lacks scopes this operation requires.", "write", true, false))
}

// TestDPoPIntrospection: an opaque token the authorization server bound
// to a key at its token endpoint (token_type DPoP, cnf.jkt in the
// introspection answer) is accepted with a proof of that key and refused
// as a bearer token.
func TestDPoPIntrospection(t *testing.T) {
	r := newRig(t, rigOptions{
		as:       &authtest.Options{OpaqueTokens: true},
		resource: func(pr *mcpauth.ProtectedResource) { pr.DPoP = &mcpauth.DPoPOptions{Algorithms: dpopAlgs} },
	})
	v, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Endpoint: r.as.Issuer + "/introspect", ClientID: "rs", ClientSecret: "rs-secret"})
	if err != nil {
		t.Fatal(err)
	}
	r.as.AddClient(authtest.Client{ID: "rs", Secret: "rs-secret"})
	r.as.AddClient(authtest.Client{ID: "app", Secret: "app-secret"})
	r.handler = r.auth.Middleware(&mcpauth.BearerOptions{Verifier: v})(http.HandlerFunc(r.serve))
	k := newDPoPKey(t, "ES256")
	token := dpopClientCredentials(t, r.as, k, "app", "app-secret")
	expect(t, r.send(r.dpopRequest(token, r.proofFor(k, token))), 200, "")
	expect(t, r.bearer(token), 401, dpopChallenges("invalid_token",
		`The access token is bound to a DPoP key: send it as 'Authorization: DPoP <token>' with a DPoP proof.`, "", false, false))
	other := newDPoPKey(t, "ES256")
	expect(t, r.send(r.dpopRequest(token, r.proofFor(other, token))), 401, dpopChallenges("invalid_token",
		"The access token is bound to another key than the DPoP proof's.", "", true, false))
}

// dpopClientCredentials gets a token bound to k from as's token endpoint.
func dpopClientCredentials(t *testing.T, as *authtest.Server, k *authtest.Key, id, secret string) string {
	req, _ := http.NewRequest(http.MethodPost, as.Issuer+"/token", strings.NewReader("grant_type=client_credentials&resource="+resourceID))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(id, secret)
	req.Header.Set("DPoP", k.Proof(http.MethodPost, as.Issuer+"/token", ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	if resp.StatusCode != 200 || tr.TokenType != "DPoP" {
		t.Fatalf("token endpoint: %d %+v", resp.StatusCode, tr)
	}
	return tr.AccessToken
}

// TestDPoPConfig: every DPoP configuration mistake fails New, saying what
// to fix.
func TestDPoPConfig(t *testing.T) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	tests := []struct {
		name string
		edit func(*mcpauth.ProtectedResource)
		want string
	}{
		{"metadata algorithms by hand", func(pr *mcpauth.ProtectedResource) {
			pr.Metadata.DPoPSigningAlgValuesSupported = []string{"ES256"}
		}, "set ProtectedResource.DPoP, not the metadata's DPoP fields"},
		{"metadata requirement by hand", func(pr *mcpauth.ProtectedResource) {
			yes := true
			pr.Metadata.DPoPBoundAccessTokensRequired = &yes
		}, "set ProtectedResource.DPoP"},
		{"HMAC algorithm", func(pr *mcpauth.ProtectedResource) { pr.DPoP = &mcpauth.DPoPOptions{Algorithms: []string{"HS256"}} },
			`DPoP.Algorithms: "HS256" is not supported`},
		{"none", func(pr *mcpauth.ProtectedResource) {
			pr.DPoP = &mcpauth.DPoPOptions{Algorithms: []string{"ES256", "none"}}
		},
			`DPoP.Algorithms: "none" is not supported`},
		{"no algorithms", func(pr *mcpauth.ProtectedResource) { pr.DPoP = &mcpauth.DPoPOptions{Algorithms: []string{}} },
			"DPoP.Algorithms is empty"},
		{"nonces without secrets", func(pr *mcpauth.ProtectedResource) {
			pr.DPoP = &mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{}}
		},
			"DPoP.Nonces.Secrets is empty"},
		{"short secret", func(pr *mcpauth.ProtectedResource) {
			pr.DPoP = &mcpauth.DPoPOptions{Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{nonceSecret, []byte("short")}}}
		}, "DPoP.Nonces.Secrets[1] is 5 bytes long: use at least 32 random bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pr := mcpauth.ProtectedResource{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))}}
			tt.edit(&pr)
			_, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{pr}, Logger: quiet})
			if !errors.Is(err, mcpauth.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}
