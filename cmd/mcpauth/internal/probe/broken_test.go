package probe

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// status answers code with WWW-Authenticate challenge (none when ""),
// where {prm} stands for the path-inserted metadata URL.
func status(code int, challenge string) answer {
	return func(f *fixture, w http.ResponseWriter, r *http.Request) {
		if challenge != "" {
			prm := strings.Replace(f.url, "/mcp", wellKnownPRM+"/mcp", 1)
			w.Header().Set("WWW-Authenticate", strings.ReplaceAll(challenge, "{prm}", prm))
		}
		w.WriteHeader(code)
	}
}

// body answers 200 with contentType and text.
func body(contentType, text string) answer {
	return func(_ *fixture, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		fmt.Fprint(w, text)
	}
}

// serveMCP answers as the MCP server itself, without authorization.
func serveMCP(f *fixture, w http.ResponseWriter, r *http.Request) {
	(&mcpHandler{session: true}).ServeHTTP(w, r)
}

// bearerIs matches a request whose bearer token satisfies ok.
func bearerIs(ok func(token string) bool) func(*http.Request, []byte) bool {
	return func(r *http.Request, _ []byte) bool {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return found && ok(token)
	}
}

// isForged reports whether token is the probe's forgery of a JWT.
func isForged(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	return strings.Contains(string(payload), "mcpauth-probe-forgery")
}

// TestBrokenServers probes servers broken in one way each, and checks the
// finding that must catch it and the exit status.
func TestBrokenServers(t *testing.T) {
	creds := func(f *fixture) []string { return f.credentials() }
	stepUp := func(f *fixture) []string { return append(f.credentials(), "-step-up-tool", "create-todo") }
	metadataWith := func(key string, value func(f *fixture) any) setup {
		return setup{wrap: editedMetadata(func(f *fixture, doc map[string]any) {
			if value == nil {
				delete(doc, key)
			} else {
				doc[key] = value(f)
			}
		})}
	}
	for _, tt := range []struct {
		name   string
		setup  setup
		args   func(f *fixture) []string
		check  string
		status report.Status
		exit   int
	}{
		{"200 without a token", setup{wrap: mcpOnly(noToken, serveMCP)}, nil, "unauthenticated", report.Fail, 2},
		{"403 without a token", setup{wrap: mcpOnly(noToken, status(403, ""))}, nil, "unauthenticated", report.Fail, 2},
		{"401 without WWW-Authenticate", setup{wrap: mcpOnly(noToken, status(401, ""))}, nil, "challenge", report.Fail, 2},
		{"unparseable challenge", setup{wrap: mcpOnly(noToken, status(401, `Bearer resource_metadata="{prm}`))}, nil, "challenge", report.Fail, 2},
		{"no Bearer challenge", setup{wrap: mcpOnly(noToken, status(401, `Basic realm="mcp"`))}, nil, "challenge", report.Fail, 2},
		{"Bearer challenge not first", setup{wrap: mcpOnly(noToken, status(401, `DPoP algs="ES256", Bearer resource_metadata="{prm}"`))}, nil, "challenge", report.Warn, 1},
		{"error code without credentials", setup{wrap: mcpOnly(noToken, status(401, `Bearer error="invalid_token", resource_metadata="{prm}"`))}, nil, "challenge", report.Warn, 1},
		{"DPoP only", setup{wrap: mcpOnly(noToken, status(401, `DPoP algs="ES256", resource_metadata="{prm}"`))}, creds, "challenge", report.Warn, 1},
		{"resource_metadata not a URL", setup{wrap: mcpOnly(noToken, status(401, `Bearer resource_metadata="/relative"`))}, nil, "resource_metadata", report.Fail, 2},
		{"no resource_metadata, well-known works", setup{wrap: mcpOnly(noToken, status(401, `Bearer scope="read:todos"`))}, nil, "resource_metadata", report.Warn, 1},
		{"no resource_metadata, no well-known", setup{wrap: chain(mcpOnly(noToken, status(401, `Bearer scope="read:todos"`)), wellKnown(status(404, "")))}, nil, "resource_metadata", report.Fail, 2},
		{"metadata 404", setup{wrap: wellKnown(status(404, ""))}, nil, "metadata-challenge", report.Fail, 2},
		{"metadata not JSON", setup{wrap: wellKnown(body("text/html", "<html>metadata</html>"))}, nil, "metadata-challenge", report.Fail, 2},
		{"metadata without resource", metadataWith("resource", nil), nil, "metadata-challenge", report.Fail, 2},
		{"metadata too large", setup{wrap: wellKnown(body("application/json", `{"resource":"`+strings.Repeat("x", maxBody)+`"}`))}, nil, "metadata-challenge", report.Fail, 2},
		{"metadata at the root only", setup{wrap: chain(mcpOnly(noToken, status(401, `Bearer`)), wellKnownPath(status(404, "")))}, nil, "metadata-path", report.Warn, 1},
		{"locations disagree", setup{wrap: rootMetadata(func(f *fixture, doc map[string]any) { doc["resource_name"] = "another" })}, nil, "metadata-agree", report.Warn, 1},
		{"resource for another URL", metadataWith("resource", func(*fixture) any { return "https://mcp.example.com/mcp" }), nil, "resource", report.Fail, 2},
		{"resource of another path", metadataWith("resource", func(f *fixture) any { return f.srv.URL + "/m" }), nil, "resource", report.Fail, 2},
		{"resource a valid prefix", metadataWith("resource", func(f *fixture) any { return f.srv.URL }), nil, "resource", report.Pass, 0},
		{"no authorization servers", metadataWith("authorization_servers", nil), nil, "authorization_servers", report.Fail, 2},
		{"authorization server not discoverable", metadataWith("authorization_servers", func(f *fixture) any { return []string{f.as.Issuer + "/missing"} }), nil, "authorization-server", report.Fail, 2},
		{"authorization server naming another issuer", setup{as: func(o *authtest.Options) {
			o.Metadata = func(doc map[string]any) { doc["issuer"] = "https://auth.example.com" }
		}}, nil, "authorization-server", report.Fail, 2},
		{"authorization server without PKCE", setup{as: func(o *authtest.Options) {
			o.Metadata = func(doc map[string]any) { delete(doc, "code_challenge_methods_supported") }
		}}, nil, "authorization-server-metadata", report.Fail, 2},
		{"offline_access advertised", metadataWith("scopes_supported", func(*fixture) any { return []string{"read:todos", "offline_access"} }), nil, "offline_access", report.Warn, 1},
		{"tokens in the query string", metadataWith("bearer_methods_supported", func(*fixture) any { return []string{"header", "query"} }), nil, "bearer_methods", report.Warn, 1},
		{"token refused", setup{}, func(f *fixture) []string { return []string{"-client-id", testClient.ID, "-client-secret", "wrong"} }, "token", report.Fail, 2},
		{"initialize fails with the token", setup{bearer: func(o *mcpauth.BearerOptions) { o.Audiences = []string{"https://mcp.example.com/mcp"} }}, creds, "initialize", report.Fail, 2},
		{"initialize answers an empty event stream", setup{wrap: mcpOnly(bearerIs(func(string) bool { return true }), body("text/event-stream", ": nothing\n\n"))}, creds, "initialize", report.Fail, 2},
		{"initialize answers HTML", setup{wrap: mcpOnly(bearerIs(func(string) bool { return true }), body("text/html", "<p>hi</p>"))}, creds, "initialize", report.Fail, 2},
		{"garbage token accepted", setup{wrap: mcpOnly(bearerIs(func(t string) bool { return t == "garbage" }), serveMCP)}, creds, "invalid-token", report.Fail, 2},
		{"garbage token refused without error code", setup{wrap: mcpOnly(bearerIs(func(t string) bool { return t == "garbage" }), status(401, `Bearer resource_metadata="{prm}"`))}, creds, "invalid-token", report.Warn, 1},
		{"forged token accepted", setup{wrap: mcpOnly(bearerIs(isForged), serveMCP)}, creds, "forged-token", report.Fail, 2},
		{"step-up answered 200", setup{noPolicy: true}, stepUp, "step-up", report.Fail, 2},
		{"step-up 403 without scope", setup{wrap: mcpOnly(isMethod("tools/call"), status(403, `Bearer error="insufficient_scope"`))}, stepUp, "step-up", report.Fail, 2},
		{"step-up 403 without challenge", setup{wrap: mcpOnly(isMethod("tools/call"), status(403, ""))}, stepUp, "step-up", report.Fail, 2},
		{"step-up 401", setup{wrap: mcpOnly(isMethod("tools/call"), status(401, `Bearer error="invalid_token", resource_metadata="{prm}"`))}, stepUp, "step-up", report.Fail, 2},
		{"step-up without resource_metadata", setup{wrap: mcpOnly(isMethod("tools/call"), status(403, `Bearer error="insufficient_scope", scope="create:todos"`))}, stepUp, "step-up", report.Warn, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.setup)
			args := []string{f.url}
			if tt.args != nil {
				args = append(args, tt.args(f)...)
			}
			r, code := runProbe(t, args...)
			fd, ok := finding(r, tt.check)
			if !ok || fd.Status != tt.status || code != tt.exit {
				t.Errorf("%s: %s, exit %d; want %s, exit %d\n%s", tt.check, fd.Status, code, tt.status, tt.exit, dump(r))
			}
		})
	}
}

// chain applies wrappers, the first outermost.
func chain(wraps ...func(*fixture, http.Handler) http.Handler) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		for i := len(wraps) - 1; i >= 0; i-- {
			next = wraps[i](f, next)
		}
		return next
	}
}

// wellKnownPath answers the path-inserted metadata URL only.
func wellKnownPath(a answer) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == wellKnownPRM+"/mcp" {
				a(f, w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// rootMetadata edits the document served at the root metadata URL only.
func rootMetadata(edit func(f *fixture, doc map[string]any)) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		edited := editedMetadata(edit)(f, next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == wellKnownPRM {
				edited.ServeHTTP(w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
