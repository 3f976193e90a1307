package mcpauth_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

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

func TestScopeHierarchy(t *testing.T) {
	r := newRig(t, rigOptions{
		bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"todos:read"}},
		resource: func(p *mcpauth.ProtectedResource) {
			p.ScopeHierarchy = mcpauth.ScopeHierarchy{
				"todos:admin": {"todos:write"},
				"todos:write": {"todos:read", "todos:create"},
			}
		},
	})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:read"})), 200, "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:write"})), 200, "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:admin"})), 200, "")
	info, _ := mcpauth.FromContext(r.lastReq.Load().Context())
	if !info.HasScopes("todos:create", "todos:read", "todos:write") || info.HasScopes("todos:delete") {
		t.Fatal("HasScopes does not follow the hierarchy")
	}
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"scope": "todos:create"})), 403,
		challengeFor("insufficient_scope", "The access token lacks scopes this operation requires.", "todos:read"))
}

const toolsCall = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"%s","arguments":{}}}`

func TestScopePolicy(t *testing.T) {
	policy := &mcpauth.ScopePolicy{
		Methods:   map[string][]string{"tools/call": {"tools"}},
		Tools:     map[string][]string{"create-todo": {"create:todos"}, "delete-todo": {"delete:todos"}},
		Prompts:   map[string][]string{"secret-prompt": {"prompts:secret"}},
		Resources: map[string][]string{"file:///secret": {"files:secret"}},
	}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"mcp"}, Policy: policy}})
	call := func(tool string) string { return strings.Replace(toolsCall, "%s", tool, 1) }
	forbidden := func(scope string) string {
		return challengeFor("insufficient_scope", "The access token lacks scopes this operation requires.", scope)
	}
	tests := []struct {
		name      string
		scope     string
		body      string
		status    int
		challenge string
	}{
		{"tools/list needs the base scope only", "mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`, 200, ""},
		{"other tool", "mcp tools", call("get-todos"), 200, ""},
		{"create-todo without its scope", "mcp tools", call("create-todo"), 403, forbidden("mcp tools create:todos")},
		{"create-todo with its scope", "mcp tools create:todos", call("create-todo"), 200, ""},
		{"method scope missing too: all named at once", "mcp", call("create-todo"), 403, forbidden("mcp tools create:todos")},
		{"batch needs the union", "mcp tools create:todos", "[" + call("create-todo") + "," + call("delete-todo") + "]", 403,
			forbidden("mcp tools create:todos delete:todos")},
		{"batch with every scope", "mcp tools create:todos delete:todos", "[" + call("create-todo") + "," + call("delete-todo") + "]", 200, ""},
		{"prompt", "mcp", `{"jsonrpc":"2.0","id":2,"method":"prompts/get","params":{"name":"secret-prompt"}}`, 403, forbidden("mcp prompts:secret")},
		{"resource", "mcp", `{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"file:///secret"}}`, 403, forbidden("mcp files:secret")},
		{"escaped member name still counts", "mcp tools", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"na\u006de":"create-todo"}}`, 403, forbidden("mcp tools create:todos")},
		{"not JSON: base requirement", "mcp", `this is not json`, 200, ""},
		{"notification without params", "mcp tools", `{"jsonrpc":"2.0","method":"tools/call"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			rec := r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": tt.scope})}, tt.body)
			expect(t, rec, tt.status, tt.challenge)
			if tt.status == 200 {
				if got := *r.body.Load(); got != tt.body {
					t.Fatalf("the handler saw the body %q, want %q", got, tt.body)
				}
			} else if r.calls.Load() != before {
				t.Fatal("handler ran")
			}
		})
	}
	t.Run("no token: 401 names the scopes of the operation", func(t *testing.T) {
		expect(t, r.request(http.MethodPost, nil, call("create-todo")), 401, challengeFor("", "", "mcp tools create:todos"))
	})
	t.Run("broken or trailing JSON refused", func(t *testing.T) {
		for _, body := range []string{
			strings.Replace(toolsCall, "%s", "create-todo", 1) + ` {"jsonrpc":"2.0","id":2,"method":"ping"}`,
			strings.Replace(toolsCall, "%s", "create-todo", 1) + "x",
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo"`,
			`[` + strings.Replace(toolsCall, "%s", "create-todo", 1),
		} {
			before := r.calls.Load()
			rec := r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": "mcp tools"})}, body)
			expect(t, rec, 400, challengeFor("invalid_request", "The request body is not a well-formed JSON-RPC message.", "mcp"))
			if r.calls.Load() != before {
				t.Fatal("handler ran")
			}
		}
	})
	t.Run("batch elements that are not objects are skipped, the rest counted", func(t *testing.T) {
		body := `[1, "x", null, ` + strings.Replace(toolsCall, "%s", "create-todo", 1) + `]`
		expect(t, r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": "mcp tools"})}, body), 403, forbidden("mcp tools create:todos"))
	})
	t.Run("params that are not an object name no target", func(t *testing.T) {
		body := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":["create-todo"]}`
		expect(t, r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": "mcp tools"})}, body), 200, "")
	})
	t.Run("ambiguous members refused", func(t *testing.T) {
		for _, body := range []string{
			`{"jsonrpc":"2.0","id":1,"method":"tools/list","METHOD":"tools/call","params":{"name":"create-todo"}}`,
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","method":"tools/list","params":{"name":"create-todo"}}`,
			`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get-todos","Name":"create-todo"}}`,
			`[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","name":"create-todo"}}]`,
		} {
			before := r.calls.Load()
			rec := r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": "mcp tools"})}, body)
			expect(t, rec, 400, challengeFor("invalid_request", "The request body is ambiguous: duplicate or case-variant JSON-RPC members.", "mcp"))
			if r.calls.Load() != before {
				t.Fatal("handler ran")
			}
		}
	})
}

func TestScopePolicyDeepBody(t *testing.T) {
	// encoding/json reads up to 10000 levels: a body nested deeper than the
	// policy's scanner reads must not pass with the base requirement only.
	policy := &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"create:todos"}}}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{Policy: policy}})
	deep := strings.Repeat("[", 600) + strings.Repeat("]", 600)
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{"x":` + deep + `}}}`,
		`{"jsonrpc":"2.0","id":` + deep + `,"method":"tools/call","params":{"name":"create-todo"}}`,
		`[` + deep + `,{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo"}}]`,
	} {
		rec := r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(nil)}, body)
		expect(t, rec, 400, challengeFor("invalid_request", "The request body nests JSON deeper than the scope policy reads.", ""))
		if r.calls.Load() != 0 {
			t.Fatal("handler ran")
		}
	}
}

func TestScopePolicyBodyLimit(t *testing.T) {
	policy := &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"create:todos"}}, MaxBodyBytes: 1024}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{Policy: policy}})
	big := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"` + strings.Repeat("x", 2000) + `"}}}`
	rec := r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(nil)}, big)
	expect(t, rec, 413, "")
	if r.calls.Load() != 0 {
		t.Fatal("handler ran")
	}
	small := strings.Replace(toolsCall, "%s", "create-todo", 1)
	expect(t, r.request(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": "create:todos"})}, small), 200, "")
}

func TestNoAudienceClientIDs(t *testing.T) {
	r := newRig(t, rigOptions{resource: func(p *mcpauth.ProtectedResource) { p.NoAudienceClientIDs = []string{"cognito-app"} }})
	noAud := authtest.Claims{"aud": authtest.Delete, "client_id": "cognito-app"}
	expect(t, r.bearer(r.as.Mint(noAud)), 200, "")
	wrongAud := challengeFor("invalid_token", "The access token was not issued for this resource.", "")
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"aud": authtest.Delete, "client_id": "other-app"})), 401, wrongAud)
	// A token that names another audience is refused even for an allowed client.
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"aud": "https://other.example.com", "client_id": "cognito-app"})), 401, wrongAud)
	// Off by default.
	r2 := newRig(t, rigOptions{})
	expect(t, r2.bearer(r2.as.Mint(noAud)), 401, wrongAud)
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

// brokenBody yields data, then fails as a malformed chunked encoding does.
type brokenBody struct{ data *strings.Reader }

func (b brokenBody) Read(p []byte) (int, error) {
	if b.data.Len() > 0 {
		return b.data.Read(p)
	}
	return 0, errors.New("invalid byte in chunk length")
}

func (brokenBody) Close() error { return nil }

// TestScopePolicyFailsClosed: a body whose read fails is refused even when
// the bytes read before the failure hold a whole message; the handler never
// runs and never sees those bytes.
func TestScopePolicyFailsClosed(t *testing.T) {
	policy := &mcpauth.ScopePolicy{Tools: map[string][]string{"admin-tool": {"admin"}}}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}, Policy: policy}})
	msg := strings.Replace(toolsCall, "%s", "admin-tool", 1)
	read := "Bearer " + r.as.Mint(authtest.Claims{"scope": "read"})
	unreadable := challengeFor("invalid_request", "The request body could not be read.", "read")
	refused := func(t *testing.T, rec *httptest.ResponseRecorder, status int, challenge string) {
		t.Helper()
		expect(t, rec, status, challenge)
		if r.calls.Load() != 0 {
			t.Fatal("the handler ran")
		}
	}

	t.Run("read error after a whole message", func(t *testing.T) {
		req := r.newRequest(http.MethodPost, []string{read}, "")
		req.Body, req.ContentLength = brokenBody{strings.NewReader(msg)}, -1
		refused(t, r.send(req), 400, unreadable)
	})
	t.Run("unexpected end of a Content-Length body", func(t *testing.T) {
		req := r.newRequest(http.MethodPost, []string{read}, "")
		req.Body = io.NopCloser(io.MultiReader(strings.NewReader(msg), iotest.ErrReader(io.ErrUnexpectedEOF)))
		refused(t, r.send(req), 400, unreadable)
	})
	t.Run("http.MaxBytesHandler cuts the padding short", func(t *testing.T) {
		limited := http.MaxBytesHandler(r.handler, 1<<10)
		req := r.newRequest(http.MethodPost, []string{read}, msg+strings.Repeat(" ", 2<<10))
		rec := httptest.NewRecorder()
		limited.ServeHTTP(rec, req)
		refused(t, rec, 413, "")
		var body struct{ Error, Code string }
		json.Unmarshal(rec.Body.Bytes(), &body)
		if body.Error != "invalid_request" {
			t.Fatalf("body %s", rec.Body)
		}
	})
	t.Run("malformed chunk on the wire", func(t *testing.T) {
		srv := httptest.NewServer(r.handler)
		defer srv.Close()
		raw := "POST /mcp HTTP/1.1\r\nHost: mcp.example.com\r\nAuthorization: " + read + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strconv.FormatInt(int64(len(msg)), 16) + "\r\n" + msg + "\r\nzz\r\n\r\n"
		resp := rawRequest(t, srv.Listener.Addr().String(), raw)
		if resp.StatusCode != 400 || resp.Header.Get("WWW-Authenticate") != unreadable || r.calls.Load() != 0 {
			t.Fatalf("status %d, challenge %s, handler calls %d", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), r.calls.Load())
		}
	})
	t.Run("content codings", func(t *testing.T) {
		encoded := challengeFor("invalid_request", "The request body is content-encoded (Content-Encoding), which the scope policy does not read.", "read")
		for _, ce := range [][]string{{"gzip"}, {"GZIP"}, {"identity, gzip"}, {"identity", "br"}, {"x-custom"}} {
			req := r.newRequest(http.MethodPost, []string{read}, msg)
			req.Header["Content-Encoding"] = ce
			refused(t, r.send(req), 400, encoded)
		}
		for _, ce := range [][]string{{"identity"}, {"Identity"}, {""}, {"identity, identity"}} {
			req := r.newRequest(http.MethodPost, []string{read}, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
			req.Header["Content-Encoding"] = ce
			expect(t, r.send(req), 200, "")
		}
		r.calls.Store(0)
	})
	t.Run("the handler reads the whole body when it could be read", func(t *testing.T) {
		admin := "Bearer " + r.as.Mint(authtest.Claims{"scope": "read admin"})
		expect(t, r.request(http.MethodPost, []string{admin}, msg+"  "), 200, "")
		if got := *r.body.Load(); got != msg+"  " {
			t.Fatalf("handler read %q", got)
		}
	})
}
