package probe

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// The test servers' scopes, client and per-tool policy (those of the
// examples' todo manager).
var (
	testScopes   = []string{"create:todos", "read:todos", "delete:todos"}
	testClient   = authtest.Client{ID: "probe-client", Secret: "probe secret&="}
	stepUpPolicy = &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"create:todos"}}}
)

// mcpHandler is a tiny MCP server speaking JSON-RPC over HTTP by hand:
// initialize (with a session when session is set), notifications (202),
// tools/list (two tools) and tools/call, answered as JSON or, with sse, as
// an event stream (preceded by a priming event and a comment).
type mcpHandler struct {
	sse     bool
	session bool
}

// ServeHTTP implements http.Handler.
func (m *mcpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodDelete {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var msg struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&msg) != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	if msg.ID == nil {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if m.session && msg.Method != "initialize" && r.Header.Get("Mcp-Session-Id") != "session-1" {
		http.Error(w, "no session", http.StatusBadRequest)
		return
	}
	answer := map[string]any{"jsonrpc": "2.0", "id": msg.ID}
	switch msg.Method {
	case "initialize":
		if m.session {
			w.Header().Set("Mcp-Session-Id", "session-1")
		}
		answer["result"] = map[string]any{"protocolVersion": "2025-11-25", "capabilities": map[string]any{"tools": map[string]any{}},
			"serverInfo": map[string]any{"name": "probe-test", "version": "1.0.0"}}
	case "tools/list":
		answer["result"] = map[string]any{"tools": []map[string]any{
			{"name": "whoami", "inputSchema": map[string]any{"type": "object"}},
			{"name": "create-todo", "inputSchema": map[string]any{"type": "object"}}}}
	case "tools/call":
		answer["result"] = map[string]any{"content": []map[string]any{{"type": "text", "text": "done"}}}
	default:
		answer["error"] = map[string]any{"code": -32601, "message": "method not found"}
	}
	body, _ := json.Marshal(answer)
	if m.sse {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "id: 0\ndata:\n\n: a comment\n\nevent: message\nid: 1\ndata: "+string(body)+"\n\n")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// setup shapes a test server; the zero value is the correct one.
type setup struct {
	sse       bool
	noSession bool
	// policy replaces stepUpPolicy; noPolicy drops it.
	policy   *mcpauth.ScopePolicy
	noPolicy bool
	// bearer edits the middleware's options.
	bearer func(*mcpauth.BearerOptions)
	// as edits the authorization server's options.
	as func(*authtest.Options)
	// wrap wraps the whole server, to break its answers.
	wrap func(f *fixture, next http.Handler) http.Handler
}

// fixture is a running test server: an MCP server built with core and an
// authtest authorization server.
type fixture struct {
	as       *authtest.Server
	srv      *httptest.Server
	url      string // the MCP endpoint, also the resource identifier
	resource string
}

// newFixture starts the server s describes.
func newFixture(t *testing.T, s setup) *fixture {
	t.Helper()
	asOpts := &authtest.Options{Scopes: testScopes, Clients: []authtest.Client{testClient}}
	if s.as != nil {
		s.as(asOpts)
	}
	as := authtest.NewServer(asOpts)
	t.Cleanup(as.Close)
	mux := http.NewServeMux()
	f := &fixture{as: as}
	var handler http.Handler = mux
	if s.wrap != nil {
		handler = s.wrap(f, mux)
	}
	f.srv = httptest.NewServer(handler)
	t.Cleanup(f.srv.Close)
	f.url = f.srv.URL + "/mcp"
	f.resource = f.url
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: f.resource, ScopesSupported: testScopes},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
		}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	bearer := &mcpauth.BearerOptions{Policy: stepUpPolicy}
	switch {
	case s.noPolicy:
		bearer.Policy = nil
	case s.policy != nil:
		bearer.Policy = s.policy
	}
	if s.bearer != nil {
		s.bearer(bearer)
	}
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(bearer)(&mcpHandler{sse: s.sse, session: !s.noSession}))
	return f
}

// credentials are the flags of the test client.
func (f *fixture) credentials() []string {
	return []string{"-client-id", testClient.ID, "-client-secret", testClient.Secret}
}

// answer is a test server's stand-in answer.
type answer func(f *fixture, w http.ResponseWriter, r *http.Request)

// mcpOnly wraps next so that requests to /mcp for which match returns true
// get answer instead; the body is readable by both.
func mcpOnly(match func(r *http.Request, body []byte) bool, answer answer) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != "/mcp" {
				next.ServeHTTP(w, r)
				return
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			if match(r, body) {
				answer(f, w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// wellKnown wraps next so that the protected resource metadata routes get
// answer instead.
func wellKnown(answer answer) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasPrefix(r.URL.Path, wellKnownPRM) {
				answer(f, w, r)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// editedMetadata serves the real metadata document with edit applied.
func editedMetadata(edit func(f *fixture, doc map[string]any)) func(*fixture, http.Handler) http.Handler {
	return func(f *fixture, next http.Handler) http.Handler {
		return wellKnown(func(f *fixture, w http.ResponseWriter, r *http.Request) {
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var doc map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				http.Error(w, "no document", http.StatusNotFound)
				return
			}
			edit(f, doc)
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(doc)
		})(f, next)
	}
}

// isMethod matches a JSON-RPC request body of method.
func isMethod(method string) func(*http.Request, []byte) bool {
	return func(_ *http.Request, body []byte) bool {
		var msg struct {
			Method string `json:"method"`
		}
		return json.Unmarshal(body, &msg) == nil && msg.Method == method
	}
}

// noToken matches a request without Authorization.
func noToken(r *http.Request, _ []byte) bool { return r.Header.Get("Authorization") == "" }
