package apptest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/mcp-auth/go/examples/todo"
)

// recorder is an http.RoundTripper adding a bearer token and recording the
// Mcp-Method and Mcp-Name headers of each request.
type recorder struct {
	token   string
	mu      sync.Mutex
	mirrors []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+r.token)
	r.mu.Lock()
	r.mirrors = append(r.mirrors, req.Header.Get("Mcp-Method")+" "+req.Header.Get("Mcp-Name"))
	r.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// ConnectMCPGo opens a session of mark3labs/mcp-go's client with token. It
// negotiates the newest revision the server speaks: 2026-07-28 (stateless,
// with the Mcp-Method and Mcp-Name headers) with mcp-go v1.2 and the
// official SDK v1.8 alike.
func (s *Server) ConnectMCPGo(t testing.TB, token string) (*client.Client, *recorder) {
	t.Helper()
	rec := &recorder{token: token}
	c, err := client.NewStreamableHttpClient(s.Resource, transport.WithHTTPBasicClient(&http.Client{Transport: rec}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	req := mcp.InitializeRequest{}
	req.Params.ClientInfo = mcp.Implementation{Name: "apptest-mcp-go", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return c, rec
}

// Modern drives the example with mcp-go's client, which speaks the
// 2026-07-28 revision with a server that does (want is the revision the
// example must negotiate): whoami, the step-up
// refusal of create-todo without create:todos, and create-todo with it;
// with 2026-07-28, each tools/call mirrors its method and tool in headers,
// which the scope policy checks against the body.
func Modern(t *testing.T, run RunFunc, want string) {
	s := Start(t, run)
	reader, rec := s.ConnectMCPGo(t, s.Token("modern-alice", "read:todos"))
	if got := reader.ProtocolVersion(); got != want {
		t.Fatalf("negotiated %s, want %s", got, want)
	}
	var id todo.Identity
	mcpgoCall(t, reader, "whoami", nil, &id)
	if id.Subject != "modern-alice" || id.Issuer != s.Issuer {
		t.Fatalf("whoami %+v", id)
	}
	if _, err := reader.CallTool(context.Background(), toolCall("create-todo", map[string]any{"content": "x"})); err == nil {
		t.Fatal("create-todo without create:todos")
	}
	writer, _ := s.ConnectMCPGo(t, s.Token("modern-bob", "create:todos"))
	var created todo.Todo
	mcpgoCall(t, writer, "create-todo", map[string]any{"content": "modern"}, &created)
	if created.Content != "modern" || created.OwnerID != "modern-bob" {
		t.Fatalf("created %+v", created)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	mirrored := strings.Contains(strings.Join(rec.mirrors, "\n"), "tools/call whoami")
	if mirrored != (want == mcp.ProtocolVersion20260728) {
		t.Fatalf("mirror headers %v with %s: %q", mirrored, want, rec.mirrors)
	}
}

func toolCall(name string, args map[string]any) mcp.CallToolRequest {
	if args == nil {
		args = map[string]any{}
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	return req
}

// mcpgoCall calls tool and decodes its structured content into out.
func mcpgoCall(t testing.TB, c *client.Client, tool string, args map[string]any, out any) {
	t.Helper()
	res, err := c.CallTool(context.Background(), toolCall(tool, args))
	if err != nil || res.IsError {
		t.Fatalf("%s: %v %+v", tool, err, res)
	}
	b, _ := json.Marshal(res.StructuredContent)
	if err := json.Unmarshal(b, out); err != nil {
		t.Fatalf("%s: structured content %s: %v", tool, b, err)
	}
}
