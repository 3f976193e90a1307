package mcpauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

// introspectionBearer is a bearer middleware verifying tokens at in, with
// the clock clk and the verifier's configuration cfg (Server set here).
func introspectionBearer(t *testing.T, in *introspector, clk *clock, cfg mcpauth.IntrospectionConfig) func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
	issuer := "https://auth.example.com"
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: issuer, AuthorizationEndpoint: issuer + "/a", TokenEndpoint: issuer + "/t", ResponseTypesSupported: []string{"code"},
		IntrospectionEndpoint: in.URL + "/introspect",
	}})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Logger:             quiet,
	}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	cfg.Server = server
	verifier, err := mcpauth.NewIntrospectionVerifier(cfg.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := auth.NewBearer(&mcpauth.BearerOptions{Verifier: verifier})
	if err != nil {
		t.Fatal(err)
	}
	return func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
		req := httptest.NewRequest("POST", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		info, err := bearer.Authenticate(req)
		if err != nil {
			return nil, asError(err)
		}
		return info, nil
	}
}

// TestIntrospectionSenderConstrained: an introspection answer carrying cnf
// is a token bound to a key, refused when presented as a bearer token.
func TestIntrospectionSenderConstrained(t *testing.T) {
	in := newIntrospector(t)
	clk := newClock()
	try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
	exp := clk.Now().Add(time.Hour).Unix()
	in.set("plain", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp})
	in.set("dpop-bound", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp, "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})
	in.set("mtls-bound", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp, "cnf": map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}})
	if _, e := try("plain"); e != nil {
		t.Fatal(e)
	}
	for _, token := range []string{"dpop-bound", "mtls-bound"} {
		_, e := try(token)
		if e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != "The access token is bound to a key (cnf) and cannot be used as a bearer token." {
			t.Fatalf("%s: %v", token, e)
		}
	}
}

// TestIntrospectionNegativeCache: a refused token repeated does not cost one
// introspection call per request: refusals are reused for NegativeCacheTTL
// (10 s by default), keyed like active answers, within the same size bound.
func TestIntrospectionNegativeCache(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		in := newIntrospector(t)
		clk := newClock()
		try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
		for range 50 {
			if _, e := try("bogus"); e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != "The access token is not active." {
				t.Fatalf("bogus token: %v", e)
			}
		}
		if n := in.count(); n != 1 {
			t.Fatalf("%d introspection calls for 50 requests with one bogus token, want 1", n)
		}
		clk.Advance(mcpauth.DefaultIntrospectionNegativeCacheTTL - time.Second)
		try("bogus")
		if n := in.count(); n != 1 {
			t.Fatalf("refusal not reused within its TTL: %d calls", n)
		}
		clk.Advance(time.Second)
		try("bogus")
		if n := in.count(); n != 2 {
			t.Fatalf("refusal reused past its TTL: %d calls", n)
		}
		// A token that became active is seen once the refusal expires.
		in.set("bogus", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": clk.Now().Add(time.Hour).Unix()})
		clk.Advance(mcpauth.DefaultIntrospectionNegativeCacheTTL)
		if _, e := try("bogus"); e != nil {
			t.Fatal(e)
		}
	})
	t.Run("off", func(t *testing.T) {
		in := newIntrospector(t)
		try := introspectionBearer(t, in, newClock(), mcpauth.IntrospectionConfig{NegativeCacheTTL: -1})
		for range 5 {
			try("bogus")
		}
		if n := in.count(); n != 5 {
			t.Fatalf("%d calls with the negative cache off, want 5", n)
		}
	})
	t.Run("bounded by CacheSize", func(t *testing.T) {
		in := newIntrospector(t)
		try := introspectionBearer(t, in, newClock(), mcpauth.IntrospectionConfig{CacheSize: 1})
		for _, token := range []string{"a", "b", "a", "a"} {
			try(token)
		}
		if n := in.count(); n != 3 {
			t.Fatalf("%d calls, want 3 (one entry kept)", n)
		}
	})
}

// TestIntrospectionAnswerChecks: an active answer whose token_type names
// something other than an access token, or whose nbf is in the future, is
// refused; the former is a refusal the cache keeps, the latter is not.
func TestIntrospectionAnswerChecks(t *testing.T) {
	in := newIntrospector(t)
	clk := newClock()
	try := introspectionBearer(t, in, clk, mcpauth.IntrospectionConfig{})
	exp := clk.Now().Add(time.Hour).Unix()
	answer := func(extra map[string]any) map[string]any {
		a := map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp}
		for k, v := range extra {
			a[k] = v
		}
		return a
	}
	notAccess := "The token is not an access token."
	tests := []struct {
		token, refusal string
		extra          map[string]any
	}{
		{"bearer", "", map[string]any{"token_type": "Bearer"}},
		{"access_token", "", map[string]any{"token_type": "access_token"}},
		{"urn", "", map[string]any{"token_type": "urn:ietf:params:oauth:token-type:access_token"}},
		{"no-token-type", "", nil},
		{"refresh", notAccess, map[string]any{"token_type": "refresh_token"}},
		{"id", notAccess, map[string]any{"token_type": "urn:ietf:params:oauth:token-type:id_token"}},
		{"n_a", notAccess, map[string]any{"token_type": "N_A"}},
		{"number", notAccess, map[string]any{"token_type": 7}},
		{"hydra-refresh", notAccess, map[string]any{"token_type": "Bearer", "token_use": "refresh_token"}},
		{"hydra-access", "", map[string]any{"token_type": "Bearer", "token_use": "access_token"}},
		{"keycloak-refresh", notAccess, map[string]any{"typ": "Refresh"}},
		{"dpop-without-key", "The access token is a DPoP token, but its introspection names no key (cnf.jkt).", map[string]any{"token_type": "DPoP"}},
		{"dpop-as-bearer", "The access token is bound to a key (cnf) and cannot be used as a bearer token.", map[string]any{"token_type": "DPoP", "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}},
		{"nbf-within-leeway", "", map[string]any{"nbf": clk.Now().Add(30 * time.Second).Unix()}},
		{"nbf-ahead", "The access token is not valid yet (nbf).", map[string]any{"nbf": clk.Now().Add(2 * time.Minute).Unix()}},
	}
	for _, tt := range tests {
		in.set(tt.token, answer(tt.extra))
		t.Run(tt.token, func(t *testing.T) {
			_, e := try(tt.token)
			switch {
			case tt.refusal == "" && e != nil:
				t.Fatalf("refused: %v", e)
			case tt.refusal != "" && (e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != tt.refusal):
				t.Fatalf("got %v, want %q", e, tt.refusal)
			}
		})
	}
	n := in.count()
	try("refresh")
	if in.count() != n {
		t.Fatal("a refusal for the token's type was not reused")
	}
	try("nbf-ahead")
	if in.count() != n+1 {
		t.Fatal("a not-yet-valid answer was reused")
	}
	clk.Advance(2 * time.Minute)
	if _, e := try("nbf-ahead"); e != nil {
		t.Fatalf("valid once nbf is reached: %v", e)
	}
}

// introspector is an RFC 7662 endpoint answering from a table.
type introspector struct {
	*httptest.Server
	mu      sync.Mutex
	answers map[string]map[string]any
	calls   int
	auth    []string // how each call authenticated
}

func newIntrospector(t *testing.T) *introspector {
	in := &introspector{answers: map[string]map[string]any{}}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		in.mu.Lock()
		defer in.mu.Unlock()
		in.calls++
		id, secret, basic := r.BasicAuth()
		if basic {
			in.auth = append(in.auth, "basic:"+id+":"+secret)
		} else {
			in.auth = append(in.auth, "post:"+r.PostForm.Get("client_id")+":"+r.PostForm.Get("client_secret"))
		}
		if r.Method != http.MethodPost || r.PostForm.Get("token_type_hint") != "access_token" {
			http.Error(w, "bad request", 400)
			return
		}
		ans, ok := in.answers[r.PostForm.Get("token")]
		if !ok {
			ans = map[string]any{"active": false}
		}
		json.NewEncoder(w).Encode(ans)
	}))
	t.Cleanup(in.Close)
	return in
}

func (in *introspector) set(token string, answer map[string]any) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.answers[token] = answer
}

func (in *introspector) count() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls
}

func TestIntrospectionVerifier(t *testing.T) {
	in := newIntrospector(t)
	clk := newClock()
	issuer := "https://auth.example.com"
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer: issuer, AuthorizationEndpoint: issuer + "/a", TokenEndpoint: issuer + "/t", ResponseTypesSupported: []string{"code"},
		IntrospectionEndpoint: in.URL + "/introspect",
	}})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Logger:             quiet,
	}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	verifier, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Server: server, ClientID: "rs id", ClientSecret: "s:cret", CacheTTL: time.Minute}.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	bearer, err := auth.NewBearer(&mcpauth.BearerOptions{Verifier: verifier, RequiredScopes: []string{"read"}})
	if err != nil {
		t.Fatal(err)
	}
	try := func(token string) (*mcpauth.AuthInfo, *mcpauth.Error) {
		req := httptest.NewRequest("POST", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		info, err := bearer.Authenticate(req)
		if err != nil {
			return nil, asError(err)
		}
		return info, nil
	}
	exp := clk.Now().Add(10 * time.Minute).Unix()
	in.set("opaque-ok", map[string]any{"active": true, "sub": "alice", "client_id": "app", "scope": "read write", "aud": resourceID, "exp": exp})
	in.set("opaque-other-aud", map[string]any{"active": true, "sub": "alice", "scope": "read", "aud": "https://other.example.com", "exp": exp})
	in.set("opaque-no-scope", map[string]any{"active": true, "sub": "alice", "aud": resourceID, "exp": exp})
	in.set("opaque-expired", map[string]any{"active": true, "sub": "alice", "scope": "read", "aud": resourceID, "exp": clk.Now().Add(-time.Hour).Unix()})
	in.set("opaque-soon", map[string]any{"active": true, "sub": "bob", "scope": "read", "aud": resourceID, "exp": clk.Now().Add(30 * time.Second).Unix()})
	in.set("opaque-evil-iss", map[string]any{"active": true, "iss": "https://evil.example.com", "sub": "x", "scope": "read", "aud": resourceID, "exp": exp})

	info, e := try("opaque-ok")
	if e != nil {
		t.Fatal(e)
	}
	if info.Issuer != issuer || info.Subject != "alice" || info.ClientID != "app" || info.ExpiresAt.Unix() != exp {
		t.Fatalf("%+v", info)
	}
	if in.auth[0] != "basic:rs+id:s%3Acret" {
		t.Errorf("client authentication %q (RFC 6749 §2.3.1 form-encodes the credentials)", in.auth[0])
	}
	t.Run("cached", func(t *testing.T) {
		n := in.count()
		if _, e := try("opaque-ok"); e != nil || in.count() != n {
			t.Fatalf("%v, %d calls", e, in.count()-n)
		}
	})
	t.Run("inactive", func(t *testing.T) {
		if _, e := try("revoked"); e == nil || e.Code != mcpauth.CodeInvalidToken || e.Description != "The access token is not active." {
			t.Fatalf("%v", e)
		}
	})
	t.Run("audience still checked", func(t *testing.T) {
		if _, e := try("opaque-other-aud"); e == nil || e.Code != mcpauth.CodeInvalidAudience {
			t.Fatalf("%v", e)
		}
	})
	t.Run("scopes still checked", func(t *testing.T) {
		if _, e := try("opaque-no-scope"); e == nil || e.Code != mcpauth.CodeMissingRequiredScopes {
			t.Fatalf("%v", e)
		}
	})
	t.Run("expiry still checked", func(t *testing.T) {
		if _, e := try("opaque-expired"); e == nil || e.Code != mcpauth.CodeInvalidToken {
			t.Fatalf("%v", e)
		}
	})
	t.Run("issuer still checked", func(t *testing.T) {
		if _, e := try("opaque-evil-iss"); e == nil || e.Code != mcpauth.CodeInvalidIssuer {
			t.Fatalf("%v", e)
		}
	})
	t.Run("cache entry never outlives exp, and revocation shows once it expires", func(t *testing.T) {
		if _, e := try("opaque-soon"); e != nil {
			t.Fatal(e)
		}
		in.set("opaque-soon", map[string]any{"active": false})
		if _, e := try("opaque-soon"); e != nil {
			t.Fatalf("within the cache lifetime: %v", e)
		}
		clk.Advance(31 * time.Second) // past exp (30 s), within CacheTTL (1 min)
		n := in.count()
		if _, e := try("opaque-soon"); e == nil || in.count() != n+1 {
			t.Fatalf("expired cache entry used: %v", e)
		}
	})
	t.Run("revocation visible after CacheTTL", func(t *testing.T) {
		in.set("opaque-long", map[string]any{"active": true, "sub": "c", "scope": "read", "aud": resourceID, "exp": clk.Now().Add(time.Hour).Unix()})
		if _, e := try("opaque-long"); e != nil {
			t.Fatal(e)
		}
		in.set("opaque-long", map[string]any{"active": false})
		clk.Advance(time.Minute)
		if _, e := try("opaque-long"); e == nil {
			t.Fatal("revoked token accepted after the cache lifetime")
		}
	})
	t.Run("introspection refused: 401 for 400, 500 for the resource server's own credentials", func(t *testing.T) {
		for _, c := range []struct {
			status int
			code   mcpauth.Code
		}{{400, mcpauth.CodeInvalidToken}, {401, mcpauth.CodeServerError}} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(c.status)
				w.Write([]byte(`{"error":"unsupported_token_type"}`))
			}))
			v, _ := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Endpoint: srv.URL})
			_, err := v.Verify(context.Background(), "a.jwt.token", &mcpauth.VerifyRequest{AuthServers: []*mcpauth.AuthServer{server}})
			srv.Close()
			if e := asError(err); e == nil || e.Code != c.code {
				t.Errorf("introspection answered %d: %v", c.status, err)
			}
		}
	})
	t.Run("endpoint down: 503", func(t *testing.T) {
		v, _ := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Endpoint: "http://127.0.0.1:1/introspect"})
		_, err := v.Verify(context.Background(), "x", &mcpauth.VerifyRequest{AuthServers: []*mcpauth.AuthServer{server}})
		if e := asError(err); e.Code != mcpauth.CodeTemporarilyUnavailable {
			t.Fatalf("%v", err)
		}
	})
}

func TestIntrospectionClientSecretPost(t *testing.T) {
	in := newIntrospector(t)
	in.set("t", map[string]any{"active": true, "sub": "a", "iss": "https://auth.example.com"})
	v, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Endpoint: in.URL, ClientID: "rs", ClientSecret: "pw", AuthMethod: mcpauth.ClientSecretPost})
	if err != nil {
		t.Fatal(err)
	}
	info, err := v.Verify(context.Background(), "t", &mcpauth.VerifyRequest{})
	if err != nil || info.Issuer != "https://auth.example.com" {
		t.Fatalf("%v %v", info, err)
	}
	if in.auth[0] != "post:rs:pw" {
		t.Fatalf("auth %q", in.auth[0])
	}
	if _, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{Endpoint: in.URL, AuthMethod: "private_key_jwt"}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("unknown method: %v", err)
	}
	if _, err := mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{}); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Fatalf("no endpoint: %v", err)
	}
}
