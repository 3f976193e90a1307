package check

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// metadataFor is a valid metadata document for issuer, whose key set is at
// base+"/jwks".
func metadataFor(issuer, base string) map[string]any {
	return map[string]any{
		"issuer":                           issuer,
		"authorization_endpoint":           base + "/authorize",
		"token_endpoint":                   base + "/token",
		"jwks_uri":                         base + "/jwks",
		"response_types_supported":         []string{"code"},
		"code_challenge_methods_supported": []string{"S256"},
	}
}

// wellKnownPaths are the three paths of the MCP order for an issuer whose
// path is "/tenant".
var wellKnownPaths = []string{
	"/.well-known/oauth-authorization-server/tenant",
	"/.well-known/openid-configuration/tenant",
	"/tenant/.well-known/openid-configuration",
}

// TestDiscoveryFailures checks that each failed discovery lists every URL
// tried, with what it answered, and fails.
func TestDiscoveryFailures(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer func(srv *testServer) http.HandlerFunc // at every well-known path; nil: 404
		args   []string
		lines  int      // URLs listed
		saying []string // in the discovery finding
		wants  []want
	}{
		{name: "404 everywhere", lines: 3, saying: []string{"HTTP 404 Not Found", "Every URL answered 404"}},
		{name: "404 for -type oauth", args: []string{"-type", "oauth"}, lines: 1, saying: []string{"HTTP 404", "try -type auto"}},
		{name: "issuer mismatch", lines: 3,
			answer: func(srv *testServer) http.HandlerFunc {
				return jsonAnswer(metadataFor("https://other.example", srv.URL))
			},
			saying: []string{`names issuer "https://other.example", not "`},
			wants:  []want{{check: "issuer", status: report.Fail, text: "If that server is the right one"}}},
		{name: "not JSON", lines: 3,
			answer: func(*testServer) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>sign in</html>")) }
			},
			saying: []string{"HTTP 200, but not a JSON object"}},
		{name: "not metadata", lines: 3,
			answer: func(*testServer) http.HandlerFunc { return jsonAnswer(map[string]any{"hello": "world"}) },
			saying: []string{`not usable metadata: missing required member(s) ["issuer"`}},
		{name: "too large", lines: 3,
			answer: func(*testServer) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Write([]byte(`{"x":"` + strings.Repeat("a", 2<<20) + `"}`))
				}
			},
			saying: []string{"the answer is over 1048576 bytes"}},
		{name: "redirect to another host", lines: 3,
			answer: func(srv *testServer) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)+"/elsewhere", http.StatusFound)
				}
			},
			saying: []string{"redirect refused: from host 127.0.0.1"}},
		{name: "server error", lines: 3,
			answer: func(*testServer) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }
			},
			saying: []string{"HTTP 503 Service Unavailable"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t)
			if tt.answer != nil {
				for _, p := range wellKnownPaths {
					srv.handle(p, tt.answer(srv))
				}
			}
			res := runJSON(t, append([]string{srv.URL + "/tenant"}, tt.args...)...)
			if res.status != report.ExitFailed {
				t.Errorf("exit %d", res.status)
			}
			expect(t, res.rep, want{check: "discovery", status: report.Fail})
			expect(t, res.rep, tt.wants...)
			f := res.rep.Findings[0]
			if len(f.Details) != tt.lines {
				t.Errorf("%d URLs listed, want %d: %q", len(f.Details), tt.lines, f.Details)
			}
			all := f.Summary + "\n" + strings.Join(f.Details, "\n")
			for _, s := range tt.saying {
				if !strings.Contains(all, s) {
					t.Errorf("the discovery finding does not say %q:\n%s", s, all)
				}
			}
			if len(res.rep.Sections) != 0 {
				t.Errorf("a configuration printed for an unusable server: %+v", res.rep.Sections)
			}
		})
	}
}

// TestDiscoveryOrder checks that the first usable document wins, that
// documents naming another issuer are skipped as clients skip them, and
// which discovery type the configuration uses.
func TestDiscoveryOrder(t *testing.T) {
	srv := newTestServer(t)
	issuer := srv.URL + "/tenant"
	srv.handle(wellKnownPaths[0], jsonAnswer(metadataFor("https://other.example", srv.URL)))
	srv.handle(wellKnownPaths[1], jsonAnswer(metadataFor(issuer, srv.URL)))
	srv.handle(wellKnownPaths[2], func(w http.ResponseWriter, r *http.Request) { t.Error("a URL after the first usable one was fetched") })
	srv.handle("/jwks", keySet)
	res := runJSON(t, issuer)
	expect(t, res.rep,
		want{check: "discovery", status: report.Pass, text: "2nd of 3"},
		want{check: "discovery", status: report.Pass, text: "3. " + srv.URL + wellKnownPaths[2] + " → not tried"},
		want{check: "issuer", status: report.Pass, text: "skipped, as MCP clients skip it"})
	// Only the MCP order (auto) tries the OpenID Connect inserted URL.
	if code := section(res.rep, "Go configuration"); !strings.Contains(code, "mcpauth.ServerTypeAuto") {
		t.Errorf("want ServerTypeAuto in:\n%s", code)
	}
}

// TestIssuerTrailingSlash checks the hint for issuers that differ only by
// a trailing slash.
func TestIssuerTrailingSlash(t *testing.T) {
	srv := newTestServer(t)
	for _, p := range wellKnownPaths {
		srv.handle(p, jsonAnswer(metadataFor(srv.URL+"/tenant", srv.URL)))
	}
	res := runJSON(t, srv.URL+"/tenant/")
	expect(t, res.rep, want{check: "issuer", status: report.Fail, text: "differ only by a trailing slash"})
	if res.status != report.ExitFailed {
		t.Errorf("exit %d", res.status)
	}
}

// TestInsecureIssuer checks that plain http to a host that is not
// loopback is refused without -insecure, for every URL, before any request.
func TestInsecureIssuer(t *testing.T) {
	res := runJSON(t, "http://idp.example.invalid/tenant")
	expect(t, res.rep, want{check: "discovery", status: report.Fail, text: "not fetched: https required"})
	if f := res.rep.Findings[0]; len(f.Details) != 3 || !strings.Contains(f.Details[2], "-insecure") {
		t.Errorf("details %q", f.Details)
	}
}

// TestTimeout checks that a server that never answers is bounded by
// -timeout, and says so.
func TestTimeout(t *testing.T) {
	srv := newTestServer(t)
	srv.handle(wellKnownPaths[0], func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	res := runJSON(t, srv.URL+"/tenant", "-timeout", "200ms")
	expect(t, res.rep, want{check: "discovery", status: report.Fail, text: "no answer before the timeout"},
		want{check: "timeout", status: report.Fail, text: "200ms"})
	if f := res.rep.Findings[0]; !strings.Contains(strings.Join(f.Details, "\n"), "not tried: the run was stopped") {
		t.Errorf("details %q", f.Details)
	}
}

// TestKeySetFailures checks the key-set finding when jwks_uri is
// unusable.
func TestKeySetFailures(t *testing.T) {
	for _, tt := range []struct {
		name   string
		answer http.HandlerFunc
		text   string
	}{
		{"unreachable", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusInternalServerError) }, "cannot be fetched: HTTP 500"},
		{"not a key set", jsonAnswer(map[string]any{"hello": 1}), `no "keys" member`},
		{"not JSON", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("garbage")) }, "not JSON"},
		{"no usable key", jsonAnswer(map[string]any{"keys": []any{map[string]any{"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"}}}), "the library cannot use it"},
		{"garbage keys", jsonAnswer(map[string]any{"keys": []any{1, "x", nil}}), "key 1: not a JSON Web Key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t)
			srv.handle("/.well-known/oauth-authorization-server", jsonAnswer(metadataFor(srv.URL, srv.URL)))
			srv.handle("/jwks", tt.answer)
			res := runJSON(t, srv.URL)
			expect(t, res.rep, want{check: "jwks", status: report.Fail, text: tt.text})
			if res.status != report.ExitFailed {
				t.Errorf("exit %d", res.status)
			}
		})
	}
}
