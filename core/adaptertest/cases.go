package adaptertest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
	"github.com/mcp-auth/go/core/authtest"
)

const (
	prmPath  = "/.well-known/oauth-protected-resource/mcp"
	rootPath = "/.well-known/oauth-protected-resource"
)

// Cases returns the suite's table for a server whose tokens come from as.
func Cases(as *authtest.Server) []Case {
	now := time.Now()
	mint := func(c authtest.Claims) string { return as.Mint(c) }
	read := mint(authtest.Claims{"scope": "read"})
	stranger, _ := authtest.NewKey("stranger", "RS256")
	malformed := "The Authorization header is malformed: expected a single 'Bearer <token>'."
	call := func(tool string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":{}}}`
	}
	invalid := func(description string) string { return challenge("invalid_token", description, "read") }
	unreadable := challenge("invalid_request", "The request body could not be read.", "read")
	forbidden := func(scope string) string {
		return challenge("insufficient_scope", "The access token lacks scopes this operation requires.", scope)
	}

	cases := []Case{
		// Metadata routes.
		{Name: "metadata GET path-inserted", Method: "GET", Path: prmPath, Status: 200, Want: wantDocument},
		{Name: "metadata GET root", Method: "GET", Path: rootPath, Status: 200, Want: wantDocument},
		{Name: "metadata HEAD path-inserted", Method: "HEAD", Path: prmPath, Status: 200, Want: wantEmpty},
		{Name: "metadata HEAD root", Method: "HEAD", Path: rootPath, Status: 200, Want: wantEmpty},
		{Name: "metadata OPTIONS path-inserted", Method: "OPTIONS", Path: prmPath, Header: preflight, Status: 204, Want: wantPreflight},
		{Name: "metadata OPTIONS root", Method: "OPTIONS", Path: rootPath, Header: preflight, Status: 204, Want: wantPreflight},
		{Name: "metadata POST: 405", Method: "POST", Path: prmPath, Status: 405, Want: wantAllow},
		{Name: "metadata PUT: 405", Method: "PUT", Path: prmPath, Status: 405, Want: wantAllow},
		{Name: "metadata DELETE root: 405", Method: "DELETE", Path: rootPath, Status: 405, Want: wantAllow},

		// Credentials.
		{Name: "no Authorization header", Method: "POST", Path: PathMCP, Status: 401, Challenge: challenge("", "", "read"), Want: wantCode("missing_auth_header")},
		{Name: "Basic scheme", Method: "POST", Path: PathMCP, Header: auth("Basic dXNlcjpwYXNz"), Status: 401, Challenge: challenge("", "", "read"), Want: wantCode("missing_bearer_token")},
		{Name: "Bearer with an empty token", Method: "POST", Path: PathMCP, Header: auth("Bearer "), Status: 401, Challenge: challenge("", "", "read"), Want: wantCode("missing_bearer_token")},
		{Name: "Bearer alone", Method: "POST", Path: PathMCP, Header: auth("Bearer"), Status: 401, Challenge: challenge("", "", "read")},
		{Name: "token in the query string is ignored", Method: "GET", Path: PathMCP + "?access_token=" + read, Status: 401, Challenge: challenge("", "", "read")},
		{Name: "lowercase bearer scheme", Method: "POST", Path: PathMCP, Header: auth("bearer " + read), Status: 200, Handled: true, Want: wantIdentity("test-user")},
		{Name: "valid token, GET", Method: "GET", Path: PathMCP, Header: bearer(read), Status: 200, Handled: true, Want: wantIdentity("test-user")},
		{Name: "two Authorization headers", Method: "POST", Path: PathMCP, Header: map[string][]string{"Authorization": {"Bearer " + read, "Bearer " + read}},
			Status: 400, Challenge: challenge("invalid_request", malformed, "read"), Want: wantCode("invalid_auth_header_format")},
		{Name: "token breaking b64token grammar", Method: "POST", Path: PathMCP, Header: auth("Bearer abc def"), Status: 400, Challenge: challenge("invalid_request", malformed, "read")},
		{Name: "token over 16 KiB", Method: "POST", Path: PathMCP, Header: auth("Bearer " + strings.Repeat("a", mcpauth.DefaultMaxTokenBytes+1)),
			Status: 401, Challenge: invalid("The access token is longer than 16384 bytes.")},
		{Name: "CORS request exposes the challenge", Method: "POST", Path: PathMCP, Header: map[string][]string{"Origin": {"https://app.example.com"}},
			Status: 401, Challenge: challenge("", "", "read"), Want: wantExposed},

		// Tokens.
		{Name: "not a JWT", Method: "POST", Path: PathMCP, Header: bearer("not-a-jwt"), Status: 401, Challenge: invalid("The access token is malformed.")},
		{Name: "expired", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "exp": now.Add(-time.Hour).Unix()})), Status: 401, Challenge: invalid("The access token has expired.")},
		{Name: "not yet valid", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "nbf": now.Add(time.Hour).Unix()})), Status: 401, Challenge: invalid("The access token is not valid yet (nbf).")},
		{Name: "wrong audience", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "aud": "https://other.example.com/mcp"})), Status: 401,
			Challenge: invalid("The access token was not issued for this resource."), Want: wantCode("invalid_audience")},
		{Name: "no audience", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "aud": authtest.Delete})), Status: 401, Challenge: invalid("The access token was not issued for this resource.")},
		{Name: "untrusted issuer", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "iss": "https://evil.example.com"})), Status: 401,
			Challenge: invalid("The access token's issuer is not trusted by this resource."), Want: wantCode("invalid_issuer")},
		{Name: "tampered payload", Method: "POST", Path: PathMCP, Header: bearer(authtest.Tamper(read, authtest.Claims{"sub": "admin"})), Status: 401, Challenge: invalid("The access token's signature is invalid.")},
		{Name: "alg none", Method: "POST", Path: PathMCP, Header: bearer(as.MintWith(authtest.MintOptions{Algorithm: "none", Claims: authtest.Claims{"scope": "read"}})), Status: 401, Challenge: invalid("The access token's signature is invalid.")},
		{Name: "HS256 signed with the public key", Method: "POST", Path: PathMCP, Header: bearer(hmacWithPublicKey(as)), Status: 401, Challenge: invalid("The access token's signature is invalid.")},
		{Name: "unknown key", Method: "POST", Path: PathMCP, Header: bearer(as.MintWith(authtest.MintOptions{Key: stranger, Claims: authtest.Claims{"scope": "read"}})), Status: 401, Challenge: invalid("The access token was signed by an unknown key.")},
		{Name: "no subject", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "sub": authtest.Delete})), Status: 401, Challenge: invalid("The access token has no subject (sub).")},
		{Name: "duplicate claim", Method: "POST", Path: PathMCP, Header: bearer(as.MintWith(authtest.MintOptions{Payload: []byte(`{"iss":"` + as.Issuer + `","sub":"a","sub":"b","aud":"` + Resource + `","exp":` + itoa(now.Add(time.Hour).Unix()) + `,"scope":"read"}`)})),
			Status: 401, Challenge: invalid("The access token's claims are malformed.")},
		{Name: "critical header", Method: "POST", Path: PathMCP, Header: bearer(as.MintWith(authtest.MintOptions{Claims: authtest.Claims{"scope": "read"}, Header: map[string]any{"crit": []string{"x"}}})),
			Status: 401, Challenge: invalid("The access token has a critical header the server does not understand.")},

		{Name: "sender-constrained token as a bearer token", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read", "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}})),
			Status: 401, Challenge: invalid("The access token is bound to a key (cnf) and cannot be used as a bearer token."), Want: wantCode("invalid_token")},
		{Name: "logout token", Method: "POST", Path: PathMCP, Header: bearer(as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "logout+jwt"}, Claims: authtest.Claims{"scope": "read"}})),
			Status: 401, Challenge: invalid("The token is not an access token.")},

		// Scopes.
		{Name: "missing required scope", Method: "POST", Path: PathMCP, Header: bearer(mint(nil)), Status: 403, Challenge: forbidden("read"), Want: wantMissing("read")},
		{Name: "scope through the hierarchy", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "admin"})), Status: 200, Handled: true, Want: wantIdentity("test-user")},
		{Name: "scp array claim", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scp": []string{"read"}, "sub": "okta-user"})), Status: 200, Handled: true, Want: wantIdentity("okta-user")},
		{Name: "policy: tool needs a scope the token lacks", Method: "POST", Path: PathMCP, Header: bearer(read), Body: call("create-todo"), Status: 403, Challenge: forbidden("read create:todos"), Want: wantMissing("create:todos")},
		{Name: "policy: tool scope granted, body reaches the handler", Method: "POST", Path: PathMCP, Header: bearer(mint(authtest.Claims{"scope": "read create:todos"})), Body: call("create-todo"),
			Status: 200, Handled: true, Want: wantBody(call("create-todo"))},
		{Name: "policy: batch needs the union", Method: "POST", Path: PathMCP, Header: bearer(read), Body: "[" + call("get-todos") + "," + call("create-todo") + "]", Status: 403, Challenge: forbidden("read create:todos")},
		{Name: "policy: no token names the operation's scopes", Method: "POST", Path: PathMCP, Body: call("create-todo"), Status: 401, Challenge: challenge("", "", "read create:todos")},
		{Name: "policy: body over the limit", Method: "POST", Path: PathMCP, Header: bearer(read), Body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"c":"` + strings.Repeat("x", 5000) + `"}}}`,
			Status: 413, Want: wantCode("request_too_large")},
		{Name: "policy: ambiguous message", Method: "POST", Path: PathMCP, Header: bearer(read), Body: `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get-todos","NAME":"create-todo"}}`,
			Status: 400, Challenge: challenge("invalid_request", "The request body is ambiguous: duplicate or case-variant JSON-RPC members.", "read")},

		// The policy fails closed: a body it cannot read to its end is
		// refused, though the bytes read before the failure hold a whole
		// message, and the handler never runs.
		{Name: "policy: malformed chunk after a whole message", Method: "POST", Path: PathMCP, Header: with(bearer(read), "Transfer-Encoding", "chunked"),
			Raw: Chunked(call("create-todo")) + "zz\r\n\r\n", Status: 400, Challenge: unreadable, Want: wantCode("invalid_request")},
		{Name: "policy: body cut short by http.MaxBytesHandler", Method: "POST", Path: PathMCP, Header: bearer(read), Wrap: maxBytes(1 << 10),
			Body: call("create-todo") + strings.Repeat(" ", 2<<10), Status: 413, Want: wantCode("request_too_large")},
		{Name: "policy: chunked padding cut short by http.MaxBytesHandler", Method: "POST", Path: PathMCP, Header: with(bearer(read), "Transfer-Encoding", "chunked"),
			Wrap: maxBytes(1 << 10), Raw: Chunked(call("create-todo"), strings.Repeat(" ", 2<<10)) + "0\r\n\r\n", Status: 413, Want: wantCode("request_too_large")},
		{Name: "policy: whole chunked body passes", Method: "POST", Path: PathMCP, Header: with(bearer(mint(authtest.Claims{"scope": "read create:todos"})), "Transfer-Encoding", "chunked"),
			Raw: Chunked(call("create-todo")[:20], call("create-todo")[20:]) + "0\r\n\r\n", Status: 200, Handled: true, Want: wantBody(call("create-todo"))},
		{Name: "policy: content-encoded body refused", Method: "POST", Path: PathMCP, Header: with(bearer(read), "Content-Encoding", "gzip"), Body: call("create-todo"),
			Status: 400, Challenge: challenge("invalid_request", "The request body is content-encoded (Content-Encoding), which the scope policy does not read.", "read")},
		// The MCP 2026-07-28 headers that mirror the body (SEP-2243).
		{Name: "mirror headers agreeing with the body", Method: "POST", Path: PathMCP, Body: call("create-todo"),
			Header: with(with(bearer(mint(authtest.Claims{"scope": "read create:todos"})), "Mcp-Method", "tools/call"), "Mcp-Name", "create-todo"),
			Status: 200, Handled: true, Want: wantBody(call("create-todo"))},
		{Name: "mirror headers disagreeing with the body", Method: "POST", Path: PathMCP, Body: call("create-todo"),
			Header: with(with(bearer(mint(authtest.Claims{"scope": "read create:todos"})), "Mcp-Method", "tools/call"), "Mcp-Name", "get-todos"),
			Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror header given twice", Method: "POST", Path: PathMCP, Body: call("create-todo"),
			Header: with(with(with(bearer(read), "Mcp-Method", "tools/call"), "Mcp-Method", "tools/call"), "Mcp-Name", "create-todo"),
			Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror header of another method", Method: "POST", Path: PathMCP, Body: call("create-todo"),
			Header: with(with(bearer(read), "Mcp-Method", "tools/list"), "Mcp-Name", "create-todo"),
			Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror header of another resource", Method: "POST", Path: PathMCP,
			Body:   `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///notes/n1"}}`,
			Header: with(with(bearer(mint(authtest.Claims{"scope": "read notes"})), "Mcp-Method", "resources/read"), "Mcp-Name", "file:///notes/public"),
			Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror headers with no body", Method: "POST", Path: PathMCP,
			Header: with(with(bearer(read), "Mcp-Method", "tools/call"), "Mcp-Name", "create-todo"),
			Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror headers in lower and upper case on the wire", Method: "POST", Path: PathMCP,
			Header: map[string][]string{"Authorization": {"Bearer " + read}, "mcp-method": {"tools/call"}, "MCP-NAME": {"get-todos"},
				"Content-Type": {"application/json"}, "Content-Length": {itoa(int64(len(call("create-todo"))))}},
			Raw: call("create-todo"), Status: 400, Want: wantRPCError(-32020)},
		{Name: "mirror headers without a token: 401 first", Method: "POST", Path: PathMCP, Body: call("create-todo"),
			Header: with(map[string][]string{}, "Mcp-Method", "tools/list"), Status: 401, Challenge: challenge("", "", "read create:todos")},

		// Resource templates in the policy.
		{Name: "resource template: scope missing", Method: "POST", Path: PathMCP, Header: bearer(read),
			Body:   `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///notes/n1"}}`,
			Status: 403, Challenge: forbidden("read notes"), Want: wantMissing("notes")},
		{Name: "resource template: an exact entry wins", Method: "POST", Path: PathMCP, Header: bearer(read),
			Body:   `{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///notes/public"}}`,
			Status: 200, Handled: true},
		{Name: "per-route scope missing", Method: "POST", Path: PathWrite, Header: bearer(read), Status: 403, Challenge: forbidden("read write"), Want: wantMissing("write")},
		{Name: "per-route scope granted", Method: "POST", Path: PathWrite, Header: bearer(mint(authtest.Claims{"scope": "read write"})), Status: 200, Handled: true, Want: wantIdentity("test-user")},
		{Name: "per-route scope through the hierarchy", Method: "POST", Path: PathWrite, Header: bearer(mint(authtest.Claims{"scope": "admin"})), Status: 200, Handled: true},
		{Name: "per-route: no token", Method: "POST", Path: PathWrite, Status: 401, Challenge: challenge("", "", "read")},
	}
	return append(cases, malformedHeaders()...)
}

// malformedHeaders are Authorization values every adapter must answer
// without a panic and without running the handler.
func malformedHeaders() []Case {
	malformed := challenge("invalid_request", "The Authorization header is malformed: expected a single 'Bearer <token>'.", "read")
	var out []Case
	for _, v := range []string{"Bearer \x00", "Bearer a\x7fb", "Bearer \xff\xfe", `Bearer a"b`, "Bearer a,b", "Bearer a=b", "Bearer ====", "Bearer é"} {
		out = append(out, Case{Name: "malformed header " + strings.ToValidUTF8(v, "?"), Method: "POST", Path: PathMCP, Header: auth(v), Status: 400, Challenge: malformed})
	}
	for _, v := range []string{"Bearer .", "Bearer ..", "Bearer a.b.c.d", "Bearer eyJ.eyJ.x", "Bearer " + strings.Repeat("A", 4096) + "." + "B" + ".C"} {
		out = append(out, Case{Name: "broken token " + v[:min(len(v), 24)], Method: "POST", Path: PathMCP, Header: auth(v), Status: 401, Want: wantCode("invalid_token"),
			Challenge: challenge("invalid_token", "The access token is malformed.", "read")})
	}
	for _, v := range []string{"Bearer\tabc", "Bearerabc", "Token abc", "bearer"} {
		out = append(out, Case{Name: "not a bearer header " + v, Method: "POST", Path: PathMCP, Header: auth(v), Status: 401, Challenge: challenge("", "", "read")})
	}
	return out
}

var preflight = map[string][]string{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"GET"}}

func auth(v string) map[string][]string { return map[string][]string{"Authorization": {v}} }

// with returns h with the header k: v added.
func with(h map[string][]string, k, v string) map[string][]string {
	h[k] = append(h[k], v)
	return h
}

// maxBytes wraps a server in http.MaxBytesHandler with limit n.
func maxBytes(n int64) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler { return http.MaxBytesHandler(h, n) }
}

func wantDocument(t *testing.T, _ int, h http.Header, body []byte) {
	var doc mcpauth.ProtectedResourceMetadata
	if err := json.Unmarshal(body, &doc); err != nil || doc.Resource != Resource || len(doc.AuthorizationServers) != 1 || doc.ResourceName != "Suite" {
		t.Errorf("document %s (%v)", body, err)
	}
	if h.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no Access-Control-Allow-Origin: *")
	}
}

func wantEmpty(t *testing.T, _ int, _ http.Header, body []byte) {
	if len(body) != 0 {
		t.Errorf("HEAD answered with a body: %q", body)
	}
}

func wantPreflight(t *testing.T, _ int, h http.Header, _ []byte) {
	if h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight headers %v", h)
	}
}

func wantAllow(t *testing.T, _ int, h http.Header, _ []byte) {
	if h.Get("Allow") != adapter.MetadataMethods {
		t.Errorf("Allow %q", h.Get("Allow"))
	}
}

func wantExposed(t *testing.T, _ int, h http.Header, _ []byte) {
	if !strings.Contains(strings.Join(h.Values("Access-Control-Expose-Headers"), ","), "WWW-Authenticate") {
		t.Errorf("WWW-Authenticate not exposed: %v", h)
	}
}

func wantCode(code string) func(*testing.T, int, http.Header, []byte) {
	return func(t *testing.T, _ int, _ http.Header, body []byte) {
		var b map[string]any
		if json.Unmarshal(body, &b) != nil || b["error_code"] != code {
			t.Errorf("error_code in %s, want %s", body, code)
		}
	}
}

func wantMissing(scope string) func(*testing.T, int, http.Header, []byte) {
	return func(t *testing.T, _ int, _ http.Header, body []byte) {
		var b struct {
			Missing []string `json:"missing_scopes"`
		}
		if json.Unmarshal(body, &b) != nil || strings.Join(b.Missing, " ") != scope {
			t.Errorf("missing_scopes in %s, want %s", body, scope)
		}
	}
}

// wantIdentity checks that the handler saw the identity both through the
// framework accessor and through mcpauth.FromContext.
func wantIdentity(subject string) func(*testing.T, int, http.Header, []byte) {
	return wantSeen("subject", subject)
}

// wantSeen checks that the handler saw, through both accessors, an identity
// of the suite's resource whose member (as describe reports it) is value.
func wantSeen(member, value string) func(*testing.T, int, http.Header, []byte) {
	return func(t *testing.T, _ int, _ http.Header, body []byte) {
		var b struct {
			Framework map[string]any `json:"framework"`
			Context   map[string]any `json:"context"`
		}
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatalf("handler body %s", body)
		}
		for name, info := range map[string]map[string]any{"framework accessor": b.Framework, "mcpauth.FromContext": b.Context} {
			if info == nil || info[member] != value || info["resource"] != Resource {
				t.Errorf("%s saw %v, want %s %q", name, info, member, value)
			}
		}
	}
}

// wantRPCError checks a JSON-RPC error response with code.
func wantRPCError(code int) func(*testing.T, int, http.Header, []byte) {
	return func(t *testing.T, _ int, h http.Header, body []byte) {
		var b struct {
			JSONRPC string `json:"jsonrpc"`
			Error   struct {
				Code int `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(body, &b) != nil || b.JSONRPC != "2.0" || b.Error.Code != code {
			t.Errorf("body %s, want a JSON-RPC error %d", body, code)
		}
	}
}

func wantBody(sent string) func(*testing.T, int, http.Header, []byte) {
	return func(t *testing.T, _ int, _ http.Header, body []byte) {
		var b struct {
			Body string `json:"body"`
		}
		if json.Unmarshal(body, &b) != nil || b.Body != sent {
			t.Errorf("the handler read %q, want the request body %q", b.Body, sent)
		}
		wantIdentity("test-user")(t, 0, nil, body)
	}
}

func hmacWithPublicKey(as *authtest.Server) string {
	jwk, _ := json.Marshal(as.SigningKey().JWK())
	return as.MintWith(authtest.MintOptions{Algorithm: "HS256", SigningKey: jwk, Claims: authtest.Claims{"scope": "read"}})
}

func itoa(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// legacyCases are played in the deprecated authorization-server mode (MCP
// 2025-03-26): the authorization server's metadata served on the MCP server,
// challenges without resource_metadata, the configured audience required.
func legacyCases(as *authtest.Server) []Case {
	const path = "/.well-known/oauth-authorization-server"
	return []Case{
		{Name: "legacy: authorization-server metadata", Method: "GET", Path: path, Status: 200, env: "legacy",
			Want: func(t *testing.T, _ int, h http.Header, body []byte) {
				var doc map[string]any
				if json.Unmarshal(body, &doc) != nil || doc["issuer"] != as.Issuer || doc["jwks_uri"] != as.Issuer+"/jwks" || h.Get("Access-Control-Allow-Origin") != "*" {
					t.Errorf("metadata %s", body)
				}
			}},
		{Name: "legacy: metadata OPTIONS", Method: "OPTIONS", Path: path, Header: preflight, Status: 204, env: "legacy", Want: wantPreflight},
		{Name: "legacy: metadata POST: 405", Method: "POST", Path: path, Status: 405, env: "legacy", Want: wantAllow},
		{Name: "legacy: no token, no resource_metadata", Method: "POST", Path: PathMCP, Status: 401, env: "legacy", Challenge: `Bearer scope="read"`},
		{Name: "legacy: the configured audience", Method: "POST", Path: PathMCP, env: "legacy", Status: 200, Handled: true,
			Header: bearer(as.Mint(authtest.Claims{"scope": "read"}))},
		{Name: "legacy: another audience refused", Method: "POST", Path: PathMCP, env: "legacy", Status: 401,
			Header:    bearer(as.Mint(authtest.Claims{"aud": "https://elsewhere.example.com", "scope": "read"})),
			Challenge: `Bearer error="invalid_token", error_description="The access token was not issued for this resource.", scope="read"`},
		{Name: "legacy: a logout token refused", Method: "POST", Path: PathMCP, env: "legacy", Status: 401,
			Header:    bearer(as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "logout+jwt"}, Claims: authtest.Claims{"scope": "read"}})),
			Challenge: `Bearer error="invalid_token", error_description="The token is not an access token.", scope="read"`},
		{Name: "legacy: missing scope", Method: "POST", Path: PathMCP, env: "legacy", Status: 403,
			Header:    bearer(as.Mint(authtest.Claims{"scope": "write"})),
			Challenge: `Bearer error="insufficient_scope", error_description="The access token lacks scopes this operation requires.", scope="read"`},
	}
}
