package mcpauth_test

import (
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

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
