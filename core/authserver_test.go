package mcpauth_test

import (
	"encoding/json"
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

// metadataPaths are where a root issuer's metadata is discovered.
var metadataPaths = []string{mcpauth.OAuthWellKnownPath, mcpauth.OIDCWellKnownPath}

// newDiscoveryRig is a rig whose authorization server is discovered on
// first use, through a client with a short timeout.
func newDiscoveryRig(t *testing.T) *rig {
	return newRig(t, rigOptions{lazy: true, resource: func(p *mcpauth.ProtectedResource) {
		client := &http.Client{Timeout: 200 * time.Millisecond}
		p.AuthServers[0] = mcpauth.DiscoverAuthServer(p.AuthServers[0].Issuer(), mcpauth.ServerTypeAuto, &mcpauth.DiscoveryOptions{HTTPClient: client})
	}})
}

func TestHostileMetadata(t *testing.T) {
	evil, evilHits := countingServer(t, []byte(`{}`))
	unusable := `{"error":"server_error","error_description":"The authorization server's metadata cannot be used.","error_code":"server_error"}`
	tests := []struct {
		name    string
		handler func(r *rig) http.HandlerFunc
		status  int
	}{
		{"over 1 MiB", func(r *rig) http.HandlerFunc {
			doc := r.as.Metadata()
			doc["pad"] = strings.Repeat("a", mcpauth.MaxResponseBytes)
			b, _ := json.Marshal(doc)
			return writeBody(string(b))
		}, 500},
		{"a body that never ends", func(*rig) http.HandlerFunc { return endless(t) }, 503},
		{"a flood that never ends", func(*rig) http.HandlerFunc { return flood }, 500},
		{"redirect loop", func(*rig) http.HandlerFunc {
			return func(w http.ResponseWriter, req *http.Request) { http.Redirect(w, req, req.URL.Path, http.StatusFound) }
		}, 500},
		{"redirect to another host", func(*rig) http.HandlerFunc {
			return func(w http.ResponseWriter, req *http.Request) {
				http.Redirect(w, req, evil.URL+req.URL.Path, http.StatusFound)
			}
		}, 500},
		{"HTML", func(*rig) http.HandlerFunc { return writeBody("<html>maintenance</html>") }, 500},
		{"issuer of an impostor", func(r *rig) http.HandlerFunc {
			doc := r.as.Metadata()
			doc["issuer"] = "https://impostor.example.com"
			b, _ := json.Marshal(doc)
			return writeBody(string(b))
		}, 500},
		{"issuer with a trailing slash", func(r *rig) http.HandlerFunc {
			doc := r.as.Metadata()
			doc["issuer"] = r.as.Issuer + "/"
			b, _ := json.Marshal(doc)
			return writeBody(string(b))
		}, 500},
		{"500", func(*rig) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "internal detail", 500) }
		}, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newDiscoveryRig(t)
			misbehave(r, metadataPaths, tt.handler(r))
			rec := r.bearer(r.as.Mint(nil))
			if tt.status == 503 {
				expectUnavailable(t, rec)
			} else {
				expect(t, rec, 500, "")
				if rec.Body.String() != unusable {
					t.Fatalf("body %s", rec.Body)
				}
			}
			host := strings.TrimPrefix(r.as.URL, "http://")
			for _, leak := range []string{host, "mcpauth", "impostor", "internal detail"} {
				if strings.Contains(rec.Body.String(), leak) {
					t.Fatalf("the answer leaks %q: %s", leak, rec.Body)
				}
			}
			if r.calls.Load() != 0 || evilHits.Load() != 0 || r.jwksRequests() != 0 {
				t.Fatalf("handler ran %d times; attacker's server got %d requests; key set fetched %d times",
					r.calls.Load(), evilHits.Load(), r.jwksRequests())
			}
			// A failed discovery is not remembered: the first request after
			// the backoff window tries again.
			misbehave(r, nil, nil)
			r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
			expect(t, r.bearer(r.as.Mint(nil)), 200, "")
		})
	}
}

// TestFlappingAuthorizationServer has the metadata and key-set endpoints fail
// with 500 and recover, in turn: 503 with Retry-After while a request needs
// what cannot be fetched, cached keys answering while the key set is down,
// and normal answers as soon as the server is back.
func TestFlappingAuthorizationServer(t *testing.T) {
	r := newDiscoveryRig(t)
	var metadataDown, keysDown atomic.Bool
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		down := keysDown.Load() && req.URL.Path == r.as.Path("/jwks")
		for _, p := range metadataPaths {
			down = down || (metadataDown.Load() && req.URL.Path == p)
		}
		if down {
			http.Error(w, "upstream failure", http.StatusInternalServerError)
		}
		return down
	})
	steps := []struct {
		name           string
		metadata, keys bool // up
		advance        time.Duration
		newKey         bool
		status         int
	}{
		{name: "metadata down at start", keys: true, status: 503},
		{name: "metadata back, after the backoff window", metadata: true, keys: true, advance: mcpauth.DefaultJWKSMinRefreshInterval, status: 200},
		{name: "key set down, keys cached", metadata: true, advance: mcpauth.DefaultJWKSRefreshInterval, status: 200},
		{name: "key set still down, cached keys again", metadata: true, status: 200},
		{name: "key set down, a new key", metadata: true, advance: mcpauth.DefaultJWKSMinRefreshInterval, newKey: true, status: 503},
		{name: "key set back", metadata: true, keys: true, advance: mcpauth.DefaultJWKSMinRefreshInterval, status: 200},
		{name: "both down, everything known", status: 200},
	}
	for _, s := range steps {
		metadataDown.Store(!s.metadata)
		keysDown.Store(!s.keys)
		r.clock.Advance(s.advance)
		if s.newKey {
			k, err := r.as.AddKey("ES256")
			if err != nil {
				t.Fatal(err)
			}
			r.as.UseKey(k)
		}
		before := r.calls.Load()
		rec := r.bearer(r.as.Mint(nil))
		if s.status == 503 {
			expectUnavailable(t, rec)
		} else {
			expect(t, rec, s.status, "")
		}
		if ran := r.calls.Load() != before; ran != (s.status == 200) {
			t.Fatalf("%s: handler ran: %v", s.name, ran)
		}
	}
}

// TestDiscoveryBackoff: while an issuer's metadata cannot be fetched,
// requests bearing forged tokens that name it cause at most one discovery
// round per backoff window, however many arrive; the others are answered
// 503 with Retry-After equal to the time left in the window, which starts
// at the key sets' minimum refresh interval and doubles on each failure.
func TestDiscoveryBackoff(t *testing.T) {
	r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Path: "/tenant"}})
	var fetches atomic.Int64
	var down atomic.Bool
	down.Store(true)
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		if !strings.Contains(req.URL.Path, "/.well-known/") {
			return false
		}
		fetches.Add(1)
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	stranger, err := authtest.NewKey("stranger", "RS256")
	if err != nil {
		t.Fatal(err)
	}
	forged := r.as.MintWith(authtest.MintOptions{Key: stranger})
	storm := func(wantStatus int, wantRetry string) {
		t.Helper()
		const n = 1000
		recs := make([]*httptest.ResponseRecorder, n)
		var wg sync.WaitGroup
		for i := range recs {
			wg.Go(func() { recs[i] = r.bearer(forged) })
		}
		wg.Wait()
		for _, rec := range recs {
			if rec.Code != wantStatus || rec.Header().Get("Retry-After") != wantRetry {
				t.Fatalf("status %d Retry-After %q, want %d %q", rec.Code, rec.Header().Get("Retry-After"), wantStatus, wantRetry)
			}
		}
	}
	const round = 3 // the MCP order tries three well-known URLs for a path issuer
	window := mcpauth.DefaultJWKSMinRefreshInterval

	storm(503, "30")
	if n := fetches.Load(); n != round {
		t.Fatalf("%d metadata fetches for the first window, want one round (%d)", n, round)
	}
	r.clock.Advance(10 * time.Second)
	expect(t, r.bearer(forged), 503, "")
	if rec := r.bearer(forged); rec.Header().Get("Retry-After") != "20" || fetches.Load() != round {
		t.Fatalf("Retry-After %q after 10 s of the window, %d fetches", rec.Header().Get("Retry-After"), fetches.Load())
	}
	r.clock.Advance(window - 10*time.Second)
	storm(503, "60") // the window doubles after a second failure
	if n := fetches.Load(); n != 2*round {
		t.Fatalf("%d metadata fetches after the second window, want %d", n, 2*round)
	}
	for range 10 { // up to the cap
		r.clock.Advance(mcpauth.MaxDiscoveryBackoff)
		r.bearer(forged)
	}
	if rec := r.bearer(forged); rec.Header().Get("Retry-After") != "300" {
		t.Fatalf("Retry-After %q at the cap", rec.Header().Get("Retry-After"))
	}
	down.Store(false)
	r.clock.Advance(mcpauth.MaxDiscoveryBackoff)
	before := fetches.Load()
	storm(401, "")
	if n := fetches.Load() - before; n != 1 {
		t.Fatalf("%d metadata fetches after recovery, want 1", n)
	}
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
}

func TestLazyDiscoveryFailures(t *testing.T) {
	t.Run("server down: 503, then works without a restart", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true})
		token := r.as.Mint(nil)
		r.as.Stop()
		rec := r.bearer(token)
		expect(t, rec, 503, "")
		if rec.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		if err := r.as.Restart(); err != nil {
			t.Fatal(err)
		}
		r.clock.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
		expect(t, r.bearer(token), 200, "")
	})
	t.Run("issuer mismatch: 500", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { doc["issuer"] = "https://impostor.example.com" }}})
		rec := r.bearer(r.as.Mint(nil))
		expect(t, rec, 500, "")
		if strings.Contains(rec.Body.String(), "impostor") {
			t.Fatalf("internal error text sent: %s", rec.Body)
		}
	})
	t.Run("no jwks_uri discovered: 500", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { delete(doc, "jwks_uri") }}})
		expect(t, r.bearer(r.as.Mint(nil)), 500, "")
	})
	t.Run("discovery order: OIDC only at a path issuer", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true, as: &authtest.Options{Path: "/tenant", Locations: []authtest.Location{authtest.OIDCAppend}}})
		expect(t, r.bearer(r.as.Mint(nil)), 200, "")
		for _, p := range []string{"/.well-known/oauth-authorization-server/tenant", "/.well-known/openid-configuration/tenant", "/tenant/.well-known/openid-configuration"} {
			if r.as.Requests(p) != 1 {
				t.Errorf("%s requested %d times", p, r.as.Requests(p))
			}
		}
	})
}
