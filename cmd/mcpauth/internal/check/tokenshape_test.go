package check

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// jwtOf builds an unsigned three-part token from a header and claims.
func jwtOf(header, claims string) string {
	b64 := base64.RawURLEncoding.EncodeToString
	return b64([]byte(header)) + "." + b64([]byte(claims)) + ".sig"
}

// TestDecodeToken checks how tokens are read.
func TestDecodeToken(t *testing.T) {
	for _, tt := range []struct {
		token, format, problem string
		aud                    []string
	}{
		{"opaque-123", formatOpaque, "", nil},
		{"a.b.c.d.e", formatJWE, "", nil},
		{"a.b.c", formatOpaque, "header is not base64url JSON", nil},
		{jwtOf(`{"alg":"RS256"}`, `[1]`), formatOpaque, "payload is not base64url JSON", nil},
		{jwtOf(`{"alg":"RS256"}`, `{"aud":"x"}`), formatJWT, "", []string{"x"}},
		{jwtOf(`{"alg":"RS256"}`, `{"aud":["x",1,"y"]}`), formatJWT, "", []string{"x", "y"}},
		{jwtOf(`{"alg":"RS256"}`, `{"aud":7}`), formatJWT, "", nil},
	} {
		d := decodeToken(tt.token)
		aud, _ := d.audience()
		if d.format != tt.format || !strings.Contains(d.problem, tt.problem) || strings.Join(aud, ",") != strings.Join(tt.aud, ",") {
			t.Errorf("%q: %+v, aud %q", tt.token, d, aud)
		}
	}
}

// FuzzTokenQuirks reads arbitrary tokens and reports their quirks: never a
// panic, a section that encodes to JSON, and no control character in the
// text of a finding.
func FuzzTokenQuirks(f *testing.F) {
	f.Add(`{"alg":"RS256","typ":"JWT"}`, `{"iss":"https://sts.windows.net/x/","aud":"6e74172b-be56-4843-9ff4-e66a39bb12e3","scp":"a b","cnf":{"jkt":"x"}}`, "opaque")
	f.Add(`{"typ":5}`, `{"aud":["api://x",null],"scope":3,"cnf":{"x5t#S256":"y"}}`, "a.b.c.d.e")
	f.Add(`{}`, "{\"aud\":\"\\u001b[2J\",\"iss\":\"\\u0000\"}", "")
	f.Fuzz(func(t *testing.T, header, claims, raw string) {
		for _, token := range []string{jwtOf(header, claims), raw} {
			c := &checker{opts: &options{issuer: "https://as.example", resource: "https://mcp.example/mcp", clientID: "c", scope: "a"},
				r: report.New("check", "x"), cfg: &mcpauth.ServerConfig{}}
			d := decodeToken(token)
			if _, err := json.Marshal(d.section()); err != nil {
				t.Fatalf("section of %q: %v", token, err)
			}
			c.tokenQuirks(d, &verdict{})
			c.reportVerdict(&verdict{kind: funcVerifier})
			for _, f := range c.r.Findings {
				if strings.ContainsAny(f.Summary+strings.Join(f.Details, ""), "\x00\x1b\n") {
					t.Fatalf("control character in %q", f.Summary)
				}
			}
			checkGoSource(t, c.plan.code())
		}
	})
}
