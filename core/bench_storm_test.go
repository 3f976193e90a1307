package mcpauth_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// typicalToolsCall is a typical MCP tools/call request body.
var typicalToolsCall = []byte(`{"jsonrpc":"2.0","id":42,"method":"tools/call","params":{"name":"create-todo",` +
	`"arguments":{"content":"Buy milk and eggs on the way home","priority":2,"tags":["shopping","errands"]},` +
	`"_meta":{"progressToken":"progress-7f3a"}}}`)

// BenchmarkScopePolicy: a cached token's authentication with the MCP
// scope policy reading a tools/call body (policy=tools) against the same
// bearer without a policy (policy=none). For scale, decode=json is what
// a JSON-RPC server spends decoding the same body into a message struct.
func BenchmarkScopePolicy(b *testing.B) {
	policy := &mcpauth.ScopePolicy{
		Methods: map[string][]string{"tools/call": {"read"}},
		Tools:   map[string][]string{"create-todo": {"write"}, "delete-todo": {"write"}},
	}
	for _, side := range []struct {
		name   string
		policy *mcpauth.ScopePolicy
	}{{"none", nil}, {"tools", policy}} {
		r := newBenchRig(b, "RS256", mcpauth.TokenCacheOptions{}, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}, Policy: side.policy})
		b.Run("policy="+side.name, func(b *testing.B) {
			b.ReportAllocs()
			req := r.request()
			req.ContentLength = int64(len(typicalToolsCall)) // as a server sets it
			body := bytes.NewReader(typicalToolsCall)
			rc := io.NopCloser(body)
			for b.Loop() {
				body.Reset(typicalToolsCall)
				req.Body = rc
				info, err := r.bearer.Authenticate(req)
				if err != nil {
					b.Fatal(err)
				}
				sink = info
			}
		})
	}
	b.Run("decode=json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var msg struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Method  string          `json:"method"`
				Params  struct {
					Name      string         `json:"name"`
					Arguments map[string]any `json:"arguments"`
				} `json:"params"`
			}
			if err := json.Unmarshal(typicalToolsCall, &msg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// stormSize is the number of concurrent requests of one storm.
const stormSize = 1000

// BenchmarkKidStorm: one op is a storm of stormSize concurrent requests,
// each in a new rate-limit window (the fake clock moves on by the minimum
// refresh interval between storms). With kid=unknown every request bears a
// token signed by a key in no key set; with kid=known, a valid token with
// the cache off (each request verifies a signature), the baseline. Reported:
// JWKS fetches per storm, and the longest any request waited (wall clock).
func BenchmarkKidStorm(b *testing.B) {
	for _, kid := range []string{"known", "unknown"} {
		b.Run("kid="+kid, func(b *testing.B) {
			clk := newClock()
			as := authtest.NewServer(&authtest.Options{Audience: resourceID, Now: clk.Now})
			b.Cleanup(as.Close)
			auth, err := mcpauth.New(mcpauth.Config{
				ProtectedResources: []mcpauth.ProtectedResource{{
					Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID},
					AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
				}},
				TokenCache: mcpauth.TokenCacheOptions{Disabled: true},
				Logger:     quiet,
			}.WithClock(clk.Now))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { auth.Close() })
			bearer, _ := auth.NewBearer(nil)
			// Valid for as many storms as a benchmark runs.
			token, want := as.Mint(authtest.Claims{"exp": clk.Now().Add(10 * 365 * 24 * time.Hour).Unix()}), mcpauth.Code("")
			if _, err := bearer.Authenticate(stormRequest(token)); err != nil { // the first fetch
				b.Fatal(err)
			}
			if kid == "unknown" {
				stranger, _ := authtest.NewKey("stranger", "RS256")
				token, want = as.MintWith(authtest.MintOptions{Key: stranger}), mcpauth.CodeInvalidToken
			}
			var fetches int
			var maxWait time.Duration
			for b.Loop() {
				clk.Advance(mcpauth.DefaultJWKSMinRefreshInterval)
				before := as.Requests(as.Path("/jwks"))
				maxWait = max(maxWait, storm(b, bearer, token, want))
				fetches += as.Requests(as.Path("/jwks")) - before
			}
			b.ReportMetric(float64(fetches)/float64(b.N), "fetches/storm")
			b.ReportMetric(float64(maxWait)/float64(time.Millisecond), "max-wait-ms")
		})
	}
}

func stormRequest(token string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// storm sends stormSize concurrent requests bearing token, released
// together, checks each is answered with want ("" for success), and
// returns the longest wait.
func storm(b *testing.B, bearer *mcpauth.Bearer, token string, want mcpauth.Code) time.Duration {
	start := make(chan struct{})
	waits := make([]time.Duration, stormSize)
	codes := make([]mcpauth.Code, stormSize)
	var wg sync.WaitGroup
	for i := range stormSize {
		req := stormRequest(token)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			_, err := bearer.Authenticate(req)
			waits[i] = time.Since(t0)
			if err != nil {
				codes[i] = asError(err).Code
			}
		}()
	}
	close(start)
	wg.Wait()
	var longest time.Duration
	for i := range stormSize {
		if codes[i] != want {
			b.Fatalf("request %d: code %q, want %q", i, codes[i], want)
		}
		longest = max(longest, waits[i])
	}
	return longest
}
