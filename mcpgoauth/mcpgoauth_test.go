package mcpgoauth_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/mcpgoauth"
)

func newServer(t testing.TB, s *adaptertest.Setup) http.Handler {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.Handler(w, r, mcpgoauth.AuthInfo(r.Context())) })
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", s.Auth.MetadataHandler())
	mux.Handle(adaptertest.PathMCP, mcpgoauth.Protect(s.Auth, s.Options, handler))
	mux.Handle(adaptertest.PathWrite, mcpgoauth.Protect(s.Auth, s.Options, mcpauth.RequireScopes(adaptertest.RouteScopes...)(handler)))
	return mux
}

// TestBehaviour plays the adapter suite: the same answers as every adapter.
func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, newServer)
}

func TestWiringMistakes(t *testing.T) {
	adaptertest.WiringPanics(t, map[string]func(){
		"mcpgoauth.Protect": func() { mcpgoauth.Protect(nil, nil, http.NotFoundHandler()) },
	})
}

// headerLog records the Mcp-Method header of each POST.
type headerLog struct {
	mu      sync.Mutex
	methods []string
}

func (l *headerLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			l.mu.Lock()
			l.methods = append(l.methods, r.Header.Get("Mcp-Method")+" "+r.Header.Get("Mcp-Name"))
			l.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// mcpgoServer serves an mcp-go server with a whoami and a create-note tool,
// a greet prompt and a note://{owner}/{id} resource template, protected with
// the per-tool policy (create-note needs notes:write, greet and the notes
// notes:read), sessions bound to users.
func mcpgoServer(t *testing.T) (*authtest.Server, string, *headerLog) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	srv := httptest.NewUnstartedServer(nil)
	endpoint := "http://" + srv.Listener.Addr().String() + "/mcp"
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: endpoint},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	s := server.NewMCPServer("notes", "1.0.0", server.WithToolCapabilities(false), server.WithPromptCapabilities(false), server.WithResourceCapabilities(false, false))
	s.AddPrompt(mcp.NewPrompt("greet"), func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		info := mcpgoauth.AuthInfo(ctx)
		if info == nil {
			return nil, errors.New("no identity")
		}
		return mcp.NewGetPromptResult("greeting", []mcp.PromptMessage{mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("hello "+info.Subject))}), nil
	})
	s.AddResourceTemplate(mcp.NewResourceTemplate("note://{owner}/{id}", "note"), func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		info := mcpgoauth.AuthInfo(ctx)
		if info == nil {
			return nil, errors.New("no identity")
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, Text: "read by " + info.Subject}}, nil
	})
	s.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		info := mcpgoauth.AuthInfo(ctx)
		if info == nil {
			return mcp.NewToolResultError("no identity"), nil
		}
		return mcp.NewToolResultText(info.Subject), nil
	})
	s.AddTool(mcp.NewTool("create-note", mcp.WithString("text")), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText("created"), nil
	})
	log := &headerLog{}
	streamable := server.NewStreamableHTTPServer(s, mcpgoauth.BindSessions(nil))
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", log.wrap(mcpgoauth.Protect(auth, &mcpauth.BearerOptions{
		Policy: &mcpauth.ScopePolicy{
			Tools:     map[string][]string{"create-note": {"notes:write"}},
			Prompts:   map[string][]string{"greet": {"notes:read"}},
			Resources: map[string][]string{"note://{owner}/{id}": {"notes:read"}},
		},
	}, streamable)))
	srv.Config.Handler = mux
	srv.Start()
	t.Cleanup(srv.Close)
	return as, endpoint, log
}

// connect opens an mcp-go client session with token; version "" lets the
// client negotiate (the stateless 2026-07-28 revision with an mcp-go server).
func connect(t *testing.T, endpoint, token, version string) *client.Client {
	opts := []transport.StreamableHTTPCOption{transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token})}
	c, err := client.NewStreamableHttpClient(endpoint, opts...)
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
	req.Params.ProtocolVersion = version
	req.Params.ClientInfo = mcp.Implementation{Name: "mcpgoauth-test", Version: "1"}
	if _, err := c.Initialize(ctx, req); err != nil {
		t.Fatalf("initialize: %v", err)
	}
	return c
}

func callText(t *testing.T, c *client.Client, tool string) (string, error) {
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = map[string]any{}
	res, err := c.CallTool(context.Background(), req)
	if err != nil {
		return "", err
	}
	if len(res.Content) != 1 {
		t.Fatalf("%s: %+v", tool, res)
	}
	return res.Content[0].(mcp.TextContent).Text, nil
}

// TestHandlersSeeIdentity: with each protocol generation, tools read the
// verified identity, and the per-tool policy refuses a call without its
// scope before the tool runs. The 2026-07-28 client sends the Mcp-Method
// and Mcp-Name headers, which the policy checks against the body.
func TestHandlersSeeIdentity(t *testing.T) {
	for _, version := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		t.Run(version, func(t *testing.T) {
			as, endpoint, log := mcpgoServer(t)
			reader := connect(t, endpoint, as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice"}), version)
			if reader.ProtocolVersion() != version {
				t.Fatalf("negotiated %s, want %s", reader.ProtocolVersion(), version)
			}
			if text, err := callText(t, reader, "whoami"); err != nil || text != "alice" {
				t.Fatalf("whoami: %q %v", text, err)
			}
			if _, err := callText(t, reader, "create-note"); err == nil {
				t.Fatal("create-note without notes:write")
			}
			writer := connect(t, endpoint, as.Mint(authtest.Claims{"aud": endpoint, "sub": "bob", "scope": "notes:write"}), version)
			if text, err := callText(t, writer, "create-note"); err != nil || text != "created" {
				t.Fatalf("create-note: %q %v", text, err)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			mirrored := false
			for _, m := range log.methods {
				mirrored = mirrored || m == "tools/call whoami"
			}
			if mirrored != (version == mcp.ProtocolVersion20260728) {
				t.Fatalf("mirror headers sent %v for %s: %q", mirrored, version, log.methods)
			}
		})
	}
}

// TestPromptsAndResourcesSeeIdentity: prompt and resource-template
// handlers read the verified identity, and the policy's Prompts and
// Resources (an RFC 6570 template) refuse a token without notes:read before
// they run, with each protocol generation.
func TestPromptsAndResourcesSeeIdentity(t *testing.T) {
	for _, version := range []string{mcp.ProtocolVersion20260728, mcp.ProtocolVersion20251125} {
		t.Run(version, func(t *testing.T) {
			as, endpoint, log := mcpgoServer(t)
			prompt := mcp.GetPromptRequest{}
			prompt.Params.Name = "greet"
			read := mcp.ReadResourceRequest{}
			read.Params.URI = "note://alice/42"
			ctx := context.Background()

			without := connect(t, endpoint, as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice"}), version)
			if _, err := without.GetPrompt(ctx, prompt); err == nil || !strings.Contains(err.Error(), "insufficient_scope") {
				t.Fatalf("greet without notes:read: %v", err)
			}
			if _, err := without.ReadResource(ctx, read); err == nil || !strings.Contains(err.Error(), "insufficient_scope") {
				t.Fatalf("note://alice/42 without notes:read: %v", err)
			}

			with := connect(t, endpoint, as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice", "scope": "notes:read"}), version)
			p, err := with.GetPrompt(ctx, prompt)
			if err != nil || len(p.Messages) != 1 || p.Messages[0].Content.(mcp.TextContent).Text != "hello alice" {
				t.Fatalf("greet: %+v %v", p, err)
			}
			r, err := with.ReadResource(ctx, read)
			if err != nil || len(r.Contents) != 1 || r.Contents[0].(mcp.TextResourceContents).Text != "read by alice" {
				t.Fatalf("read: %+v %v", r, err)
			}
			log.mu.Lock()
			defer log.mu.Unlock()
			got := strings.Join(log.methods, "\n")
			mirrored := strings.Contains(got, "prompts/get greet") && strings.Contains(got, "resources/read note://alice/42")
			if mirrored != (version == mcp.ProtocolVersion20260728) {
				t.Fatalf("mirror headers sent %v for %s: %q", mirrored, version, log.methods)
			}
		})
	}
}

// TestSessionsBoundToUser: a session (before 2026-07-28) belongs to the user
// who opened it: another user's token with its ID is answered as for an
// unknown session and may not end it.
func TestSessionsBoundToUser(t *testing.T) {
	as, endpoint, _ := mcpgoServer(t)
	alice := as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice"})
	bob := as.Mint(authtest.Claims{"aud": endpoint, "sub": "bob"})
	c := connect(t, endpoint, alice, mcp.ProtocolVersion20251125)
	session := c.GetTransport().(*transport.StreamableHTTP).GetSessionId()
	if session == "" {
		t.Fatal("no session")
	}
	send := func(method, token string) int {
		var body *strings.Reader
		if method == http.MethodPost {
			body = strings.NewReader(`{"jsonrpc":"2.0","id":9,"method":"tools/list"}`)
		} else {
			body = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, endpoint, body)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Mcp-Session-Id", session)
		req.Header.Set("Mcp-Protocol-Version", mcp.ProtocolVersion20251125)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := send(http.MethodPost, bob); s != http.StatusNotFound {
		t.Fatalf("bob in alice's session: %d", s)
	}
	if s := send(http.MethodDelete, bob); s != http.StatusMethodNotAllowed {
		t.Fatalf("bob ending alice's session: %d", s)
	}
	if s := send(http.MethodPost, alice); s != http.StatusOK {
		t.Fatalf("alice in her session: %d", s)
	}
	if s := send(http.MethodDelete, alice); s != http.StatusOK {
		t.Fatalf("alice ending her session: %d", s)
	}
	if s := send(http.MethodPost, alice); s != http.StatusNotFound {
		t.Fatalf("alice in her ended session: %d", s)
	}
}
