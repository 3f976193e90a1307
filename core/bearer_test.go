package mcpauth_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestRequiredScopes(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read", "write"}}})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "read write extra"})), 200, "")
	rec := r.bearer(r.as.Mint(authtest.Claims{"scope": "read"}))
	expect(t, rec, 403, challengeFor("insufficient_scope", "The access token lacks scopes this operation requires.", "read write"))
	var body struct {
		Error         string   `json:"error"`
		Code          string   `json:"error_code"`
		MissingScopes []string `json:"missing_scopes"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	if body.Error != "insufficient_scope" || body.Code != "missing_required_scopes" || strings.Join(body.MissingScopes, ",") != "write" {
		t.Fatalf("body %s", rec.Body)
	}
	// Missing scopes are checked after the token: no token is still a 401 naming the scopes.
	expect(t, r.request(http.MethodGet, nil, ""), 401, challengeFor("", "", "read write"))
}

func TestCustomAudiences(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{Audiences: []string{"api://todo"}}})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"aud": "api://todo"})), 200, "")
	expect(t, r.bearer(r.as.Mint(nil)), 401, challengeFor("invalid_token", "The access token was not issued for this resource.", ""))
}

func TestShowErrorDetails(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{ShowErrorDetails: true}})
	rec := r.bearer(r.as.Mint(authtest.Claims{"aud": "https://other.example.com"}))
	var body struct {
		Cause struct {
			Expected []string `json:"expected"`
			Actual   []string `json:"actual"`
		} `json:"cause"`
	}
	json.Unmarshal(rec.Body.Bytes(), &body)
	if len(body.Cause.Expected) != 1 || body.Cause.Expected[0] != resourceID || body.Cause.Actual[0] != "https://other.example.com" {
		t.Fatalf("body %s", rec.Body)
	}
	r2 := newRig(t, rigOptions{})
	rec = r2.bearer(r2.as.Mint(authtest.Claims{"aud": "https://other.example.com"}))
	if strings.Contains(rec.Body.String(), "cause") {
		t.Fatalf("details shown by default: %s", rec.Body)
	}
}

func TestRealmAndCORS(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{Realm: "todo"}})
	req := r.newRequest(http.MethodPost, nil, "")
	req.Header.Set("Origin", "https://inspector.example.com")
	rec := r.send(req)
	expect(t, rec, 401, `Bearer realm="todo", resource_metadata="`+resourceMetadata+`"`)
	if rec.Header().Get("Access-Control-Expose-Headers") != "WWW-Authenticate" {
		t.Fatalf("expose %q", rec.Header().Get("Access-Control-Expose-Headers"))
	}
}

// TestSenderConstrainedJWT: a JWT carrying cnf (RFC 9449 jkt, RFC 8705
// x5t#S256, or anything else) is refused when presented as a bearer token.
func TestSenderConstrainedJWT(t *testing.T) {
	r := newRig(t, rigOptions{})
	bound := challengeFor("invalid_token", "The access token is bound to a key (cnf) and cannot be used as a bearer token.", "")
	for _, cnf := range []any{
		map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
		map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"},
		map[string]any{},
		"garbage",
	} {
		expect(t, r.bearer(r.as.Mint(authtest.Claims{"cnf": cnf})), http.StatusUnauthorized, bound)
	}
	expect(t, r.bearer(r.as.Mint(nil)), http.StatusOK, "")
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
