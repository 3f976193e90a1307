package mcpauth_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
)

// TestMirrorHeaders: with the MCP 2026-07-28 headers that mirror the body
// (Mcp-Method, Mcp-Name), the body must say the same; a disagreement is
// answered 400 with a JSON-RPC -32020 error carrying the request's id, no
// challenge, and the handler never runs; authentication still comes first.
func TestMirrorHeaders(t *testing.T) {
	policy := &mcpauth.ScopePolicy{
		Tools:     map[string][]string{"create-todo": {"create:todos"}, "café": {"cafe"}},
		Resources: map[string][]string{"file:///secret": {"files:secret"}},
	}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}, Policy: policy}})
	call := func(tool string) string {
		return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"` + tool + `","arguments":{}}}`
	}
	read := `{"jsonrpc":"2.0","id":"r1","method":"resources/read","params":{"uri":"file:///secret"}}`
	list := `{"jsonrpc":"2.0","id":8,"method":"tools/list"}`
	full := "read create:todos cafe files:secret"
	tests := []struct {
		name    string
		headers map[string][]string
		body    string
		scope   string // of the token
		status  int
		id      string // the JSON-RPC id of a -32020 answer
		message string
	}{
		{"agreeing headers, scope granted", h("tools/call", "create-todo"), call("create-todo"), full, 200, "", ""},
		{"agreeing headers, scope missing: the policy's 403", h("tools/call", "create-todo"), call("create-todo"), "read", 403, "", ""},
		{"agreeing resources/read", h("resources/read", "file:///secret"), read, full, 200, "", ""},
		{"agreeing method without a name", h("tools/list", ""), list, "read", 200, "", ""},
		{"base64-wrapped name", h("tools/call", "=?base64?Y2Fmw6k=?="), call("café"), full, 200, "", ""},
		{"method differs", h("tools/list", ""), call("create-todo"), full, 400, "7", `Mcp-Method is "tools/list" but the body's method is "tools/call"`},
		{"name differs", h("tools/call", "get-todos"), call("create-todo"), full, 400, "7", `Mcp-Name is "get-todos" but the body names "create-todo"`},
		{"uri differs", h("resources/read", "file:///public"), read, full, 400, `"r1"`, `Mcp-Name is "file:///public" but the body names "file:///secret"`},
		{"name missing", h("tools/call", ""), call("create-todo"), full, 400, "7", "the Mcp-Name header is missing"},
		{"name for a method that names nothing", h("tools/list", "x"), list, full, 400, "8", `the Mcp-Name header is given for "tools/list"`},
		{"name without method", map[string][]string{"Mcp-Name": {"create-todo"}}, call("create-todo"), full, 400, "7", "Mcp-Name header is given without Mcp-Method"},
		{"method given twice", map[string][]string{"Mcp-Method": {"tools/call", "tools/call"}, "Mcp-Name": {"create-todo"}}, call("create-todo"), full, 400, "7", "more than once"},
		{"name given twice", map[string][]string{"Mcp-Method": {"tools/call"}, "Mcp-Name": {"create-todo", "create-todo"}}, call("create-todo"), full, 400, "7", "more than once"},
		{"undecodable base64", h("tools/call", "=?base64?not base64!?="), call("create-todo"), full, 400, "7", "does not decode"},
		{"headers over a batch", h("tools/call", "create-todo"), "[" + call("create-todo") + "]", full, 400, "7", "the body is a batch"},
		{"headers over a body that is no message", h("tools/call", "create-todo"), "not json", full, 400, "null", "no JSON-RPC message"},
		{"headers over no body", h("tools/call", "create-todo"), "", full, 400, "null", "no JSON-RPC message"},
		{"a notification", h("tools/list", ""), `{"jsonrpc":"2.0","method":"notifications/initialized"}`, full, 400, "null", "the body's method"},
		{"batch without headers: as before", nil, "[" + call("create-todo") + "]", "read", 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			req := r.newRequest(http.MethodPost, []string{"Bearer " + r.as.Mint(authtest.Claims{"scope": tt.scope})}, tt.body)
			for k, vs := range tt.headers {
				req.Header[k] = vs
			}
			rec := r.send(req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ran := r.calls.Load() != before; ran != (tt.status == 200) {
				t.Fatalf("handler ran: %v", ran)
			}
			if tt.status != 400 {
				return
			}
			if rec.Header().Get("WWW-Authenticate") != "" || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("headers %v", rec.Header())
			}
			var body struct {
				JSONRPC string          `json:"jsonrpc"`
				ID      json.RawMessage `json:"id"`
				Error   struct {
					Code    int    `json:"code"`
					Message string `json:"message"`
				} `json:"error"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.JSONRPC != "2.0" || body.Error.Code != -32020 ||
				string(body.ID) != tt.id || !strings.Contains(body.Error.Message, tt.message) {
				t.Fatalf("body %s", rec.Body)
			}
		})
	}
	t.Run("authentication first", func(t *testing.T) {
		for _, auth := range [][]string{nil, {"Bearer not-a-jwt"}, {"Bearer " + r.as.Mint(authtest.Claims{"aud": "https://other.example.com"})}} {
			req := r.newRequest(http.MethodPost, auth, call("create-todo"))
			req.Header["Mcp-Method"] = []string{"tools/list"}
			rec := r.send(req)
			if rec.Code != 401 || !strings.Contains(rec.Header().Get("WWW-Authenticate"), "create:todos") {
				t.Fatalf("%v: %d %q", auth, rec.Code, rec.Header().Get("WWW-Authenticate"))
			}
		}
	})
	t.Run("header names in any case, on the wire", func(t *testing.T) {
		token := r.as.Mint(authtest.Claims{"scope": full})
		send := func(method, name string) int {
			body := call("create-todo")
			raw := "POST /mcp HTTP/1.1\r\nHost: mcp.example.com\r\nAuthorization: Bearer " + token + "\r\nContent-Type: application/json\r\n" +
				method + "\r\n" + name + "\r\nContent-Length: " + itoa(len(body)) + "\r\n\r\n" + body
			return adaptertest.Wire(t, r.handler, raw).StatusCode
		}
		if s := send("mcp-method: tools/call", "MCP-NAME: create-todo"); s != 200 {
			t.Fatalf("agreeing, lower and upper case names: %d", s)
		}
		if s := send("MCP-Method: tools/call", "mcp-name: get-todos"); s != 400 {
			t.Fatalf("disagreeing, mixed case names: %d", s)
		}
	})
}

// h builds mirror headers (no Mcp-Name when name is "").
func h(method, name string) map[string][]string {
	out := map[string][]string{"Mcp-Method": {method}}
	if name != "" {
		out["Mcp-Name"] = []string{name}
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
