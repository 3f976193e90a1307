package mcpauth

import (
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"
)

const rm = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

func rendered(e *Error, realm string, scopes ...string) *Error {
	e.RequiredScopes = scopes
	e.realm = realm
	e.resourceMetadata = rm
	return e
}

// withDPoP renders e for a resource accepting DPoP with ES256 and EdDSA,
// for a request that used DPoP or not.
func withDPoP(e *Error, isDPoP, required bool) *Error {
	e.dpop = &dpopChallenge{algs: "ES256 EdDSA", required: required}
	e.dpopScheme = isDPoP
	return e
}

func TestChallengeGolden(t *testing.T) {
	tests := []struct {
		name   string
		err    *Error
		status int
		want   string
	}{
		{"no credentials", rendered(newError(CodeMissingAuthHeader, "An access token is required.", nil), "", "read", "write"), 401,
			`Bearer scope="read write", resource_metadata="` + rm + `"`},
		{"another scheme", rendered(newError(CodeMissingBearerToken, "x", nil), ""), 401,
			`Bearer resource_metadata="` + rm + `"`},
		{"invalid token", rendered(newError(CodeInvalidToken, "The access token has expired.", nil), "", "read"), 401,
			`Bearer error="invalid_token", error_description="The access token has expired.", scope="read", resource_metadata="` + rm + `"`},
		{"invalid issuer", rendered(newError(CodeInvalidIssuer, "untrusted", nil), ""), 401,
			`Bearer error="invalid_token", error_description="untrusted", resource_metadata="` + rm + `"`},
		{"malformed request", rendered(newError(CodeInvalidAuthHeaderFormat, "bad header", nil), "", "read"), 400,
			`Bearer error="invalid_request", error_description="bad header", scope="read", resource_metadata="` + rm + `"`},
		{"insufficient scope", rendered(newError(CodeMissingRequiredScopes, "more scopes", nil), "", "read", "create:todos"), 403,
			`Bearer error="insufficient_scope", error_description="more scopes", scope="read create:todos", resource_metadata="` + rm + `"`},
		{"realm first", rendered(newError(CodeInvalidToken, "d", nil), `my "realm"`, "a"), 401,
			`Bearer realm="my \"realm\"", error="invalid_token", error_description="d", scope="a", resource_metadata="` + rm + `"`},
		{"description sanitized", rendered(newError(CodeInvalidToken, "a \"quoted\" \\ path\n\x01é", nil), ""), 401,
			`Bearer error="invalid_token", error_description="a 'quoted' / path????", resource_metadata="` + rm + `"`},
		{"offline_access never in a challenge", rendered(newError(CodeMissingRequiredScopes, "d", nil), "", "offline_access", "read"), 403,
			`Bearer error="insufficient_scope", error_description="d", scope="read", resource_metadata="` + rm + `"`},
		{"legacy: no resource_metadata", &Error{Code: CodeInvalidToken, Description: "d"}, 401,
			`Bearer error="invalid_token", error_description="d"`},
		{"legacy no credentials: bare scheme", &Error{Code: CodeMissingAuthHeader}, 401, `Bearer`},
		{"server error: no challenge", rendered(newError(CodeServerError, "d", nil), "", "read"), 500, ""},
		{"unavailable: no challenge", rendered(newError(CodeTemporarilyUnavailable, "d", nil), "", "read"), 503, ""},
		{"too large: no challenge", rendered(newError(CodeRequestTooLarge, "d", nil), ""), 413, ""},
		{"ambiguous body", rendered(newError(CodeInvalidRequest, "d", nil), ""), 400,
			`Bearer error="invalid_request", error_description="d", resource_metadata="` + rm + `"`},

		// DPoP (RFC 9449 §7.1): the error goes in the challenge of the
		// scheme the request used; Bearer first, unless DPoP is required.
		{"dpop: no credentials, both schemes", withDPoP(rendered(newError(CodeMissingAuthHeader, "d", nil), "r", "read"), false, false), 401,
			`Bearer realm="r", scope="read", resource_metadata="` + rm + `", DPoP realm="r", scope="read", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: bearer request refused", withDPoP(rendered(newError(CodeInvalidToken, "d", nil), ""), false, false), 401,
			`Bearer error="invalid_token", error_description="d", resource_metadata="` + rm + `", DPoP resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: DPoP request refused", withDPoP(rendered(newError(CodeInvalidToken, "d", nil), ""), true, false), 401,
			`Bearer resource_metadata="` + rm + `", DPoP error="invalid_token", error_description="d", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: proof error", withDPoP(rendered(newError(CodeInvalidDPoPProof, "d", nil), ""), true, false), 401,
			`Bearer resource_metadata="` + rm + `", DPoP error="invalid_dpop_proof", error_description="d", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: nonce", withDPoP(rendered(newError(CodeUseDPoPNonce, "d", nil), ""), true, false), 401,
			`Bearer resource_metadata="` + rm + `", DPoP error="use_dpop_nonce", error_description="d", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: step-up of a DPoP request", withDPoP(rendered(newError(CodeMissingRequiredScopes, "d", nil), "", "write"), true, false), 403,
			`Bearer scope="write", resource_metadata="` + rm + `", DPoP error="insufficient_scope", error_description="d", scope="write", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop required: DPoP alone", withDPoP(rendered(newError(CodeInvalidToken, "d", nil), ""), false, true), 401,
			`DPoP error="invalid_token", error_description="d", resource_metadata="` + rm + `", algs="ES256 EdDSA"`},
		{"dpop: server error, no challenge", withDPoP(rendered(newError(CodeTemporarilyUnavailable, "d", nil), ""), true, false), 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.StatusCode(); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
			got := tt.err.challenge()
			if got != tt.want {
				t.Fatalf("challenge\n got %s\nwant %s", got, tt.want)
			}
			if got == "" {
				return
			}
			// The independent RFC 9110 parser reads back the same values,
			// the error in the challenge of the request's scheme.
			cs, err := authtest.ParseChallenges(got)
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			c := cs[0]
			if tt.err.dpop != nil && (tt.err.dpopScheme || tt.err.dpop.required || tt.err.Code == CodeInvalidDPoPProof || tt.err.Code == CodeUseDPoPNonce) {
				c = cs[len(cs)-1]
				if algs, _ := c.Get("algs"); c.Scheme != "DPoP" || algs != tt.err.dpop.algs {
					t.Errorf("DPoP challenge %+v", c)
				}
			} else if c.Scheme != "Bearer" {
				t.Errorf("scheme %q", c.Scheme)
			}
			if v, ok := c.Get("realm"); tt.err.realm != "" && (!ok || v != tt.err.realm) {
				t.Errorf("realm %q", v)
			}
			if v, _ := c.Get("error"); v != tt.err.oauthCode() {
				t.Errorf("error %q, want %q", v, tt.err.oauthCode())
			}
			if v, ok := c.Get("error_description"); ok && v != sanitizeDescription(tt.err.Description) {
				t.Errorf("description %q", v)
			}
		})
	}
}

func TestSanitizeDescription(t *testing.T) {
	for in, want := range map[string]string{
		"plain text.":       "plain text.",
		`say "hi"`:          "say 'hi'",
		`C:\path`:           "C:/path",
		"tab\tnewline\n":    "tab?newline?",
		"\x7f\x00":          "??",
		"naïve":             "na??ve",
		"":                  "",
		"~!#$%&'()*+,-./:;": "~!#$%&'()*+,-./:;",
	} {
		got := sanitizeDescription(in)
		if got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
		for i := 0; i < len(got); i++ {
			if !descriptionChar(got[i]) {
				t.Errorf("sanitize(%q) kept %#x", in, got[i])
			}
		}
	}
}

// challengeCodes are the refusal codes FuzzChallenge picks from, including
// one the library does not know.
var challengeCodes = []Code{
	CodeMissingAuthHeader, CodeMissingBearerToken, CodeInvalidAuthHeaderFormat, CodeInvalidToken,
	CodeInvalidIssuer, CodeInvalidAudience, CodeMissingRequiredScopes, CodeTokenVerificationFailed,
	CodeInvalidRequest, CodeRequestTooLarge, CodeServerError, CodeTemporarilyUnavailable, CodeHeaderMismatch,
	CodeInvalidDPoPProof, CodeUseDPoPNonce, "unknown",
}

// FuzzChallenge checks that every challenge the builder writes is a valid
// RFC 9110 challenge, read back by the independent authtest.ParseChallenge
// with the same values, in the documented order, with no character a header
// cannot carry.
func FuzzChallenge(f *testing.F) {
	f.Fuzz(func(t *testing.T, code uint8, realm, description, scopes, metadataURL string) {
		e := &Error{
			Code:             challengeCodes[int(code)%len(challengeCodes)],
			Description:      description,
			RequiredScopes:   strings.Fields(scopes),
			realm:            realm,
			resourceMetadata: metadataURL,
		}
		got := e.challenge()
		if got == "" {
			if e.hasChallenge() {
				t.Fatalf("no challenge for a %d", e.StatusCode())
			}
			return
		}
		if !e.hasChallenge() {
			t.Fatalf("challenge %q for a %d", got, e.StatusCode())
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; (c < 0x20 && c != '\t') || c == 0x7f {
				t.Fatalf("control character %#x in %q", c, got)
			}
		}
		c, err := authtest.ParseChallenge(got)
		if err != nil {
			t.Fatalf("%q does not parse: %v", got, err)
		}
		if c.Scheme != "Bearer" {
			t.Fatalf("scheme %q", c.Scheme)
		}
		type param struct{ name, raw, want string }
		var want []param
		add := func(name, raw, value string) {
			if raw != "" {
				want = append(want, param{name, raw, value})
			}
		}
		add("realm", realm, dropControls(realm))
		if oc := e.oauthCode(); oc != "" {
			add("error", oc, oc)
			add("error_description", sanitizeDescription(description), sanitizeDescription(description))
		}
		joined := joinScopes(e.RequiredScopes)
		add("scope", joined, dropControls(joined))
		add("resource_metadata", metadataURL, dropControls(metadataURL))
		if len(c.Params) != len(want) {
			t.Fatalf("%q: parameters %v, want %d", got, c.Names(), len(want))
		}
		for i, p := range want {
			if c.Params[i].Name != p.name || c.Params[i].Value != p.want {
				t.Fatalf("%q: parameter %d is %s=%q, want %s=%q", got, i, c.Params[i].Name, c.Params[i].Value, p.name, p.want)
			}
		}
		if !slices.ContainsFunc(e.RequiredScopes, func(s string) bool { return !validScopeToken(s) }) {
			if v, _ := c.Get("scope"); slices.Contains(strings.Fields(v), offlineAccess) {
				t.Fatalf("offline_access in %q", got)
			}
		}
	})
}

// dropControls is what a quoted-string can carry of s: every byte but the
// controls (HTAB excepted) and DEL.
func dropControls(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c >= 0x20 || c == '\t') && c != 0x7f {
			out = append(out, c)
		}
	}
	return string(out)
}
