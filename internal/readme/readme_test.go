package readme

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func init() { gin.SetMode(gin.ReleaseMode) }

// TestSnippets: every ```go block of README.md appears verbatim in this
// package, which compiles and whose wiring the other tests run.
func TestSnippets(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	var code strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		code.Write(b)
	}
	blocks := 0
	for _, part := range strings.Split(string(readme), "```go\n")[1:] {
		block, _, ok := strings.Cut(part, "```")
		if !ok {
			t.Fatal("an unterminated ```go block")
		}
		blocks++
		if !strings.Contains(code.String(), block) {
			t.Errorf("README block %d is not compiled code of internal/readme:\n%s", blocks, block)
		}
	}
	if blocks < 8 {
		t.Errorf("%d Go blocks in the README, want the configuration, the MCP server, the five frameworks and mcp-go", blocks)
	}
}

func TestConfiguration(t *testing.T) {
	auth, err := newAuth()
	if err != nil {
		t.Fatal(err)
	}
	auth.Close()
}

// TestRoutes runs each framework's wiring of the README against a real
// authorization server and the official MCP Go SDK's client.
func TestRoutes(t *testing.T) {
	for name, routes := range map[string]func(*mcpauth.Auth, http.Handler) http.Handler{
		"net/http": netHTTPRoutes, "gin": ginRoutes, "echo": echoRoutes, "echov5": echoV5Routes, "chi": chiRoutes,
		"mcp-go": func(auth *mcpauth.Auth, _ http.Handler) http.Handler { return mcpgoRoutes(auth) },
	} {
		t.Run(name, func(t *testing.T) { checkRoutes(t, routes) })
	}
}

func checkRoutes(t *testing.T, routes func(*mcpauth.Auth, http.Handler) http.Handler) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	srv := httptest.NewUnstartedServer(nil)
	resource := "http://" + srv.Listener.Addr().String() + "/mcp"
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource, ScopesSupported: []string{"notes:read", "notes:write"}},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	srv.Config.Handler = routes(auth, newMCPServer())
	srv.Start()
	t.Cleanup(srv.Close)

	resp, err := http.Post(resource, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	metadata := strings.Replace(resource, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer scope="notes:read", resource_metadata="`+metadata+`"` {
		t.Fatalf("no token: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if resp, err := http.Get(metadata); err != nil || resp.StatusCode != 200 {
		t.Fatalf("metadata: %v %v", resp, err)
	}
	token := func(scope string) string {
		return as.Mint(authtest.Claims{"aud": resource, "sub": "alice", "scope": scope})
	}
	// Every method reaches the SDK (a GET without a session is the SDK's
	// own refusal, not the router's 404 or 405).
	req, _ := http.NewRequest(http.MethodGet, resource, nil)
	req.Header.Set("Authorization", "Bearer "+token("notes:read"))
	req.Header.Set("Accept", "text/event-stream")
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode == 404 || resp.StatusCode == 405 {
		t.Fatalf("GET /mcp: %v %v", resp, err)
	}
	resp.Body.Close() // a server may have opened a stream

	reader := connect(t, resource, token("notes:read"))
	if text := call(t, reader, "whoami"); text != "alice" {
		t.Fatalf("whoami: %q", text)
	}
	if _, err := reader.CallTool(context.Background(), &mcp.CallToolParams{Name: "add-note", Arguments: map[string]any{"Text": "x"}}); err == nil {
		t.Fatal("add-note without notes:write")
	}
	writer := connect(t, resource, token("notes:read notes:write"))
	if text := call(t, writer, "add-note"); text != "added" {
		t.Fatalf("add-note: %q", text)
	}
}

type bearerTransport struct{ token atomic.Pointer[string] }

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+*b.token.Load())
	return http.DefaultTransport.RoundTrip(r)
}

func connect(t *testing.T, endpoint, token string) *mcp.ClientSession {
	tr := &bearerTransport{}
	tr.token.Store(&token)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := mcp.NewClient(&mcp.Implementation{Name: "readme", Version: "1"}, nil).Connect(ctx,
		&mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: tr}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func call(t *testing.T, s *mcp.ClientSession, tool string) string {
	args := map[string]any{}
	if tool == "add-note" {
		args["Text"] = "x"
	}
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil || res.IsError || len(res.Content) != 1 {
		t.Fatalf("%s: %v %+v", tool, err, res)
	}
	return res.Content[0].(*mcp.TextContent).Text
}

// TestDPoP runs the README's DPoP configuration: the metadata advertises
// it, a bearer token is refused, a proof without the nonce gets one, and a
// proof with it passes once.
func TestDPoP(t *testing.T) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	auth, err := newAuthWithDPoP(as.Issuer, []byte("a secret of at least thirty-two bytes"), mcpauth.NewMemoryReplayStore(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	h := auth.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	const resource = "https://mcp.example.com/mcp"
	key, _ := authtest.NewKey("", "ES256")
	token := as.Mint(authtest.Claims{"aud": resource, "cnf": key.Confirmation()})
	send := func(scheme, proof string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, resource, nil)
		req.Header.Set("Authorization", scheme+" "+token)
		if proof != "" {
			req.Header.Set("DPoP", proof)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := send("Bearer", ""); rec.Code != 401 || !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "DPoP ") {
		t.Fatalf("bearer: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	rec := send("DPoP", key.Proof(http.MethodPost, resource, token))
	nonce := rec.Header().Get("DPoP-Nonce")
	if rec.Code != 401 || nonce == "" {
		t.Fatalf("no nonce: %d", rec.Code)
	}
	proof := key.SignProof(authtest.Proof{Method: http.MethodPost, URL: resource, AccessToken: token, Nonce: nonce})
	if rec := send("DPoP", proof); rec.Code != 200 {
		t.Fatalf("with the nonce: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}
	if rec := send("DPoP", proof); rec.Code != 401 {
		t.Fatalf("replayed: %d", rec.Code)
	}
}
