package gosdkauth_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/gosdkauth"
)

// bearerTransport adds an Authorization header to every request.
type bearerTransport struct{ token atomic.Pointer[string] }

func (b *bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	if t := b.token.Load(); t != nil {
		r.Header.Set("Authorization", "Bearer "+*t)
	}
	return http.DefaultTransport.RoundTrip(r)
}

type whoami struct {
	Subject string   `json:"subject"`
	UserID  string   `json:"userId"`
	Scopes  []string `json:"scopes"`
	Expires int64    `json:"expires"`
	Issuer  string   `json:"issuer"`
}

// server starts an MCP server whose tool reports what the SDK handed it;
// build wraps the SDK's handler knowing the endpoint URL.
func server(t *testing.T, build func(endpoint string, h http.Handler) http.Handler) string {
	return serverWith(t, nil, build)
}

// serverWith is server with the SDK handler's options.
func serverWith(t *testing.T, opts *mcp.StreamableHTTPOptions, build func(endpoint string, h http.Handler) http.Handler) string {
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, whoami, error) {
		ti := req.Extra.TokenInfo
		info := gosdkauth.AuthInfo(ti)
		if ti == nil || info == nil {
			return nil, whoami{}, nil
		}
		return nil, whoami{Subject: info.Subject, Issuer: info.Issuer, UserID: ti.UserID, Scopes: ti.Scopes, Expires: ti.Expiration.Unix()}, nil
	})
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, opts)
	srv := httptest.NewUnstartedServer(nil)
	endpoint := "http://" + srv.Listener.Addr().String() + "/mcp"
	srv.Config.Handler = build(endpoint, h)
	srv.Start()
	t.Cleanup(srv.Close)
	return endpoint
}

// protect builds MCP Auth for endpoint with server and wraps h.
func protect(t *testing.T, endpoint string, server *mcpauth.AuthServer, opts *mcpauth.BearerOptions, h http.Handler) http.Handler {
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: endpoint},
		AuthServers: []*mcpauth.AuthServer{server},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	return gosdkauth.Protect(auth, opts, h)
}

// connect opens a session speaking 2025-11-25, the revision with sessions
// (Mcp-Session-Id), so the tests see the SDK bind a session to its user.
func connect(t *testing.T, endpoint string, tr *bearerTransport) (*mcp.ClientSession, error) {
	return connectVersion(t, endpoint, tr, "2025-11-25")
}

// connectVersion opens a session asking for protocol revision version.
func connectVersion(t *testing.T, endpoint string, tr *bearerTransport, version string) (*mcp.ClientSession, error) {
	c := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "1"}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: tr}, DisableStandaloneSSE: true, MaxRetries: -1},
		&mcp.ClientSessionOptions{ProtocolVersion: version})
}

func call(t *testing.T, s *mcp.ClientSession) (whoami, error) {
	res, err := s.CallTool(context.Background(), &mcp.CallToolParams{Name: "whoami", Arguments: map[string]any{}})
	if err != nil {
		return whoami{}, err
	}
	var w whoami
	if res.StructuredContent != nil {
		b, _ := json.Marshal(res.StructuredContent)
		json.Unmarshal(b, &w)
	}
	return w, nil
}

func setup(t *testing.T, opts *mcpauth.BearerOptions) (*authtest.Server, string) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	endpoint := server(t, func(endpoint string, h http.Handler) http.Handler {
		return protect(t, endpoint, mcpauth.DiscoverAuthServer(as.Issuer, "", nil), opts, h)
	})
	return as, endpoint
}

func TestBridge(t *testing.T) {
	as, endpoint := setup(t, nil)
	tr := &bearerTransport{}
	if _, err := connect(t, endpoint, tr); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("connect without a token: %v", err)
	}
	alice := as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice", "scope": "read write"})
	tr.token.Store(&alice)
	s, err := connect(t, endpoint, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ID() == "" {
		t.Fatal("no session: the binding below would test nothing")
	}
	w, err := call(t, s)
	if err != nil {
		t.Fatal(err)
	}
	if w.Subject != "alice" || w.Issuer != as.Issuer || w.UserID != as.Issuer+"#sub=alice" || strings.Join(w.Scopes, " ") != "read write" || w.Expires == 0 {
		t.Fatalf("tool saw %+v", w)
	}
	// Another user's token on alice's session: the SDK refuses (session bound to its user).
	bob := as.Mint(authtest.Claims{"aud": endpoint, "sub": "bob"})
	tr.token.Store(&bob)
	if _, err := call(t, s); err == nil {
		t.Fatal("bob used alice's session")
	}
}

// TestBridgeStateless: with 2026-07-28 and a stateless handler (no
// sessions), every request carries its own verified identity to the tool.
func TestBridgeStateless(t *testing.T) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	endpoint := serverWith(t, &mcp.StreamableHTTPOptions{Stateless: true}, func(endpoint string, h http.Handler) http.Handler {
		return protect(t, endpoint, mcpauth.DiscoverAuthServer(as.Issuer, "", nil), nil, h)
	})
	tr := &bearerTransport{}
	alice := as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice"})
	tr.token.Store(&alice)
	s, err := connectVersion(t, endpoint, tr, "2026-07-28")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.InitializeResult().ProtocolVersion; got != "2026-07-28" {
		t.Fatalf("negotiated %s", got)
	}
	for _, sub := range []string{"alice", "bob"} {
		tok := as.Mint(authtest.Claims{"aud": endpoint, "sub": sub})
		tr.token.Store(&tok)
		if w, err := call(t, s); err != nil || w.Subject != sub || w.UserID != as.Issuer+"#sub="+sub {
			t.Fatalf("%s: %+v %v", sub, w, err)
		}
	}
}

func TestBridgeNeverRefusesWhatMCPAuthAccepted(t *testing.T) {
	as, endpoint := setup(t, nil)
	tr := &bearerTransport{}
	// Expired 30 s ago: within MCP Auth's 60 s leeway, beyond the SDK's default skew of 0.
	tok := as.Mint(authtest.Claims{"aud": endpoint, "exp": time.Now().Add(-30 * time.Second).Unix()})
	tr.token.Store(&tok)
	s, err := connect(t, endpoint, tr)
	if err != nil {
		t.Fatalf("token within the leeway refused: %v", err)
	}
	defer s.Close()
	if _, err := call(t, s); err != nil {
		t.Fatal(err)
	}
}

func TestBridgeWithoutExpiry(t *testing.T) {
	issuer := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://auth.example.com",
		AuthorizationEndpoint: "https://auth.example.com/authorize", TokenEndpoint: "https://auth.example.com/token", ResponseTypesSupported: []string{"code"}}})
	endpoint := server(t, func(endpoint string, h http.Handler) http.Handler {
		fn := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
			return &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Subject: "svc", Audience: []string{endpoint}}, nil
		})
		return protect(t, endpoint, issuer, &mcpauth.BearerOptions{Verifier: fn}, h)
	})
	tr := &bearerTransport{}
	tok := "opaque-token"
	tr.token.Store(&tok)
	s, err := connect(t, endpoint, tr)
	if err != nil {
		t.Fatalf("a token without expiry refused by the SDK: %v", err)
	}
	defer s.Close()
	if w, err := call(t, s); err != nil || w.Subject != "svc" {
		t.Fatalf("%+v %v", w, err)
	}
}

func TestBridgeAloneRefuses(t *testing.T) {
	endpoint := server(t, func(_ string, h http.Handler) http.Handler { return gosdkauth.Bridge(h) })
	tr := &bearerTransport{}
	tok := "anything"
	tr.token.Store(&tok)
	if _, err := connect(t, endpoint, tr); err == nil || !strings.Contains(err.Error(), "Unauthorized") {
		t.Fatalf("the bridge accepted a request MCP Auth never saw: %v", err)
	}
}

func TestTokenInfoRoundTrip(t *testing.T) {
	info := &mcpauth.AuthInfo{Issuer: "https://a.example", Subject: "s", Scopes: []string{"x"}, ExpiresAt: time.Unix(1e9, 0)}
	ti := gosdkauth.TokenInfo(info)
	if gosdkauth.AuthInfo(ti) != info || ti.UserID != "https://a.example#sub=s" || !ti.Expiration.Equal(info.ExpiresAt) {
		t.Fatalf("%+v", ti)
	}
	for _, tt := range []struct {
		info mcpauth.AuthInfo
		want string
	}{
		{mcpauth.AuthInfo{Issuer: "https://a.example", Subject: "x", ClientID: "c"}, "https://a.example#sub=x"},
		{mcpauth.AuthInfo{Issuer: "https://a.example", ClientID: "x"}, "https://a.example#client_id=x"},
		// SHA-256("tok") in base64url.
		{mcpauth.AuthInfo{Issuer: "https://a.example", Token: "tok"}, "https://a.example#token-sha256=GnZ0607njffhrEOak8P6jjyUV4TU3sn9jjARc4svHWI"},
	} {
		if got := gosdkauth.UserID(&tt.info); got != tt.want {
			t.Errorf("UserID(%+v) = %q, want %q", tt.info, got, tt.want)
		}
	}
	// An identity naming nothing, not even a token, is never bound to a shareable ID.
	nobody := &mcpauth.AuthInfo{Issuer: "https://a.example"}
	if a, b := gosdkauth.UserID(nobody), gosdkauth.UserID(nobody); a == "" || a == b || !strings.HasPrefix(a, "https://a.example#") {
		t.Errorf("UserID of an empty identity: %q then %q", a, b)
	}
	if gosdkauth.AuthInfo(nil) != nil {
		t.Fatal("nil TokenInfo")
	}
}

// TestPolicyFailsClosedThroughTheSDK: requests whose body cannot be read to
// its end never reach the SDK's tool, though the bytes read before the
// failure hold a whole tools/call; the same call in a whole body does.
func TestPolicyFailsClosedThroughTheSDK(t *testing.T) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	var ran atomic.Int64
	s := mcp.NewServer(&mcp.Implementation{Name: "test", Version: "1"}, nil)
	mcp.AddTool(s, &mcp.Tool{Name: "admin-tool"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, struct{}, error) {
		ran.Add(1)
		return nil, struct{}{}, nil
	})
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	const endpoint = "http://127.0.0.1/mcp"
	h := protect(t, endpoint, mcpauth.DiscoverAuthServer(as.Issuer, "", nil), &mcpauth.BearerOptions{
		RequiredScopes: []string{"read"},
		Policy:         &mcpauth.ScopePolicy{Tools: map[string][]string{"admin-tool": {"admin"}}},
	}, sdk)
	msg := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"admin-tool","arguments":{}}}`
	request := func(scope, body string) string {
		return "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + as.Mint(authtest.Claims{"aud": endpoint, "scope": scope}) +
			"\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Protocol-Version: 2025-06-18\r\nTransfer-Encoding: chunked\r\n\r\n" + body
	}
	limited := http.MaxBytesHandler(h, 1<<10)
	for _, tt := range []struct {
		name    string
		handler http.Handler
		raw     string
		status  int
	}{
		{"malformed chunk after the message", h, request("read", adaptertest.Chunked(msg)+"zz\r\n\r\n"), http.StatusBadRequest},
		{"padding over http.MaxBytesHandler", limited, request("read", adaptertest.Chunked(msg, strings.Repeat(" ", 70<<10))+"0\r\n\r\n"), http.StatusRequestEntityTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := adaptertest.Wire(t, tt.handler, tt.raw)
			if resp.StatusCode != tt.status || ran.Load() != 0 {
				t.Fatalf("status %d, want %d; the tool ran %d times", resp.StatusCode, tt.status, ran.Load())
			}
		})
	}
	t.Run("padding over http.MaxBytesHandler, Content-Length body", func(t *testing.T) {
		req := httptest.NewRequest("POST", endpoint, strings.NewReader(msg+strings.Repeat(" ", 70<<10)))
		req.Header.Set("Authorization", "Bearer "+as.Mint(authtest.Claims{"aud": endpoint, "scope": "read"}))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		rec := httptest.NewRecorder()
		limited.ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge || ran.Load() != 0 {
			t.Fatalf("status %d; the tool ran %d times", rec.Code, ran.Load())
		}
	})
	t.Run("the whole message with the scope reaches the tool", func(t *testing.T) {
		resp := adaptertest.Wire(t, h, request("read admin", adaptertest.Chunked(msg)+"0\r\n\r\n"))
		if resp.StatusCode != http.StatusOK || ran.Load() != 1 {
			body, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d, body %s; the tool ran %d times", resp.StatusCode, body, ran.Load())
		}
	})
}

// TestBridgeAnonymousIdentity: an identity with neither subject nor client
// ID (a VerifierFunc's, here) binds the SDK session to its token, so that
// another token of the same anonymous kind cannot use that session.
func TestBridgeAnonymousIdentity(t *testing.T) {
	issuer := mcpauth.NewAuthServer(&mcpauth.ServerConfig{Metadata: mcpauth.AuthorizationServerMetadata{Issuer: "https://auth.example.com",
		AuthorizationEndpoint: "https://auth.example.com/authorize", TokenEndpoint: "https://auth.example.com/token", ResponseTypesSupported: []string{"code"}}})
	endpoint := server(t, func(endpoint string, h http.Handler) http.Handler {
		fn := mcpauth.VerifierFunc(func(ctx context.Context, token string) (*mcpauth.AuthInfo, error) {
			return &mcpauth.AuthInfo{Issuer: "https://auth.example.com", Audience: []string{endpoint}, Scopes: []string{"read"}}, nil
		})
		return protect(t, endpoint, issuer, &mcpauth.BearerOptions{Verifier: fn}, h)
	})
	tr := &bearerTransport{}
	first := "api-key-one"
	tr.token.Store(&first)
	s, err := connect(t, endpoint, tr)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := call(t, s)
	if err != nil {
		t.Fatal(err)
	}
	second := "api-key-two"
	tr.token.Store(&second)
	if _, err := call(t, s); err == nil {
		t.Fatal("another anonymous token used the session")
	}
	if !strings.HasPrefix(w.UserID, "https://auth.example.com#token-sha256=") {
		t.Fatalf("UserID %q", w.UserID)
	}
}

// TestWiringMistakes: a nil Auth or handler panics when wired, naming the
// function and the fix.
func TestWiringMistakes(t *testing.T) {
	for name, wire := range map[string]func(){
		"gosdkauth.Protect": func() { gosdkauth.Protect(nil, nil, http.NotFoundHandler()) },
		"gosdkauth.Bridge":  func() { gosdkauth.Bridge(nil) },
	} {
		func() {
			defer func() {
				if p, _ := recover().(string); !strings.Contains(p, name) {
					t.Errorf("%s panicked with %q", name, p)
				}
			}()
			wire()
		}()
	}
}

// TestBridgeDPoP: a DPoP request (RFC 9449) MCP Auth accepted reaches the
// tools through the SDK, which reads Bearer tokens only, with its
// identity, in sessions of both protocol generations.
func TestBridgeDPoP(t *testing.T) {
	as := authtest.NewServer(nil)
	t.Cleanup(as.Close)
	for _, version := range []string{"2025-11-25", "2026-07-28"} {
		t.Run(version, func(t *testing.T) {
			endpoint := serverWith(t, &mcp.StreamableHTTPOptions{Stateless: version == "2026-07-28"}, func(endpoint string, h http.Handler) http.Handler {
				auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
					Metadata:    mcpauth.ProtectedResourceMetadata{Resource: endpoint},
					AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
					DPoP:        &mcpauth.DPoPOptions{Required: true},
				}}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { auth.Close() })
				return gosdkauth.Protect(auth, nil, h)
			})
			k, err := authtest.NewKey("", "ES256")
			if err != nil {
				t.Fatal(err)
			}
			tr := &authtest.DPoPTransport{Key: k, Token: as.Mint(authtest.Claims{"aud": endpoint, "sub": "alice", "cnf": k.Confirmation()})}
			c := mcp.NewClient(&mcp.Implementation{Name: "client", Version: "1"}, nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: tr}, DisableStandaloneSSE: true, MaxRetries: -1},
				&mcp.ClientSessionOptions{ProtocolVersion: version})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			w, err := call(t, s)
			if err != nil || w.Subject != "alice" || w.UserID != as.Issuer+"#sub=alice" {
				t.Fatalf("%+v %v", w, err)
			}
		})
	}
}
