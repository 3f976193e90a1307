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
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/todo"
)

// RunFunc is an example's run function: it serves the example on ln, with
// cfg, until ctx ends.
type RunFunc func(ctx context.Context, ln net.Listener, cfg todo.Config, log *slog.Logger) error

// Server is an example started for a test.
type Server struct {
	// Dev is the authorization server the example trusts, started by the
	// test with the development server's options; nil when the example
	// started its own (StartDev).
	Dev *authtest.Server
	// Issuer is the authorization server's issuer.
	Issuer string
	// Base is the server's base URL; Resource its resource identifier.
	Base, Resource string
	// Logs is what the example logged.
	Logs *Logs
}

// Start starts the example, trusting an authorization server started for
// the test (as -issuer), until the test ends.
func Start(t testing.TB, run RunFunc) *Server {
	t.Helper()
	return StartWith(t, run, todo.Config{JWKSMinRefresh: time.Second})
}

// StartWith is Start with a configuration; its Issuer, when empty, is set to
// the test's authorization server.
func StartWith(t testing.TB, run RunFunc, cfg todo.Config) *Server {
	t.Helper()
	return startWith(t, run, cfg, todo.DevServerOptions())
}

// startWith is StartWith with the options of the test's authorization server.
func startWith(t testing.TB, run RunFunc, cfg todo.Config, opts *authtest.Options) *Server {
	t.Helper()
	dev := authtest.NewServer(opts)
	t.Cleanup(dev.Close)
	if cfg.Issuer == "" {
		cfg.Issuer = dev.Issuer
	}
	s := start(t, run, cfg)
	s.Dev = dev
	return s
}

// StartDev starts the example as `go run .` does: without an issuer, so
// that it starts its own development authorization server.
func StartDev(t testing.TB, run RunFunc) *Server {
	t.Helper()
	s := start(t, run, todo.Config{JWKSMinRefresh: time.Second})
	issuer := s.Logs.Attr("development authorization server running", "issuer")
	if issuer == "" {
		t.Fatalf("no development server announced:\n%s", s.Logs)
	}
	s.Issuer = issuer
	return s
}

// start runs the example on a loopback port until the test ends, and
// returns once it has logged its ready line.
func start(t testing.TB, run RunFunc, cfg todo.Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	logs := newLogs()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, cfg, slog.New(logs)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case <-logs.ready:
	case err := <-done:
		done <- err
		t.Fatalf("the example stopped before it was ready: %v\n%s", err, logs)
	case <-time.After(20 * time.Second):
		t.Fatalf("the example is not ready after 20 s:\n%s", logs)
	}
	base := "http://" + ln.Addr().String()
	return &Server{Issuer: cfg.Issuer, Base: base, Resource: logs.Attr("ready", "resource"), Logs: logs}
}

// Token mints a token for the server from the test's authorization server,
// with the given subject and scopes.
func (s *Server) Token(subject, scope string) string {
	claims := authtest.Claims{"aud": s.Resource, "sub": subject}
	if scope != "" {
		claims["scope"] = scope
	}
	return s.Dev.Mint(claims)
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
	return s.ConnectVersion(t, token, "")
}

// ConnectVersion is Connect asking for protocol revision version ("" for
// the newest the SDK speaks, as Connect does).
func (s *Server) ConnectVersion(t testing.TB, token, version string) *mcp.ClientSession {
	t.Helper()
	tr := &bearer{}
	tr.token.Store(&token)
	c := mcp.NewClient(&mcp.Implementation{Name: "apptest", Version: "1.0.0"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	session, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.Resource, HTTPClient: &http.Client{Transport: tr}, MaxRetries: -1}, &mcp.ClientSessionOptions{ProtocolVersion: version})
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

// ClientCredentials gets a token from the authorization server's token
// endpoint, as the demo client.
func (s *Server) ClientCredentials(t testing.TB, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {s.Resource}, "scope": {scope}}
	return s.token(t, form, todo.DemoClientID, todo.DemoClientSecret)
}

// token posts form to the development server's token endpoint, with Basic
// client authentication when id is set, and returns the access token.
func (s *Server) token(t testing.TB, form url.Values, id, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.Issuer+"/token", strings.NewReader(form.Encode()))
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
