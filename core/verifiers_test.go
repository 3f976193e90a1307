package mcpauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

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

func TestVerifierFunc(t *testing.T) {
	good := &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Subject: "u", Audience: []string{resourceID}, Scopes: []string{"read"}}
	var seen string
	fn := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
		seen = token
		switch token {
		case "good":
			return good, nil
		case "other-issuer":
			return &mcpauth.AuthInfo{Issuer: "https://evil.example.com", Subject: "u", Audience: []string{resourceID}}, nil
		case "no-aud":
			return &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Subject: "u"}, nil
		case "typed":
			return nil, &mcpauth.Error{Code: mcpauth.CodeInvalidToken, Description: "Revoked."}
		case "nil":
			return nil, nil
		}
		return nil, errors.New("database says: connection refused at 10.0.0.7")
	})
	server := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://auth.example.com"}})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{server}}},
		Logger:             quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	run := func(opts mcpauth.BearerOptions, token string) *httptest.ResponseRecorder {
		opts.Verifier = fn
		h := auth.Middleware(&opts)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		req := httptest.NewRequest("GET", resourceID, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := run(mcpauth.BearerOptions{RequiredScopes: []string{"read"}}, "good"); rec.Code != 200 || seen != "good" {
		t.Fatalf("%d %q", rec.Code, seen)
	}
	if good.Resource != "" || good.Token != "" {
		t.Fatal("the verifier's AuthInfo was modified")
	}
	if rec := run(mcpauth.BearerOptions{}, "other-issuer"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_issuer") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := run(mcpauth.BearerOptions{SkipIssuerCheck: true}, "other-issuer"); rec.Code != 200 {
		t.Fatalf("skip issuer: %d", rec.Code)
	}
	if rec := run(mcpauth.BearerOptions{}, "no-aud"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "invalid_audience") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := run(mcpauth.BearerOptions{SkipAudienceCheck: true}, "no-aud"); rec.Code != 200 {
		t.Fatalf("skip audience: %d", rec.Code)
	}
	if rec := run(mcpauth.BearerOptions{}, "typed"); rec.Code != 401 || !strings.Contains(rec.Body.String(), "Revoked.") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	for _, token := range []string{"plain-error", "nil"} {
		rec := run(mcpauth.BearerOptions{}, token)
		if rec.Code != 401 || !strings.Contains(rec.Body.String(), "token_verification_failed") || strings.Contains(rec.Body.String(), "10.0.0.7") {
			t.Fatalf("%s: %d %s", token, rec.Code, rec.Body)
		}
	}
}
