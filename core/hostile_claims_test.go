package mcpauth_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestHostileClaims(t *testing.T) {
	// The token size limit is raised so that the 5 MiB cases reach the parser.
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{MaxTokenBytes: 8 << 20}})
	key := r.as.SigningKey()
	stranger, err := authtest.NewKey(key.ID, key.Algorithm) // another key under the trusted kid
	if err != nil {
		t.Fatal(err)
	}
	header := []byte(`{"alg":"RS256","typ":"at+jwt","kid":"key-1"}`)
	signed := func(extra string) string { return signRaw(t, key, header, rawClaims(r, extra)) }
	withHeader := func(h string) string { return signRaw(t, key, []byte(h), rawClaims(r, "")) }
	withClaims := func(c authtest.Claims) string { return r.as.Mint(c) }
	nested := func(depth int) string { return `,"x":` + strings.Repeat("[", depth) + strings.Repeat("]", depth) }
	fiveMiB := 5 << 20
	var manyMembers strings.Builder
	for i := 0; manyMembers.Len() < fiveMiB; i++ {
		fmt.Fprintf(&manyMembers, `,"m%d":0`, i)
	}

	malformed := invalidToken("The access token's claims are malformed.")
	badHeader := invalidToken("The access token's header is malformed.")
	badSignature := invalidToken("The access token's signature is invalid.")
	refuseAll(t, r, []hostileCase{
		// Nesting and size.
		{"claims nested 600 deep", signed(nested(600)), 401, malformed},
		// Deeper than encoding/json's own limit: refused before the claims are read.
		{"claims nested 20000 deep", signed(nested(20000)), 401, invalidToken("The access token is malformed.")},
		{"5 MiB of nesting", signed(nested(fiveMiB / 2)), 401, invalidToken("The access token is malformed.")},
		{"5 MiB string claim, another key", signRaw(t, stranger, header, rawClaims(r, `,"x":"`+strings.Repeat("x", fiveMiB)+`"`)), 401, badSignature},
		{"5 MiB of members, another key", signRaw(t, stranger, header, rawClaims(r, manyMembers.String())), 401, badSignature},
		// Duplicate members, which JSON decoders resolve differently.
		{"duplicate alg in the header", withHeader(`{"alg":"none","alg":"RS256","kid":"key-1"}`), 401, badHeader},
		{"duplicate kid in the header", withHeader(`{"alg":"RS256","kid":"other","kid":"key-1"}`), 401, badHeader},
		{"duplicate sub, one escaped", signed(`,"s\u0075b":"admin"`), 401, malformed},
		{"duplicate iss", signed(`,"iss":"https://evil.example.com"`), 401, malformed},
		{"duplicate exp", signed(`,"exp":99999999999`), 401, malformed},
		// Not UTF-8.
		{"non-UTF-8 in the header", withHeader("{\"alg\":\"RS256\",\"kid\":\"key-1\",\"x\":\"\xff\xfe\"}"), 401, badHeader},
		{"non-UTF-8 in the payload", signed(",\"name\":\"\xc3\x28\""), 401, malformed},
		{"non-UTF-8 in the Authorization header", r.as.Mint(nil) + "\xff", 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "")},
		// Numbers, objects and strings where others belong.
		{"iss a number", withClaims(authtest.Claims{"iss": 42}), 401, malformed},
		{"sub an object", withClaims(authtest.Claims{"sub": map[string]any{"id": "admin"}}), 401, malformed},
		{"nbf a string", withClaims(authtest.Claims{"nbf": "yesterday"}), 401, malformed},
		{"iat a boolean", withClaims(authtest.Claims{"iat": true}), 401, malformed},
		{"exp beyond any date", withClaims(authtest.Claims{"exp": 1e300}), 401, malformed},
		{"aud array holding a number", withClaims(authtest.Claims{"aud": []any{resourceID, 1}}), 401, malformed},
		{"scope an object", withClaims(authtest.Claims{"scope": map[string]any{"read": true}}), 401, malformed},
		{"azp an array", withClaims(authtest.Claims{"client_id": authtest.Delete, "azp": []string{"a"}}), 401, malformed},
	})
}

// tokenOfLength returns a token of r's server, valid in every respect, of
// exactly size bytes (a "pad" claim and header member make up the length).
func tokenOfLength(t *testing.T, r *rig, size int) string {
	t.Helper()
	key := r.as.SigningKey()
	b64len := func(n int) int { return base64.RawURLEncoding.EncodedLen(n) }
	sigLen := len(strings.Split(r.as.Mint(nil), ".")[2])
	for hp := range 4 { // a segment's length cannot be 1 modulo 4: vary the header
		header := fmt.Sprintf(`{"alg":%q,"kid":%q,"pad":%q}`, key.Algorithm, key.ID, strings.Repeat("h", hp))
		want := size - b64len(len(header)) - sigLen - 2
		base := len(rawClaims(r, `,"pad":""`))
		for n := max(0, want*3/4-base-4); b64len(base+n) <= want; n++ {
			if b64len(base+n) == want {
				token := signRaw(t, key, []byte(header), rawClaims(r, `,"pad":"`+strings.Repeat("p", n)+`"`))
				if len(token) != size {
					t.Fatalf("token of %d bytes, want %d", len(token), size)
				}
				return token
			}
		}
	}
	t.Fatalf("no token of %d bytes", size)
	return ""
}

func TestTokenSizeLimit(t *testing.T) {
	r := newRig(t, rigOptions{})
	expect(t, r.bearer(tokenOfLength(t, r, mcpauth.DefaultMaxTokenBytes)), 200, "")
	refuseAll(t, r, []hostileCase{
		{"16 KiB + 1", tokenOfLength(t, r, mcpauth.DefaultMaxTokenBytes+1), 401,
			invalidToken("The access token is longer than 16384 bytes.")},
	})
}
