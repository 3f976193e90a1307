package mcpauth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

const resourceID = "https://mcp.example.com/mcp"
const resourceMetadata = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

// clock is a fake clock shared by the authorization server and the library.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Now().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// rig is a protected handler in front of a test authorization server.
type rig struct {
	t       *testing.T
	clock   *clock
	as      *authtest.Server
	auth    *mcpauth.Auth
	handler http.Handler
	calls   atomic.Int64
	lastReq atomic.Pointer[http.Request]
	body    atomic.Pointer[string]
}

type rigOptions struct {
	as       *authtest.Options
	config   func(*mcpauth.Config)
	bearer   *mcpauth.BearerOptions
	resource func(*mcpauth.ProtectedResource)
	lazy     bool // discover the server instead of giving its metadata
}

func newRig(t *testing.T, o rigOptions) *rig {
	t.Helper()
	r := &rig{t: t, clock: newClock()}
	aso := authtest.Options{}
	if o.as != nil {
		aso = *o.as
	}
	if aso.Audience == "" {
		aso.Audience = resourceID
	}
	aso.Now = r.clock.Now
	r.as = authtest.NewServer(&aso)
	t.Cleanup(r.as.Close)
	server := mcpauth.DiscoverAuthServer(r.as.Issuer, mcpauth.ServerTypeAuto, nil)
	if !o.lazy {
		server = mcpauth.NewAuthServer(manualConfig(r.as))
	}
	pr := mcpauth.ProtectedResource{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resourceID, ScopesSupported: []string{"read", "write"}},
		AuthServers: []*mcpauth.AuthServer{server},
	}
	if o.resource != nil {
		o.resource(&pr)
	}
	cfg := mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{pr}, Logger: quiet}.WithClock(r.clock.Now)
	if o.config != nil {
		o.config(&cfg)
	}
	auth, err := mcpauth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	r.auth = auth
	if _, err := auth.NewBearer(o.bearer); err != nil {
		t.Fatal(err)
	}
	r.handler = auth.Middleware(o.bearer)(http.HandlerFunc(r.serve))
	return r
}

// manualConfig is the server's metadata as resolved configuration.
func manualConfig(as *authtest.Server) *mcpauth.ServerConfig {
	return &mcpauth.ServerConfig{Type: mcpauth.ServerTypeOAuth, Metadata: mcpauth.AuthorizationServerMetadata{
		Issuer:                        as.Issuer,
		AuthorizationEndpoint:         as.Issuer + "/authorize",
		TokenEndpoint:                 as.Issuer + "/token",
		JWKSURI:                       as.Issuer + "/jwks",
		IntrospectionEndpoint:         as.Issuer + "/introspect",
		RegistrationEndpoint:          as.Issuer + "/register",
		ResponseTypesSupported:        []string{"code"},
		CodeChallengeMethodsSupported: []string{"S256"},
	}}
}

// quiet discards the library's logs in tests.
var quiet = slog.New(slog.DiscardHandler)

func (r *rig) serve(w http.ResponseWriter, req *http.Request) {
	r.calls.Add(1)
	r.lastReq.Store(req)
	b, _ := io.ReadAll(req.Body)
	s := string(b)
	r.body.Store(&s)
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "ok")
}

// request sends a request with the given Authorization values and body.
func (r *rig) request(method string, auth []string, body string) *httptest.ResponseRecorder {
	return r.send(r.newRequest(method, auth, body))
}

func (r *rig) newRequest(method string, auth []string, body string) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "https://mcp.example.com/mcp", rd)
	for _, a := range auth {
		req.Header.Add("Authorization", a)
	}
	return req
}

func (r *rig) send(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	return rec
}

// bearer sends a request bearing token.
func (r *rig) bearer(token string) *httptest.ResponseRecorder {
	return r.request(http.MethodPost, []string{"Bearer " + token}, "")
}

func (r *rig) jwksRequests() int { return r.as.Requests(r.as.Path("/jwks")) }

// expect checks status, challenge and whether the handler ran.
func expect(t *testing.T, rec *httptest.ResponseRecorder, status int, challenge string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d; body %s; challenge %s", rec.Code, status, rec.Body, rec.Header().Get("WWW-Authenticate"))
	}
	if got := rec.Header().Get("WWW-Authenticate"); got != challenge {
		t.Fatalf("challenge\n got %s\nwant %s", got, challenge)
	}
	if challenge != "" {
		if _, err := authtest.ParseChallenges(challenge); err != nil {
			t.Fatalf("challenge does not parse: %v", err)
		}
	}
}

func challengeFor(oauthCode, description, scope string) string {
	var parts []string
	if oauthCode != "" {
		parts = append(parts, `error="`+oauthCode+`"`, `error_description="`+description+`"`)
	}
	if scope != "" {
		parts = append(parts, `scope="`+scope+`"`)
	}
	parts = append(parts, `resource_metadata="`+resourceMetadata+`"`)
	return "Bearer " + strings.Join(parts, ", ")
}

func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// asError returns the *mcpauth.Error in err, or nil.
func asError(err error) *mcpauth.Error {
	var e *mcpauth.Error
	errors.As(err, &e)
	return e
}

func TestNewDoesNotTouchTheNetwork(t *testing.T) {
	as := authtest.NewServer(nil)
	as.Stop() // down
	auth, err := mcpauth.New(mcpauth.Config{Logger: quiet, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata: mcpauth.ProtectedResourceMetadata{Resource: resourceID}, AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	if _, err := auth.NewBearer(nil); err != nil {
		t.Fatal(err)
	}
	if as.TotalRequests() != 0 {
		t.Fatal("requests made")
	}
}

func TestCloseStopsGoroutines(t *testing.T) {
	r := newRig(t, rigOptions{lazy: true, config: func(c *mcpauth.Config) { c.JWKS.FetchTimeout = 5 * time.Second }})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	// Leave a key-set fetch hanging, then close.
	release := make(chan struct{})
	defer close(release)
	r.as.SetIntercept(func(w http.ResponseWriter, req *http.Request) bool {
		select {
		case <-release:
		case <-req.Context().Done():
		}
		return true
	})
	r.clock.Advance(mcpauth.DefaultJWKSRefreshInterval)
	expect(t, r.bearer(r.as.Mint(nil)), 200, "") // starts a background refresh
	if libraryGoroutines() == "" {
		t.Fatal("the check sees no background refresh before Close")
	}
	r.auth.Close()
	// Close waited for every goroutine to finish its work; let those still
	// unwinding (deferred calls after Done) exit before looking.
	for i := 0; i < 10000 && libraryGoroutines() != ""; i++ {
		runtime.Gosched()
	}
	if stacks := libraryGoroutines(); stacks != "" {
		t.Fatalf("goroutines left after Close:\n%s", stacks)
	}
	// After Close, requests are still answered (here from the cached keys).
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
}

// libraryGoroutines returns the stacks of goroutines running library code.
func libraryGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "mcp-auth/go/core.(*") && !strings.Contains(g, "_test.go") && !strings.Contains(g, "testing.tRunner") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
