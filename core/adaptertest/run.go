package adaptertest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// Resource is the resource identifier of the suite's server.
const Resource = "https://mcp.example.com/mcp"

// headersCompared are the headers that must be identical to core's.
var headersCompared = []string{
	"WWW-Authenticate", "Retry-After", "Access-Control-Expose-Headers", "Access-Control-Allow-Origin",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Allow", "Cache-Control",
}

// env is one configuration of the library with its two servers.
type env struct {
	as      *authtest.Server
	auth    *mcpauth.Auth
	ref     *side
	adapter *side
}

// side is one server under comparison, with a record of its handler calls.
type side struct {
	handler http.Handler
	calls   atomic.Int64
}

func newSide(t testing.TB, auth *mcpauth.Auth, opts *mcpauth.BearerOptions, build NewServer) *side {
	s := &side{}
	setup := &Setup{Auth: auth, Options: opts, Handler: func(w http.ResponseWriter, r *http.Request, fw *mcpauth.AuthInfo) {
		s.calls.Add(1)
		ctx, _ := mcpauth.FromContext(r.Context())
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"framework": describe(fw), "context": describe(ctx), "body": string(body)})
	}}
	s.handler = build(t, setup)
	return s
}

// describe is what the handler reports of an AuthInfo.
func describe(info *mcpauth.AuthInfo) any {
	if info == nil {
		return nil
	}
	return map[string]any{"subject": info.Subject, "issuer": info.Issuer, "scopes": info.Scopes, "resource": info.Resource, "dpop": info.DPoPThumbprint}
}

var quiet = slog.New(slog.DiscardHandler)

// newEnv configures the library in resource-server mode against a fresh
// authorization server.
func newEnv(t *testing.T, build NewServer) *env {
	return newEnvWith(t, build, func(as *authtest.Server) mcpauth.Config {
		return mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:       mcpauth.ProtectedResourceMetadata{Resource: Resource, ScopesSupported: []string{"read", "write", "create:todos"}, ResourceName: "Suite"},
			AuthServers:    []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
			ScopeHierarchy: mcpauth.ScopeHierarchy{"admin": {"read", "write", "create:todos"}},
		}}}
	})
}

// newLegacyEnv configures the deprecated authorization-server mode.
func newLegacyEnv(t *testing.T, build NewServer) *env {
	return newEnvWith(t, build, func(as *authtest.Server) mcpauth.Config {
		return mcpauth.Config{Legacy: &mcpauth.LegacyServer{Server: mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeOAuth, nil), Audiences: []string{Resource}}}
	})
}

func newEnvWith(t *testing.T, build NewServer, config func(*authtest.Server) mcpauth.Config) *env {
	as := authtest.NewServer(&authtest.Options{Audience: Resource, Scopes: []string{"read", "write"}})
	t.Cleanup(as.Close)
	cfg := config(as)
	cfg.Logger = quiet
	auth, err := mcpauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	opts := &mcpauth.BearerOptions{
		RequiredScopes: []string{"read"},
		Policy: &mcpauth.ScopePolicy{
			Tools:        map[string][]string{"create-todo": {"create:todos"}},
			Resources:    map[string][]string{"file:///notes/{note}": {"notes"}, "file:///notes/public": {}},
			MaxBodyBytes: 4096,
		},
	}
	return &env{as: as, auth: auth, ref: newSide(t, auth, opts, NetHTTP), adapter: newSide(t, auth, opts, build)}
}

// answer is what a server said.
type answer struct {
	status int
	header http.Header
	body   []byte
	called bool
}

func (s *side) serve(t *testing.T, c *Case) (a answer) {
	t.Helper()
	h := s.handler
	if c.Wrap != nil {
		h = c.Wrap(h)
	}
	req := c.request()
	if c.Prepare != nil {
		for k, vs := range c.Prepare(t, h) {
			for _, v := range vs {
				req.Header.Add(k, v)
			}
		}
	}
	before := s.calls.Load()
	if c.Raw != "" {
		resp := Wire(t, h, c.wireRequest())
		body, _ := io.ReadAll(resp.Body)
		return answer{status: resp.StatusCode, header: resp.Header, body: body, called: s.calls.Load() > before}
	}
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("panic: %v", p)
			}
		}()
		h.ServeHTTP(rec, req)
	}()
	return answer{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes(), called: s.calls.Load() > before}
}

// Wire serves h on a loopback listener, writes raw (a whole HTTP/1.1
// request, as bytes on the wire) on a new connection and returns the answer
// with its body read, for requests a client library would not send: broken
// chunked encodings, bodies cut short. The server is closed before Wire
// returns.
func Wire(t testing.TB, h http.Handler, raw string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server may answer before it has read everything: write from a goroutine.
	written := make(chan struct{})
	go func() {
		defer close(written)
		io.WriteString(conn, raw)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	conn.Close()
	<-written
	return resp
}

// Chunked encodes chunks as an HTTP/1.1 chunked body, without the last
// chunk: append "0\r\n\r\n" to end it, or broken bytes to break it.
func Chunked(chunks ...string) string {
	var b strings.Builder
	for _, c := range chunks {
		fmt.Fprintf(&b, "%x\r\n%s\r\n", len(c), c)
	}
	return b.String()
}

// Case is one request of the suite and what must be answered.
type Case struct {
	Name   string
	Method string
	Path   string
	// Header values are added to the request; several values of
	// Authorization send several headers.
	Header map[string][]string
	Body   string
	// Status is the status required of both servers.
	Status int
	// Challenge is the WWW-Authenticate required ("" means none).
	Challenge string
	// Want, when set, checks further properties of the adapter's answer.
	Want func(t *testing.T, status int, header http.Header, body []byte)
	// Handled says the protected handler must run (and only then).
	Handled bool
	// Raw, when set, is sent as the body bytes on a real connection
	// (see [Wire]) instead of Body through the handler: Header must then
	// say how it is framed (Transfer-Encoding or Content-Length).
	Raw string
	// Wrap, when set, wraps both servers, for example in
	// http.MaxBytesHandler.
	Wrap func(http.Handler) http.Handler
	// Prepare, when set, runs for each server before its request, given
	// that server, and returns headers to add to the request: a fresh DPoP
	// proof per server, or one obtained by a first request (a nonce). It
	// is not used with Raw.
	Prepare func(t *testing.T, h http.Handler) map[string][]string

	env string // "" (resource-server mode), "down", "legacy", or a DPoP one (dpop.go)
}

func (c *Case) request() *http.Request {
	var body io.Reader
	if c.Body != "" {
		body = strings.NewReader(c.Body)
	}
	req := httptest.NewRequest(c.Method, "https://mcp.example.com"+c.Path, body)
	for k, vs := range c.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

// wireRequest is the case as bytes on the wire, its body Raw.
func (c *Case) wireRequest() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: mcp.example.com\r\n", c.Method, c.Path)
	for k, vs := range c.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
	b.WriteString(c.Raw)
	return b.String()
}

// Run plays every case against the adapter's server and core's net/http
// reference. No case is skipped.
func Run(t *testing.T, build NewServer) {
	envs := map[string]*env{"": newEnv(t, build), "down": newEnv(t, build), "legacy": newLegacyEnv(t, build)}
	dpopServers := map[string]*authtest.Server{}
	for name, opts := range dpopEnvs {
		envs[name] = newDPoPEnv(t, build, opts)
		dpopServers[name] = envs[name].as
	}
	main, down := envs[""], envs["down"]
	down.as.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/jwks") {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return true
		}
		return false
	})
	cases := Cases(main.as)
	cases = append(cases, legacyCases(envs["legacy"].as)...)
	cases = append(cases, dpopCases(dpopServers)...)
	cases = append(cases, Case{
		Name: "key set unreachable: 503 with Retry-After", Method: "POST", Path: PathMCP, env: "down",
		Header: bearer(down.as.Mint(authtest.Claims{"scope": "read"})), Status: 503,
		Want: func(t *testing.T, _ int, h http.Header, body []byte) {
			if h.Get("Retry-After") == "" || !strings.Contains(string(body), `"temporarily_unavailable"`) {
				t.Errorf("Retry-After %q body %s", h.Get("Retry-After"), body)
			}
		},
	})
	if len(cases) < 40 {
		t.Fatalf("the suite has %d cases, fewer than 40", len(cases))
	}
	for i := range cases {
		c := &cases[i]
		e := envs[c.env]
		t.Run(c.Name, func(t *testing.T) {
			ref := e.ref.serve(t, c)
			got := e.adapter.serve(t, c)
			check(t, c, "net/http", ref)
			check(t, c, "adapter", got)
			compare(t, ref, got)
			if c.Want != nil {
				c.Want(t, got.status, got.header, got.body)
			}
		})
	}
}

// check applies the case's absolute expectations.
func check(t *testing.T, c *Case, who string, a answer) {
	t.Helper()
	if a.status != c.Status {
		t.Fatalf("%s: status %d, want %d; body %s", who, a.status, c.Status, a.body)
	}
	if got := a.header.Get("WWW-Authenticate"); got != c.Challenge {
		t.Fatalf("%s: challenge\n got %s\nwant %s", who, got, c.Challenge)
	}
	if c.Challenge != "" {
		if _, err := authtest.ParseChallenges(c.Challenge); err != nil {
			t.Fatalf("challenge does not parse: %v", err)
		}
	}
	if a.called != c.Handled {
		t.Fatalf("%s: handler called %v, want %v", who, a.called, c.Handled)
	}
}

// compare requires the adapter's answer to be core's.
func compare(t *testing.T, ref, got answer) {
	t.Helper()
	for _, h := range headersCompared {
		if r, g := ref.header.Values(h), got.header.Values(h); !reflect.DeepEqual(r, g) {
			t.Errorf("header %s: net/http %q, adapter %q", h, r, g)
		}
	}
	// A DPoP nonce holds the second it was made, which may differ.
	if (ref.header.Get("DPoP-Nonce") == "") != (got.header.Get("DPoP-Nonce") == "") {
		t.Errorf("DPoP-Nonce: net/http %q, adapter %q", ref.header.Get("DPoP-Nonce"), got.header.Get("DPoP-Nonce"))
	}
	rt, gt := mediaType(ref.header), mediaType(got.header)
	if rt != gt {
		t.Errorf("content type: net/http %q, adapter %q", rt, gt)
	}
	if rt == "application/json" && len(ref.body) > 0 {
		if len(got.body) == 0 {
			t.Fatalf("adapter answered with no body; net/http with %s", ref.body)
		}
		var r, g any
		if err := json.Unmarshal(ref.body, &r); err != nil {
			t.Fatalf("net/http body is not JSON: %s", ref.body)
		}
		if err := json.Unmarshal(got.body, &g); err != nil {
			t.Fatalf("adapter body is not JSON: %s", got.body)
		}
		if !reflect.DeepEqual(r, g) {
			t.Errorf("body:\nnet/http %s\nadapter  %s", ref.body, got.body)
		}
	} else if len(ref.body) == 0 && len(got.body) != 0 {
		t.Errorf("adapter body %q, net/http none", got.body)
	} else if ref.status != http.StatusNotFound && !bytes.Equal(bytes.TrimSpace(ref.body), bytes.TrimSpace(got.body)) {
		t.Errorf("body:\nnet/http %q\nadapter  %q", ref.body, got.body)
	}
}

func mediaType(h http.Header) string {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt
}

func bearer(token string) map[string][]string {
	return map[string][]string{"Authorization": {"Bearer " + token}}
}

func challenge(code, description, scope string) string {
	var parts []string
	if code != "" {
		parts = append(parts, fmt.Sprintf(`error="%s", error_description="%s"`, code, description))
	}
	if scope != "" {
		parts = append(parts, fmt.Sprintf(`scope="%s"`, scope))
	}
	parts = append(parts, `resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`)
	return "Bearer " + strings.Join(parts, ", ")
}
