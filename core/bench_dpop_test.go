package mcpauth_test

import (
	"crypto"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// dpopBench is a DPoP request's parts: a bearer accepting DPoP, a token
// bound to the client's key (verified once, so that each request is a
// token-cache hit), and n distinct proofs of that key for n requests (a
// proof is accepted once).
type dpopBench struct {
	bearer *mcpauth.Bearer
	token  string
	proofs []string
	key    crypto.PublicKey // the proofs' public key
}

func newDPoPBench(b *testing.B, alg string, n int) *dpopBench {
	b.Helper()
	as := authtest.NewServer(&authtest.Options{Audience: resourceID})
	b.Cleanup(as.Close)
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID},
			AuthServers: []*mcpauth.AuthServer{mcpauth.NewAuthServer(manualConfig(as))},
			DPoP:        &mcpauth.DPoPOptions{ReplayStore: mcpauth.NewMemoryReplayStore(2*n + 1024)},
		}},
		Logger: quiet,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { auth.Close() })
	bearer, err := auth.NewBearer(nil)
	if err != nil {
		b.Fatal(err)
	}
	k, err := authtest.NewKey("", alg)
	if err != nil {
		b.Fatal(err)
	}
	d := &dpopBench{bearer: bearer, token: as.Mint(authtest.Claims{"cnf": k.Confirmation()}), key: k.Public()}
	for range n + 1 {
		d.proofs = append(d.proofs, k.Proof(http.MethodPost, resourceID, d.token))
	}
	if _, err := bearer.Authenticate(d.request(n)); err != nil { // fills the token cache
		b.Fatal(err)
	}
	return d
}

// request is a DPoP request with proof i.
func (d *dpopBench) request(i int) *http.Request {
	req := httptest.NewRequest(http.MethodPost, resourceID, nil)
	req.Header.Set("Authorization", "DPoP "+d.token)
	req.Header.Set("DPoP", d.proofs[i])
	return req
}

// dpopImpls are golang-jwt's parse-and-verify of the proof (MapClaims, the
// key given directly), the raw cost of its signature; and the library's
// whole decision on a DPoP request whose token is a cache hit: the proof
// (its jwk, signature, claims, htm, htu, iat, ath), the binding, the
// replay store.
func dpopImpls(d *dpopBench, alg string) map[string]func(i int, req *http.Request) error {
	parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}))
	keyfunc := func(*jwt.Token) (any, error) { return d.key, nil }
	return map[string]func(int, *http.Request) error{
		"golang-jwt": func(i int, _ *http.Request) error {
			_, err := parser.ParseWithClaims(d.proofs[i], jwt.MapClaims{}, keyfunc)
			return err
		},
		"dpop": func(_ int, req *http.Request) (err error) {
			sink, err = d.bearer.Authenticate(req)
			return err
		},
	}
}

// BenchmarkDPoP: a DPoP request on a token-cache hit against golang-jwt's
// verification of the same proofs (issue 15: at most 1.3 ×).
func BenchmarkDPoP(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		for _, name := range []string{"golang-jwt", "dpop"} {
			b.Run("alg="+alg+"/impl="+name, func(b *testing.B) {
				d := newDPoPBench(b, alg, b.N)
				run := dpopImpls(d, alg)[name]
				reqs := make([]*http.Request, b.N)
				for i := range reqs {
					reqs[i] = d.request(i)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := run(i, reqs[i]); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDPoPPaired runs both sides of BenchmarkDPoP in every iteration,
// alternating which goes first, and reports the ratio of their total times
// (dpop/golang-jwt), which load on a shared machine weighs on alike.
func BenchmarkDPoPPaired(b *testing.B) {
	for _, alg := range []string{"ES256", "EdDSA"} {
		b.Run("alg="+alg, func(b *testing.B) {
			d := newDPoPBench(b, alg, b.N)
			impls := dpopImpls(d, alg)
			sides := [2]func(int, *http.Request) error{impls["golang-jwt"], impls["dpop"]}
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = d.request(i)
			}
			var sums [2]time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for j := range 2 {
					side := (i + j) % 2
					t0 := time.Now()
					if err := sides[side](i, reqs[i]); err != nil {
						b.Fatal(err)
					}
					sums[side] += time.Since(t0)
				}
			}
			n := float64(b.N)
			b.ReportMetric(float64(sums[0].Nanoseconds())/n, "golang-jwt-ns/op")
			b.ReportMetric(float64(sums[1].Nanoseconds())/n, "dpop-ns/op")
			b.ReportMetric(float64(sums[1])/float64(sums[0]), "dpop/golang-jwt")
		})
	}
}
