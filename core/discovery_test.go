package mcpauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseServerType(t *testing.T) {
	for in, want := range map[string]ServerType{"": ServerTypeAuto, "auto": ServerTypeAuto, "OAuth": ServerTypeOAuth, " oidc ": ServerTypeOIDC} {
		got, err := ParseServerType(in)
		if err != nil || got != want {
			t.Errorf("ParseServerType(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseServerType("saml"); err == nil {
		t.Error("ParseServerType(saml) succeeded")
	}
	if ServerType("").String() != "auto" {
		t.Error(`ServerType("").String() != "auto"`)
	}
}

// asServer is an httptest server answering metadata documents by path.
type asServer struct {
	*httptest.Server
	mu     sync.Mutex
	docs   map[string]func(w http.ResponseWriter, r *http.Request)
	hits   map[string]int
	served atomic.Int64
}

func newASServer(t *testing.T) *asServer {
	s := &asServer{docs: map[string]func(http.ResponseWriter, *http.Request){}, hits: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.RequestURI()]++
		h := s.docs[r.URL.RequestURI()]
		s.mu.Unlock()
		s.served.Add(1)
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *asServer) handle(path string, h func(w http.ResponseWriter, r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs[path] = h
}

// serveDoc serves a valid metadata document naming issuer at path.
func (s *asServer) serveDoc(path, issuer string) {
	s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(validMetadata(issuer))
	})
}

func (s *asServer) hitsOf(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func validMetadata(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/authorize",
		"token_endpoint":                        issuer + "/token",
		"jwks_uri":                              issuer + "/jwks",
		"registration_endpoint":                 issuer + "/register",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token"},
		"code_challenge_methods_supported":      []string{"S256"},
		"client_id_metadata_document_supported": true,
		"x_vendor_extension":                    map[string]any{"kept": true},
	}
}

func TestFetchServerConfigByType(t *testing.T) {
	srv := newASServer(t)
	root := srv.URL
	path := srv.URL + "/tenant"
	srv.serveDoc("/.well-known/oauth-authorization-server", root)
	srv.serveDoc("/.well-known/openid-configuration", root)
	srv.serveDoc("/.well-known/oauth-authorization-server/tenant", path)
	srv.serveDoc("/tenant/.well-known/openid-configuration", path)
	ctx := context.Background()
	for _, tt := range []struct {
		issuer string
		typ    ServerType
		hit    string
	}{
		{root, ServerTypeOAuth, "/.well-known/oauth-authorization-server"},
		{root, ServerTypeOIDC, "/.well-known/openid-configuration"},
		{path, ServerTypeOAuth, "/.well-known/oauth-authorization-server/tenant"},
		{path, ServerTypeOIDC, "/tenant/.well-known/openid-configuration"},
	} {
		before := srv.hitsOf(tt.hit)
		cfg, err := FetchServerConfig(ctx, tt.issuer, tt.typ, nil)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.typ, tt.issuer, err)
		}
		if cfg.Type != tt.typ || cfg.Metadata.Issuer != tt.issuer || cfg.Metadata.JWKSURI != tt.issuer+"/jwks" {
			t.Errorf("%s %s: got %+v", tt.typ, tt.issuer, cfg)
		}
		if srv.hitsOf(tt.hit) != before+1 {
			t.Errorf("%s %s: %s not fetched", tt.typ, tt.issuer, tt.hit)
		}
		if string(cfg.Metadata.Extra["x_vendor_extension"]) != `{"kept":true}` {
			t.Errorf("extension member lost: %s", cfg.Metadata.Extra["x_vendor_extension"])
		}
	}
}

func TestFetchServerConfigAuto(t *testing.T) {
	ctx := context.Background()
	t.Run("only the third URL answers", func(t *testing.T) {
		srv := newASServer(t)
		issuer := srv.URL + "/tenant1"
		srv.serveDoc("/tenant1/.well-known/openid-configuration", issuer)
		cfg, err := FetchServerConfig(ctx, issuer, ServerTypeAuto, nil)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Type != ServerTypeOIDC {
			t.Errorf("type = %s, want oidc", cfg.Type)
		}
		for _, p := range []string{"/.well-known/oauth-authorization-server/tenant1", "/.well-known/openid-configuration/tenant1", "/tenant1/.well-known/openid-configuration"} {
			if srv.hitsOf(p) != 1 {
				t.Errorf("%s fetched %d times, want 1", p, srv.hitsOf(p))
			}
		}
	})
	t.Run("first URL wins", func(t *testing.T) {
		srv := newASServer(t)
		issuer := srv.URL + "/t"
		srv.serveDoc("/.well-known/oauth-authorization-server/t", issuer)
		srv.serveDoc("/t/.well-known/openid-configuration", issuer)
		cfg, err := FetchServerConfig(ctx, issuer, "", nil)
		if err != nil || cfg.Type != ServerTypeOAuth {
			t.Fatalf("got %v, %v", cfg, err)
		}
		if srv.hitsOf("/t/.well-known/openid-configuration") != 0 {
			t.Error("later location fetched after a match")
		}
	})
	t.Run("root issuer falls back to OIDC", func(t *testing.T) {
		srv := newASServer(t)
		srv.serveDoc("/.well-known/openid-configuration", srv.URL)
		cfg, err := FetchServerConfig(ctx, srv.URL, ServerTypeAuto, nil)
		if err != nil || cfg.Type != ServerTypeOIDC {
			t.Fatalf("got %v, %v", cfg, err)
		}
	})
	t.Run("mismatching document skipped", func(t *testing.T) {
		srv := newASServer(t)
		issuer := srv.URL + "/t"
		srv.serveDoc("/.well-known/oauth-authorization-server/t", srv.URL+"/other")
		srv.serveDoc("/.well-known/openid-configuration/t", issuer)
		cfg, err := FetchServerConfig(ctx, issuer, ServerTypeAuto, nil)
		if err != nil || cfg.Metadata.Issuer != issuer {
			t.Fatalf("got %v, %v", cfg, err)
		}
	})
	t.Run("none matches names the mismatch", func(t *testing.T) {
		srv := newASServer(t)
		issuer := srv.URL + "/t"
		srv.serveDoc("/t/.well-known/openid-configuration", issuer+"/")
		_, err := FetchServerConfig(ctx, issuer, ServerTypeAuto, nil)
		var de *DiscoveryError
		var me *IssuerMismatchError
		if !errors.As(err, &de) || len(de.Attempts) != 3 || !errors.As(err, &me) {
			t.Fatalf("err = %v", err)
		}
		if me.Expected != issuer || me.Actual != issuer+"/" || !errors.Is(err, ErrIssuerMismatch) {
			t.Errorf("mismatch = %+v", me)
		}
		if !strings.Contains(err.Error(), issuer+"/") || de.Temporary() {
			t.Errorf("message %q, temporary %v", err, de.Temporary())
		}
	})
	t.Run("nothing answers", func(t *testing.T) {
		srv := newASServer(t)
		_, err := FetchServerConfig(ctx, srv.URL, ServerTypeAuto, nil)
		var de *DiscoveryError
		if !errors.As(err, &de) || len(de.Attempts) != 2 || !errors.Is(err, ErrUnexpectedStatus) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestFetchServerConfigByWellKnownURL(t *testing.T) {
	srv := newASServer(t)
	srv.serveDoc("/custom/metadata.json", "https://issuer.example.com/elsewhere")
	cfg, err := FetchServerConfigByWellKnownURL(context.Background(), srv.URL+"/custom/metadata.json", ServerTypeOIDC, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Type != ServerTypeOIDC || cfg.Metadata.Issuer != "https://issuer.example.com/elsewhere" {
		t.Errorf("got %+v", cfg)
	}
	if srv.hitsOf("/custom/metadata.json") != 1 {
		t.Error("exact URL not fetched")
	}
	_, err = FetchServerConfigByWellKnownURL(context.Background(), srv.URL+"/missing", ServerTypeOAuth, nil)
	var fe *FetchError
	if !errors.As(err, &fe) || fe.StatusCode != 404 || fe.URL != srv.URL+"/missing" {
		t.Fatalf("err = %v", err)
	}
}

func TestFetchServerConfigFailures(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	srv := newASServer(t)
	issuer := srv.URL
	const p = "/.well-known/oauth-authorization-server"
	writeJSON := func(body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }
	}
	doc := func(mutate func(map[string]any)) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			m := validMetadata(issuer)
			mutate(m)
			json.NewEncoder(w).Encode(m)
		}
	}
	tests := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
		client  *http.Client
		want    error
		status  int
		temp    bool
	}{
		{"404", nil, nil, ErrUnexpectedStatus, 404, false},
		{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }, nil, ErrUnexpectedStatus, 500, true},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-block:
			case <-r.Context().Done():
			}
		}, &http.Client{Timeout: 50 * time.Millisecond}, nil, 0, true},
		{"over 1 MiB", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"issuer":"` + strings.Repeat("a", MaxResponseBytes) + `"}`))
		}, nil, ErrResponseTooLarge, 200, false},
		{"not JSON", writeJSON("<html>hello</html>"), nil, ErrNotJSON, 200, false},
		{"JSON array", writeJSON(`[{"issuer":"x"}]`), nil, ErrNotJSON, 200, false},
		{"JSON null", writeJSON(`null`), nil, ErrNotJSON, 200, false},
		{"trailing data", writeJSON(`{"issuer":"x"} {}`), nil, ErrNotJSON, 200, false},
		{"empty object", writeJSON(`{}`), nil, ErrInvalidServerMetadata, 200, false},
		{"missing response_types_supported", doc(func(m map[string]any) { delete(m, "response_types_supported") }), nil, ErrInvalidServerMetadata, 200, false},
		{"missing token_endpoint", doc(func(m map[string]any) { delete(m, "token_endpoint") }), nil, ErrInvalidServerMetadata, 200, false},
		{"wrong member type", doc(func(m map[string]any) { m["scopes_supported"] = "read write" }), nil, ErrInvalidServerMetadata, 200, false},
		{"issuer trailing slash", doc(func(m map[string]any) { m["issuer"] = issuer + "/" }), nil, ErrIssuerMismatch, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.handle(p, tt.handler)
			_, err := FetchServerConfig(context.Background(), issuer, ServerTypeOAuth, &DiscoveryOptions{HTTPClient: tt.client})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var fe *FetchError
			if errors.As(err, &fe) {
				if fe.StatusCode != tt.status || fe.URL != issuer+p {
					t.Errorf("FetchError %+v", fe)
				}
				if fe.Temporary() != tt.temp {
					t.Errorf("Temporary() = %v", fe.Temporary())
				}
			} else if tt.want != ErrIssuerMismatch {
				t.Errorf("not a FetchError: %T", err)
			}
		})
	}
	t.Run("mismatch names both issuers", func(t *testing.T) {
		srv.handle(p, doc(func(m map[string]any) { m["issuer"] = "https://evil.example.com" }))
		_, err := FetchServerConfig(context.Background(), issuer, ServerTypeOAuth, nil)
		var me *IssuerMismatchError
		if !errors.As(err, &me) || me.Expected != issuer || me.Actual != "https://evil.example.com" || me.URL != issuer+p {
			t.Fatalf("err = %v", err)
		}
		if !strings.Contains(err.Error(), issuer) || !strings.Contains(err.Error(), "evil.example.com") {
			t.Errorf("message %q", err)
		}
	})
}

func TestTranspile(t *testing.T) {
	srv := newASServer(t)
	srv.handle("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		m := validMetadata(srv.URL)
		delete(m, "response_types_supported")
		json.NewEncoder(w).Encode(m)
	})
	ctx := context.Background()
	if _, err := FetchServerConfig(ctx, srv.URL, ServerTypeOIDC, nil); !errors.Is(err, ErrInvalidServerMetadata) {
		t.Fatalf("without transpile: %v", err)
	}
	add := func(m map[string]any) (map[string]any, error) {
		m["response_types_supported"] = []string{"code"}
		return m, nil
	}
	cfg, err := FetchServerConfig(ctx, srv.URL, ServerTypeOIDC, &DiscoveryOptions{Transpile: add})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(cfg.Metadata.ResponseTypesSupported) != "[code]" {
		t.Errorf("response types %v", cfg.Metadata.ResponseTypesSupported)
	}
	boom := errors.New("boom")
	_, err = FetchServerConfig(ctx, srv.URL, ServerTypeOIDC, &DiscoveryOptions{Transpile: func(map[string]any) (map[string]any, error) { return nil, boom }})
	if !errors.Is(err, boom) || !errors.Is(err, ErrInvalidServerMetadata) {
		t.Fatalf("transpile error: %v", err)
	}
	_, err = FetchServerConfig(ctx, srv.URL, ServerTypeOIDC, &DiscoveryOptions{Transpile: func(map[string]any) (map[string]any, error) { return nil, nil }})
	if !errors.Is(err, ErrInvalidServerMetadata) {
		t.Fatalf("transpile to nil: %v", err)
	}
}

// TestMetadataNotAnObject: a metadata body that is not a JSON object (null,
// an array, a number, a string, nothing, broken JSON) is invalid server
// metadata, and says it is not JSON.
func TestMetadataNotAnObject(t *testing.T) {
	for _, body := range []string{"null", "[]", "42", `"x"`, "", "{"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		_, err := FetchServerConfig(context.Background(), srv.URL, ServerTypeOAuth, nil)
		srv.Close()
		var fe *FetchError
		if !errors.Is(err, ErrInvalidServerMetadata) || !errors.Is(err, ErrNotJSON) || !errors.As(err, &fe) || fe.Temporary() {
			t.Errorf("%q: %v", body, err)
		}
	}
}
