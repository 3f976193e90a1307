package mcpauth_test

import (
	"bytes"
	"crypto"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
)

// Benchmarks of token verification and of the net/http middleware. Each
// benchmark runs its baseline as a sibling sub-benchmark, so that ratios
// come from one run (see BENCHMARKS.md; benchstat -col /impl or /auth).

// sink keeps benchmark results alive, so that the compiler cannot keep on
// the stack what a real caller receives on the heap.
var sink *mcpauth.AuthInfo

// benchRig is a bearer in front of a test authorization server signing
// with one algorithm, and a typical token of that server.
type benchRig struct {
	bearer *mcpauth.Bearer
	token  string
	key    crypto.PublicKey
}

func newBenchRig(b *testing.B, alg string, cache mcpauth.TokenCacheOptions, opts *mcpauth.BearerOptions) *benchRig {
	b.Helper()
	as := authtest.NewServer(&authtest.Options{Algorithm: alg, Audience: resourceID})
	b.Cleanup(as.Close)
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID, ScopesSupported: []string{"read", "write"}},
			AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
		}},
		TokenCache: cache,
		Logger:     quiet,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { auth.Close() })
	if opts == nil {
		opts = &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}
	}
	bearer, err := auth.NewBearer(opts)
	if err != nil {
		b.Fatal(err)
	}
	r := &benchRig{bearer: bearer, token: as.Mint(authtest.Claims{"scope": "read write"}), key: as.SigningKey().Public()}
	if _, err := bearer.Authenticate(r.request()); err != nil { // fetches the key set
		b.Fatal(err)
	}
	return r
}

func (r *benchRig) request() *http.Request {
	req := httptest.NewRequest(http.MethodPost, resourceID, nil)
	req.Header.Set("Authorization", "Bearer "+r.token)
	return req
}

// verifyImpl is one way of checking a token.
type verifyImpl struct {
	name string
	rig  *benchRig
	run  func(*http.Request) error
}

// verifyImpls are the three ways a token is checked: golang-jwt's own
// parse-and-verify (MapClaims, the key given directly, its default claim
// validation), the library without its cache (cold), and with it (cached).
func verifyImpls(b *testing.B, alg string) []verifyImpl {
	cold := newBenchRig(b, alg, mcpauth.TokenCacheOptions{Disabled: true}, nil)
	cached := newBenchRig(b, alg, mcpauth.TokenCacheOptions{}, nil)
	parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}))
	keyfunc := func(*jwt.Token) (any, error) { return cold.key, nil }
	authenticate := func(r *benchRig) func(*http.Request) error {
		return func(req *http.Request) (err error) {
			sink, err = r.bearer.Authenticate(req)
			return err
		}
	}
	return []verifyImpl{
		{"golang-jwt", cold, func(*http.Request) error {
			_, err := parser.ParseWithClaims(cold.token, jwt.MapClaims{}, keyfunc)
			return err
		}},
		{"cold", cold, authenticate(cold)},
		{"cached", cached, authenticate(cached)},
	}
}

// BenchmarkVerify: the library's Bearer.Authenticate (extraction,
// verification, issuer, audience, expiry and scope checks, the AuthInfo
// copy), cold and cached, against golang-jwt's parse-and-verify alone with
// the same key and claims.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		for _, impl := range verifyImpls(b, alg) {
			b.Run("alg="+alg+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				req := impl.rig.request()
				for b.Loop() {
					if err := impl.run(req); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkVerifyParallel is BenchmarkVerify from GOMAXPROCS goroutines.
func BenchmarkVerifyParallel(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		for _, impl := range verifyImpls(b, alg) {
			b.Run("alg="+alg+"/impl="+impl.name, func(b *testing.B) {
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					req := impl.rig.request()
					for pb.Next() {
						if err := impl.run(req); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		}
	}
}

// BenchmarkVerifyPaired measures golang-jwt and the cold library side by
// side in every iteration, alternating which goes first, and reports the
// ratio of their total times (cold/golang-jwt). On a shared machine, load
// that comes and goes then weighs on both alike, where separate
// sub-benchmarks would catch it in one and not the other.
func BenchmarkVerifyPaired(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		impls := verifyImpls(b, alg)
		jwtImpl, cold := impls[0], impls[1]
		b.Run("alg="+alg, func(b *testing.B) {
			b.ReportAllocs()
			req := cold.rig.request()
			var sums [2]time.Duration
			for i := 0; b.Loop(); i++ {
				for j := range 2 {
					side := (i + j) % 2 // 0: golang-jwt, 1: cold
					impl := [2]verifyImpl{jwtImpl, cold}[side]
					t0 := time.Now()
					if err := impl.run(req); err != nil {
						b.Fatal(err)
					}
					sums[side] += time.Since(t0)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(sums[0].Nanoseconds())/n, "golang-jwt-ns/op")
			b.ReportMetric(float64(sums[1].Nanoseconds())/n, "cold-ns/op")
			b.ReportMetric(float64(sums[1])/float64(sums[0]), "cold/golang-jwt")
		})
	}
}

// BenchmarkMiddleware: core's net/http middleware on an http.ServeMux
// route, a cache hit per request, against the same mux without it.
func BenchmarkMiddleware(b *testing.B) {
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	plain, protected := http.NewServeMux(), http.NewServeMux()
	plain.Handle(adaptertest.PathMCP, ok)
	protected.Handle(adaptertest.PathMCP, bench.Auth.Middleware(bench.Options)(ok))
	bench.Run(b, plain, protected)
}

// BenchmarkMiddlewareAlone: Bearer.Middleware around a handler that does
// nothing, with no router: its allocations are the middleware's own
// (Authenticate's AuthInfo, the context value, the request copy).
func BenchmarkMiddlewareAlone(b *testing.B) {
	bench := adaptertest.NewBench(b, mcpauth.TokenCacheOptions{})
	nop := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	for _, side := range []struct {
		name    string
		handler http.Handler
	}{{"none", nop}, {"bearer", bench.Auth.Middleware(bench.Options)(nop)}} {
		b.Run("auth="+side.name, func(b *testing.B) {
			b.ReportAllocs()
			req, w := bench.Request(), httptest.NewRecorder()
			side.handler.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
			for b.Loop() {
				side.handler.ServeHTTP(w, req)
			}
		})
	}
}

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
