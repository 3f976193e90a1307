package mcpauth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
)

// logBuffer is a text log that tests can read while the library writes it.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lines returns the log lines containing every one of parts.
func (l *logBuffer) lines(parts ...string) []string {
	var out []string
	for _, line := range strings.Split(l.String(), "\n") {
		match := line != ""
		for _, p := range parts {
			match = match && strings.Contains(line, p)
		}
		if match {
			out = append(out, line)
		}
	}
	return out
}

// loggedRig is a rig whose library logs into the returned buffer.
func loggedRig(t *testing.T, o rigOptions) (*rig, *logBuffer) {
	logs := &logBuffer{}
	config := o.config
	o.config = func(c *mcpauth.Config) {
		c.Logger = slog.New(slog.NewTextHandler(logs, nil))
		if config != nil {
			config(c)
		}
	}
	return newRig(t, o), logs
}

// The rows of the table of mistakes that used to be silent: each is now
// logged, or refused by New.

func TestLogUnreachableIssuer(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{lazy: true})
	token := r.as.Mint(nil)
	r.as.Stop()
	expect(t, r.bearer(token), 503, "")
	if len(logs.lines("level=WARN", "could not be discovered", "issuer="+r.as.Issuer, "next_attempt_in=30s")) != 1 {
		t.Fatalf("no discovery failure logged:\n%s", logs)
	}
	if len(logs.lines("level=ERROR", "request refused", "code=temporarily_unavailable", "resource="+resourceID, "cause=")) != 1 {
		t.Fatalf("the 503 is not logged with its cause:\n%s", logs)
	}
}

func TestLogIssuerPathTypo(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{lazy: true, resource: func(p *mcpauth.ProtectedResource) {
		p.AuthServers[0] = mcpauth.DiscoverAuthServer(p.AuthServers[0].Issuer()+"/typo", "", nil)
	}})
	expect(t, r.bearer(r.as.Mint(authtest.Claims{"iss": r.as.Issuer + "/typo"})), 500, "")
	if len(logs.lines("level=ERROR", "request refused", "code=server_error", "404")) != 1 {
		t.Fatalf("the 500 is not logged with the 404 that caused it:\n%s", logs)
	}
}

func TestLogTrailingSlashIssuer(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{})
	rec := r.bearer(r.as.Mint(authtest.Claims{"iss": r.as.Issuer + "/"}))
	expect(t, rec, 401, challengeFor("invalid_token", "The access token's issuer is not trusted by this resource: it differs from the trusted issuer only by a trailing slash, so the configured issuer must be corrected.", ""))
	if len(logs.lines("level=WARN", "code=invalid_issuer", "trailing slash", "actual="+r.as.Issuer+"/")) != 1 {
		t.Fatalf("not logged:\n%s", logs)
	}
}

func TestLogLazyMetadataWithoutKeySet(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { delete(doc, "jwks_uri") }}})
	expect(t, r.bearer(r.as.Mint(nil)), 500, "")
	if len(logs.lines("level=WARN", "code=missing_jwks_uri")) != 1 || len(logs.lines("level=ERROR", "code=server_error")) != 1 {
		t.Fatalf("the finding and the 500 are not logged:\n%s", logs)
	}
	// Wiring after the discovery behaves as before it: no panic.
	if _, err := r.auth.NewBearer(nil); err != nil {
		t.Fatalf("NewBearer after a lazy discovery without jwks_uri: %v", err)
	}
	r.auth.Middleware(nil)
	if err := r.auth.Check(waitCtx(t)); err == nil || !strings.Contains(err.Error(), "no jwks_uri") {
		t.Fatalf("Check: %v", err)
	}
}

func TestLogResourcePathMismatch(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{})
	send := func(path, accept string) {
		req := httptest.NewRequest("POST", "https://mcp.example.com"+path, strings.NewReader("{}"))
		req.Header.Set("Accept", accept)
		req.Header.Set("Authorization", "Bearer "+r.as.Mint(nil))
		r.send(req)
	}
	send("/mcp", "application/json, text/event-stream")
	send("/whoami", "application/json") // not an MCP request
	if len(logs.lines("level=WARN")) != 0 {
		t.Fatalf("warned for a matching path or a plain request:\n%s", logs)
	}
	send("/api/mcp", "application/json, text/event-stream")
	send("/api/mcp", "application/json, text/event-stream")
	if n := len(logs.lines("level=WARN", "path other than the resource identifier's", "path=/api/mcp", "resource="+resourceID)); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, logs)
	}
}

func TestLogMetadataNotMounted(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{})
	r.request("POST", nil, "")
	r.request("POST", nil, "")
	if n := len(logs.lines("level=WARN", "routes were never set up", "resource_metadata="+resourceMetadata)); n != 1 {
		t.Fatalf("%d warnings, want 1:\n%s", n, logs)
	}
	// Mounted: no warning.
	r2, logs2 := loggedRig(t, rigOptions{})
	r2.auth.MetadataHandler()
	r2.request("POST", nil, "")
	r3, logs3 := loggedRig(t, rigOptions{})
	adapter.MetadataRoutes(r3.auth)
	r3.request("POST", nil, "")
	if len(logs2.lines("level=WARN")) != 0 || len(logs3.lines("level=WARN")) != 0 {
		t.Fatalf("warned though mounted:\n%s\n%s", logs2, logs3)
	}
}

func TestLogRequireScopesWithoutBearer(t *testing.T) {
	logs := &logBuffer{}
	defer slog.SetDefault(slog.Default())
	slog.SetDefault(slog.New(slog.NewTextHandler(logs, nil)))
	rec := httptest.NewRecorder()
	mcpauth.RequireScopes("write")(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest("GET", resourceID, nil))
	if rec.Code != 500 || len(logs.lines("level=ERROR", "without a bearer middleware", "Auth.Middleware")) != 1 {
		t.Fatalf("%d\n%s", rec.Code, logs)
	}
}

func TestNilAuthPanicsAtWiring(t *testing.T) {
	var auth *mcpauth.Auth
	adaptertest.WiringPanics(t, map[string]func(){
		"mcpauth.Auth.Middleware":      func() { auth.Middleware(nil) },
		"mcpauth.Auth.MetadataHandler": func() { auth.MetadataHandler() },
		"adapter.MetadataRoutes":       func() { adapter.MetadataRoutes(auth) },
	})
	if _, err := auth.NewBearer(nil); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("NewBearer: %v", err)
	}
	if err := auth.Check(context.Background()); !errors.Is(err, mcpauth.ErrInvalidConfig) {
		t.Errorf("Check: %v", err)
	}
	if auth.Close() != nil {
		t.Error("Close")
	}
}

// TestLogRateLimited: a flood of refusals of one kind gives one line per
// interval, the next one counting the lines left out.
func TestLogRateLimited(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{})
	r.auth.MetadataHandler()
	for i := range 100 {
		r.bearer(r.as.Mint(authtest.Claims{"aud": "https://other.example.com/" + string(rune('a'+i%26))}))
	}
	if n := len(logs.lines("code=invalid_audience")); n != 1 {
		t.Fatalf("%d lines for 100 refusals:\n%s", n, logs)
	}
	r.clock.Advance(11 * time.Second)
	r.bearer(r.as.Mint(authtest.Claims{"aud": "https://other.example.com/"}))
	if n := len(logs.lines("code=invalid_audience", "suppressed=99")); n != 1 {
		t.Fatalf("the next line does not count the 99 left out:\n%s", logs)
	}
	// Ordinary refusals (no token, expired) are the clients' business: not logged.
	r.request("POST", nil, "")
	r.bearer(r.as.Mint(authtest.Claims{"exp": time.Now().Add(-time.Hour).Unix()}))
	if n := len(logs.lines("request refused")); n != 2 {
		t.Fatalf("%d lines:\n%s", n, logs)
	}
}

// TestLogFindingsOnLazyDiscovery: the validation findings of metadata
// discovered lazily are logged when it is first resolved, as they are for
// metadata given to New.
func TestLogFindingsOnLazyDiscovery(t *testing.T) {
	r, logs := loggedRig(t, rigOptions{lazy: true, as: &authtest.Options{Metadata: func(doc map[string]any) { delete(doc, "code_challenge_methods_supported") }}})
	if logs.String() != "" {
		t.Fatalf("logged before discovery:\n%s", logs)
	}
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	if n := len(logs.lines("level=WARN", "code=pkce_not_supported", "issuer="+r.as.Issuer)); n != 1 {
		t.Fatalf("%d lines:\n%s", n, logs)
	}
}

// TestHooks: OnDecision sees every decision with its refusal or identity
// and the token cache's part; OnFetch sees discovery and key-set fetches.
func TestHooks(t *testing.T) {
	var mu sync.Mutex
	var decisions []mcpauth.Decision
	var fetches []mcpauth.Fetch
	r := newRig(t, rigOptions{lazy: true, config: func(c *mcpauth.Config) {
		c.Hooks = mcpauth.Hooks{
			OnDecision: func(ctx context.Context, d mcpauth.Decision) {
				mu.Lock()
				defer mu.Unlock()
				decisions = append(decisions, d)
			},
			OnFetch: func(ctx context.Context, f mcpauth.Fetch) {
				mu.Lock()
				defer mu.Unlock()
				fetches = append(fetches, f)
			},
		}
	}})
	token := r.as.Mint(nil)
	expect(t, r.bearer(token), 200, "")
	expect(t, r.bearer(token), 200, "")
	r.request("POST", nil, "")
	mu.Lock()
	defer mu.Unlock()
	if len(decisions) != 3 {
		t.Fatalf("%d decisions", len(decisions))
	}
	d0, d1, d2 := decisions[0], decisions[1], decisions[2]
	if d0.Err != nil || d0.Info == nil || d0.Info.Subject != "test-user" || d0.TokenCache != "miss" || d0.Resource != resourceID || d0.Duration <= 0 {
		t.Errorf("first: %+v", d0)
	}
	if d1.Err != nil || d1.TokenCache != "hit" {
		t.Errorf("second: %+v", d1)
	}
	if d2.Info != nil || d2.Err == nil || d2.Err.Code != mcpauth.CodeMissingAuthHeader || d2.TokenCache != "" {
		t.Errorf("third: %+v", d2)
	}
	if len(fetches) != 2 || fetches[0].Kind != mcpauth.FetchDiscovery || fetches[1].Kind != mcpauth.FetchKeySet ||
		fetches[1].URL != r.as.Issuer+"/jwks" || fetches[0].Issuer != r.as.Issuer || fetches[0].Err != nil {
		t.Errorf("fetches %+v", fetches)
	}
}
