package dpop_test

import (
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/core/internal/dpop"
)

// FuzzParse reads arbitrary proofs: never a panic, and a proof accepted
// has a key with a thumbprint and the claims a proof must have.
func FuzzParse(f *testing.F) {
	f.Add(rfcProof)
	for _, alg := range []string{"ES256", "RS256", "EdDSA"} {
		k, err := authtest.NewKey("", alg)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(k.Proof("POST", "https://mcp.example.com/mcp", "token"))
	}
	f.Add("e30.e30.AA")
	f.Add("..")
	f.Fuzz(func(t *testing.T, proof string) {
		p, err := dpop.Parse(proof, allAlgs)
		if err != nil {
			if p != nil {
				t.Fatal("a proof and an error")
			}
			return
		}
		if p.Key == nil || len(p.Key.Thumbprint) != 43 || p.JTI == "" || p.HTM == "" || p.HTU == "" {
			t.Fatalf("accepted %+v", p)
		}
		p.Check(dpop.Expect{Method: "POST", URL: "https://mcp.example.com/mcp", AccessToken: "token", Now: time.Now(), Window: time.Minute})
	})
}

// FuzzNormalizeURL: never a panic; a normalised URL is a fixed point and
// has no query or fragment.
func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"https://mcp.example.com/mcp", "HTTP://[::1]:80/a/../b?c#d", "https://x/%2e%2E/%7e", "https://x:443"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := dpop.NormalizeURL(raw)
		if err != nil {
			return
		}
		again, err := dpop.NormalizeURL(u)
		if err != nil || again != u || strings.ContainsAny(u, "?#") {
			t.Fatalf("%q → %q → %q %v", raw, u, again, err)
		}
	})
}
