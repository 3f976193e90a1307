package dpop_test

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/core/internal/dpop"
)

var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"}

// The token-request proof of RFC 9449 §4.1 (Figure 3).
const rfcProof = "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19" +
	".eyJqdGkiOiItQndDM0VTYzZhY2MybFRjIiwiaHRtIjoiUE9TVCIsImh0dSI6Imh0dHBzOi8vc2VydmVyLmV4YW1wbGUuY29tL3Rva2VuIiwiaWF0IjoxNTYyMjYyNjE2fQ" +
	".2-GxA6T8lP4vfrg8v-FdWP0A0zdrj8igiMLvqRMUvwnQg4PtFLbdLXiOSsX0x7NVY-FNyJK70nfbV37xRZT3Lg"

func TestRFCProof(t *testing.T) {
	p, err := dpop.Parse(rfcProof, allAlgs)
	if err != nil {
		t.Fatal(err)
	}
	if p.Alg != "ES256" || p.JTI != "-BwC3ESc6acc2lTc" || p.HTM != "POST" || p.HTU != "https://server.example.com/token" ||
		p.IssuedAt.Unix() != 1562262616 || p.Key.Thumbprint != "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" {
		t.Fatalf("%+v", p)
	}
	at := time.Unix(1562262616, 0).Add(time.Minute)
	if err := p.Check(dpop.Expect{Method: "POST", URL: "https://server.example.com/token", Now: at, Window: 5 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := p.Check(dpop.Expect{Method: "POST", URL: "https://server.example.com/token", Now: at.Add(5 * time.Minute), Window: 5 * time.Minute}); err == nil {
		t.Fatal("a proof issued six minutes ago accepted with a five-minute window")
	}
}

// signRaw signs a header and claim set given as JSON text, for proofs no
// encoder would write (duplicate members).
func signRaw(t *testing.T, k *authtest.Key, header, claims string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64([]byte(header)) + "." + b64([]byte(claims))
	sig, err := jwt.GetSigningMethod(k.Algorithm).Sign(signing, k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(sig)
}

func mustKey(t *testing.T, alg string) *authtest.Key {
	k, err := authtest.NewKey("", alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestParse: RFC 9449 §4.3 checks 2 to 7, each way a proof can fail them,
// and the forms that must pass.
func TestParse(t *testing.T) {
	ec, rsa, ed, other := mustKey(t, "ES256"), mustKey(t, "RS256"), mustKey(t, "EdDSA"), mustKey(t, "ES256")
	const url = "https://mcp.example.com/mcp"
	proof := func(k *authtest.Key, p authtest.Proof) string {
		p.Method, p.URL, p.AccessToken = "POST", url, "token"
		return k.SignProof(p)
	}
	valid := proof(ec, authtest.Proof{})
	h, c, _ := strings.Cut(valid, ".")
	claims, sig, _ := strings.Cut(c, ".")
	jwkJSON := `{"kty":"EC","crv":"P-256","x":"` + ec.JWK()["x"].(string) + `","y":"` + ec.JWK()["y"].(string) + `"}`
	okClaims := `{"jti":"1","htm":"POST","htu":"` + url + `","iat":` + strconv.FormatInt(time.Now().Unix(), 10) + `}`
	tests := []struct {
		name, proof string
		algs        []string
		want        string // "" means accepted
	}{
		{"ES256", valid, nil, ""},
		{"RS256", proof(rsa, authtest.Proof{}), nil, ""},
		{"PS256", proof(rsa, authtest.Proof{Algorithm: "PS256"}), nil, ""},
		{"EdDSA", proof(ed, authtest.Proof{}), nil, ""},
		{"Ed25519 (RFC 9864)", proof(ed, authtest.Proof{Algorithm: "Ed25519"}), []string{"Ed25519"}, ""},
		{"Ed25519 with an EC key", proof(ec, authtest.Proof{Header: map[string]any{"alg": "Ed25519"}}), []string{"Ed25519"}, "cannot verify its alg Ed25519"},
		{"Ed25519 not configured", proof(ed, authtest.Proof{Algorithm: "Ed25519"}), []string{"EdDSA"}, "alg is not one of EdDSA"},
		{"typ as a full media type", proof(ec, authtest.Proof{Header: map[string]any{"typ": "application/dpop+jwt"}}), nil, ""},
		{"typ in upper case", proof(ec, authtest.Proof{Header: map[string]any{"typ": "DPoP+JWT"}}), nil, ""},
		{"fractional iat", proof(ec, authtest.Proof{Claims: authtest.Claims{"iat": float64(time.Now().Unix()) + 0.5}}), nil, ""},

		{"empty", "", nil, "not a JWT"},
		{"two parts", h + "." + claims, nil, "not a JWT"},
		{"four parts", valid + ".x", nil, "not a JWT"},
		{"too long", valid + strings.Repeat("A", dpop.MaxProofBytes), nil, "longer than"},
		{"header not base64url", "!!" + valid, nil, "header is not base64url"},
		{"header padded", h + "=." + c, nil, "header is not base64url"},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("not json")) + "." + c, nil, "header is not a JSON object"},
		{"claims not base64url", h + ".%%." + sig, nil, "claims is not base64url"},
		{"signature not base64url", h + "." + claims + ".%%", nil, "signature is not base64url"},
		{"signature empty", h + "." + claims + ".", nil, "signature is not base64url"},
		{"signature of another key", proof(ec, authtest.Proof{Header: map[string]any{"jwk": other.JWK()}}), nil, "does not verify"},
		{"signature of other claims", h + "." + strings.Split(proof(ec, authtest.Proof{}), ".")[1] + "." + sig, nil, "does not verify"},
		{"no typ", proof(ec, authtest.Proof{Header: map[string]any{"typ": authtest.Delete}}), nil, "typ header is not dpop+jwt"},
		{"typ JWT", proof(ec, authtest.Proof{Header: map[string]any{"typ": "JWT"}}), nil, "typ header is not dpop+jwt"},
		{"typ at+jwt", proof(ec, authtest.Proof{Header: map[string]any{"typ": "at+jwt"}}), nil, "typ header is not dpop+jwt"},
		{"crit", proof(ec, authtest.Proof{Header: map[string]any{"crit": []string{"exp"}, "exp": 1}}), nil, "crit"},
		{"alg none", proof(ec, authtest.Proof{Algorithm: "none"}), nil, "alg is not one of"},
		{"alg HS256", proof(ec, authtest.Proof{Algorithm: "HS256", SigningKey: []byte(jwkJSON)}), nil, "alg is not one of"},
		{"alg not configured", proof(rsa, authtest.Proof{}), []string{"ES256"}, "alg is not one of ES256"},
		{"no jwk", proof(ec, authtest.Proof{Header: map[string]any{"jwk": authtest.Delete}}), nil, "no jwk header"},
		{"jwk a string", proof(ec, authtest.Proof{Header: map[string]any{"jwk": "key"}}), nil, "no jwk header"},
		{"jwk with the private key", proof(ec, authtest.Proof{Header: map[string]any{"jwk": withD(ec.JWK())}}), nil, "private key"},
		{"EC key, RSA alg", proof(ec, authtest.Proof{Header: map[string]any{"alg": "RS256"}}), nil, "cannot verify its alg RS256"},
		{"P-256 key, ES384", proof(ec, authtest.Proof{Header: map[string]any{"alg": "ES384"}}), nil, "cannot verify its alg ES384"},
		{"RSA key, EdDSA", proof(rsa, authtest.Proof{Header: map[string]any{"alg": "EdDSA"}}), nil, "cannot verify its alg EdDSA"},
		{"duplicate header member", signRaw(t, ec, `{"typ":"dpop+jwt","alg":"ES256","alg":"ES256","jwk":`+jwkJSON+`}`, okClaims), nil, "header is not a JSON object with unique members"},
		{"duplicate claim", signRaw(t, ec, `{"typ":"dpop+jwt","alg":"ES256","jwk":`+jwkJSON+`}`, `{"jti":"1","jti":"2","htm":"POST","htu":"`+url+`","iat":1}`), nil, "claims is not a JSON object with unique members"},
		{"no jti", proof(ec, authtest.Proof{Claims: authtest.Claims{"jti": authtest.Delete}}), nil, "jti claim"},
		{"empty jti", proof(ec, authtest.Proof{Claims: authtest.Claims{"jti": ""}}), nil, "jti claim"},
		{"numeric jti", proof(ec, authtest.Proof{Claims: authtest.Claims{"jti": 12}}), nil, "jti claim"},
		{"no htm", proof(ec, authtest.Proof{Claims: authtest.Claims{"htm": authtest.Delete}}), nil, "htm claim"},
		{"no htu", proof(ec, authtest.Proof{Claims: authtest.Claims{"htu": authtest.Delete}}), nil, "htu claim"},
		{"ath a number", proof(ec, authtest.Proof{Claims: authtest.Claims{"ath": 1}}), nil, "ath claim"},
		{"nonce an object", proof(ec, authtest.Proof{Claims: authtest.Claims{"nonce": map[string]any{}}}), nil, "nonce claim"},
		{"no iat", proof(ec, authtest.Proof{Claims: authtest.Claims{"iat": authtest.Delete}}), nil, "iat claim"},
		{"iat a string", proof(ec, authtest.Proof{Claims: authtest.Claims{"iat": "1700000000"}}), nil, "iat claim"},
		{"iat negative", proof(ec, authtest.Proof{Claims: authtest.Claims{"iat": -1}}), nil, "iat claim"},
		{"iat huge", proof(ec, authtest.Proof{Claims: authtest.Claims{"iat": 1e300}}), nil, "iat claim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			algs := tt.algs
			if algs == nil {
				algs = allAlgs
			}
			_, err := dpop.Parse(tt.proof, algs)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func withD(jwk map[string]any) map[string]any {
	jwk["d"] = "AAAA"
	return jwk
}

// TestCheck: RFC 9449 §4.3 checks 8 (htm), 9 (htu), 11 (iat) and 12 (ath).
func TestCheck(t *testing.T) {
	k := mustKey(t, "ES256")
	now := time.Now()
	const url = "https://mcp.example.com/mcp"
	expect := dpop.Expect{Method: "POST", URL: url, AccessToken: "the-token", Now: now, Window: 5 * time.Minute}
	tests := []struct {
		name  string
		proof authtest.Proof
		want  string
	}{
		{"matching", authtest.Proof{}, ""},
		{"htu with a query and a fragment", authtest.Proof{URL: url + "?a=1#f"}, ""},
		{"htu in another spelling", authtest.Proof{URL: "HTTPS://MCP.Example.COM:443/./mcp"}, ""},
		{"htu with an encoded unreserved character", authtest.Proof{URL: "https://mcp.example.com/%6Dcp"}, ""},
		{"iat four minutes ago", authtest.Proof{IssuedAt: now.Add(-4 * time.Minute)}, ""},
		{"iat four minutes ahead", authtest.Proof{IssuedAt: now.Add(4 * time.Minute)}, ""},

		{"htm in lower case", authtest.Proof{Method: "post"}, "htm is not this request's method POST"},
		{"htm GET", authtest.Proof{Method: "GET"}, "htm"},
		{"htu of another path", authtest.Proof{URL: "https://mcp.example.com/other"}, "htu is not this request's URL https://mcp.example.com/mcp"},
		{"htu of another host", authtest.Proof{URL: "https://evil.example.com/mcp"}, "htu"},
		{"htu over http", authtest.Proof{URL: "http://mcp.example.com/mcp"}, "htu"},
		{"htu on another port", authtest.Proof{URL: "https://mcp.example.com:8443/mcp"}, "htu"},
		{"htu with a trailing slash", authtest.Proof{URL: url + "/"}, "htu"},
		{"htu with user information", authtest.Proof{URL: "https://user@mcp.example.com/mcp"}, "htu"},
		{"htu relative", authtest.Proof{URL: "/mcp"}, "htu"},
		{"htu another scheme", authtest.Proof{URL: "wss://mcp.example.com/mcp"}, "htu"},
		{"htu with an encoded slash", authtest.Proof{URL: "https://mcp.example.com%2Fmcp"}, "htu"},
		{"iat six minutes ago", authtest.Proof{IssuedAt: now.Add(-6 * time.Minute)}, "iat is not within 5m0s"},
		{"iat six minutes ahead", authtest.Proof{IssuedAt: now.Add(6 * time.Minute)}, "iat"},
		{"ath of another token", authtest.Proof{AccessToken: "another-token"}, "ath"},
		{"no ath", authtest.Proof{Claims: authtest.Claims{"ath": authtest.Delete}}, "ath"},
		{"ath padded", authtest.Proof{Claims: authtest.Claims{"ath": authtest.AccessTokenHash("the-token") + "="}}, "ath"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.proof
			if p.Method == "" {
				p.Method = "POST"
			}
			if p.URL == "" {
				p.URL = url
			}
			if p.AccessToken == "" {
				p.AccessToken = "the-token"
			}
			parsed, err := dpop.Parse(k.SignProof(p), allAlgs)
			if err != nil {
				t.Fatal(err)
			}
			err = parsed.Check(expect)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// TestRFCAccessTokenHash: the ath of RFC 9449 §4.2's example.
func TestRFCAccessTokenHash(t *testing.T) {
	if got := authtest.AccessTokenHash("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"); got != "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo" {
		t.Fatal(got)
	}
}
