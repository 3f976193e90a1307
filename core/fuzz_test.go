package mcpauth

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"
)

// The fuzz targets of the package. Their seed corpora live in
// testdata/fuzz/<FuzzName>/, so `go test` runs every seed; `make fuzz`
// explores further.

// bearerOracle is RFC 6750 §2.1 written as a regular expression, independent
// of extractBearer: optional blanks, "Bearer" in any case, one or more
// spaces, a b64token, optional blanks.
var bearerOracle = regexp.MustCompile(`^[ \t]*[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*)[ \t]*$`)

// FuzzExtractBearer checks extractBearer against the grammar: a token is
// returned exactly when the single header value matches it, and it is the
// b64token the value carries.
func FuzzExtractBearer(f *testing.F) {
	f.Fuzz(func(t *testing.T, first, second string, count uint8) {
		h := http.Header{}
		switch count % 3 {
		case 1:
			h["Authorization"] = []string{first}
		case 2:
			h["Authorization"] = []string{first, second}
		}
		token, code := extractBearer(h)
		if (token == "") == (code == "") {
			t.Fatalf("token %q with code %q", token, code)
		}
		switch count % 3 {
		case 0:
			if code != CodeMissingAuthHeader {
				t.Fatalf("no header: code %q", code)
			}
			return
		case 2:
			if code != CodeInvalidAuthHeaderFormat {
				t.Fatalf("two headers: code %q", code)
			}
			return
		}
		m := bearerOracle.FindStringSubmatch(first)
		if m == nil {
			if code == "" {
				t.Fatalf("%q accepted as token %q; the grammar refuses it", first, token)
			}
			if strings.Trim(first, " \t") == "" && code != CodeMissingAuthHeader {
				t.Fatalf("blank header: code %q", code)
			}
			return
		}
		if token != m[1] {
			t.Fatalf("%q: token %q (code %q), want %q", first, token, code, m[1])
		}
	})
}

// challengeCodes are the refusal codes FuzzChallenge picks from, including
// one the library does not know.
var challengeCodes = []Code{
	CodeMissingAuthHeader, CodeMissingBearerToken, CodeInvalidAuthHeaderFormat, CodeInvalidToken,
	CodeInvalidIssuer, CodeInvalidAudience, CodeMissingRequiredScopes, CodeTokenVerificationFailed,
	CodeInvalidRequest, CodeRequestTooLarge, CodeServerError, CodeTemporarilyUnavailable, "unknown",
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
