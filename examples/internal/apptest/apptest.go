// Package apptest is the test suite every example server passes, driven by
// the official Go SDK's MCP client over streamable HTTP against the server
// started in-process on a free port with its development authorization
// server.
package apptest

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/internal/app"
	"github.com/mcp-auth/go/examples/internal/todo"
)

// Server is an example started for a test.
type Server struct {
	App *app.App
	// Base is the server's base URL; Resource its resource identifier.
	Base, Resource string
}

// Start starts the example whose routes are given, with the development
// authorization server, until the test ends.
func Start(t testing.TB, routes func(*app.App) http.Handler) *Server {
	t.Helper()
	return StartWith(t, routes, app.Config{Addr: "127.0.0.1:0", JWKSMinRefresh: time.Second})
}

// StartWith is Start with a configuration.
func StartWith(t testing.TB, routes func(*app.App) http.Handler, cfg app.Config) *Server {
	t.Helper()
	a, err := app.New(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, routes(a)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &Server{App: a, Base: a.URL(), Resource: a.Config.Resource}
}

// Token mints a token for the server from its development authorization
// server, with the given subject and scopes.
func (s *Server) Token(subject, scope string) string {
	claims := authtest.Claims{"aud": s.Resource, "sub": subject}
	if scope != "" {
		claims["scope"] = scope
	}
	return s.App.Dev.Mint(claims)
}

// bearer is an http.RoundTripper adding a bearer token.
type bearer struct{ token atomic.Pointer[string] }

func (b *bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if t := b.token.Load(); t != nil {
		r.Header.Set("Authorization", "Bearer "+*t)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// Connect opens an MCP client session with token.
func (s *Server) Connect(t testing.TB, token string) *mcp.ClientSession {
	t.Helper()
	tr := &bearer{}
	tr.token.Store(&token)
	c := mcp.NewClient(&mcp.Implementation{Name: "apptest", Version: "1.0.0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	session, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.Resource, HTTPClient: &http.Client{Transport: tr}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { session.Close() })
	return session
}

// Call calls a tool and decodes its structured content into out.
func Call(t testing.TB, s *mcp.ClientSession, tool string, args map[string]any, out any) *mcp.CallToolResult {
	t.Helper()
	if args == nil {
		args = map[string]any{}
	}
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	if out != nil && !res.IsError {
		b, _ := json.Marshal(res.StructuredContent)
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", tool, b, err)
		}
		// The text content holds the same JSON.
		if len(res.Content) != 1 {
			t.Fatalf("%s: %d content items", tool, len(res.Content))
		}
		if text, ok := res.Content[0].(*mcp.TextContent); !ok || !jsonEqual(text.Text, string(b)) {
			t.Fatalf("%s: text content %v differs from structured content %s", tool, res.Content[0], b)
		}
	}
	return res
}

func jsonEqual(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// Post sends a raw JSON-RPC message to the MCP endpoint.
func (s *Server) Post(t testing.TB, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.Resource, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// ClientCredentials gets a token from the development server's token endpoint.
func (s *Server) ClientCredentials(t testing.TB, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {s.Resource}, "scope": {scope}}
	return s.token(t, form, app.DemoClientID, app.DemoClientSecret)
}

// token posts form to the development server's token endpoint, with Basic
// client authentication when id is set, and returns the access token.
func (s *Server) token(t testing.TB, form url.Values, id, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.App.Dev.Issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, b)
	}
	return tok.AccessToken
}

// identity decodes whoami.
type identity = todo.Identity
