package echov5auth_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/echov5auth"
)

func newServer(t testing.TB, s *adaptertest.Setup) http.Handler {
	e := echo.New()
	echov5auth.RegisterMetadata(e, s.Auth)
	handler := func(c *echo.Context) error {
		s.Handler(c.Response(), c.Request(), echov5auth.AuthInfo(c))
		return nil
	}
	g := e.Group("", echov5auth.BearerAuth(s.Auth, s.Options))
	g.Any(adaptertest.PathMCP, handler)
	g.Any(adaptertest.PathWrite, handler, echov5auth.RequireScopes(adaptertest.RouteScopes...))
	return e
}

func TestBehaviour(t *testing.T) {
	adaptertest.Run(t, newServer)
}

func TestConfig(t *testing.T) {
	as := authtest.NewServer(&authtest.Options{Audience: adaptertest.Resource})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: adaptertest.Resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	var seen error
	var succeeded *mcpauth.AuthInfo
	e := echo.New()
	e.HTTPErrorHandler = func(c *echo.Context, err error) {
		seen = err
		c.NoContent(http.StatusTeapot)
	}
	mw := echov5auth.BearerAuthWithConfig(echov5auth.Config{
		Auth:           auth,
		ContextKey:     "who",
		Skipper:        func(c *echo.Context) bool { return c.Request().Header.Get("X-Skip") != "" },
		SuccessHandler: func(c *echo.Context, info *mcpauth.AuthInfo) { succeeded = info },
	})
	e.GET("/mcp", func(c *echo.Context) error {
		if info := echov5auth.AuthInfoWithKey(c, "who"); info != nil {
			return c.String(http.StatusOK, info.Subject)
		}
		return c.String(http.StatusOK, "anonymous")
	}, mw)
	do := func(h map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/mcp", nil)
		for k, v := range h {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	rec := do(nil)
	var me *mcpauth.Error
	if rec.Code != http.StatusTeapot || !errors.As(seen, &me) || me.Code != mcpauth.CodeMissingAuthHeader || rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("%d %v %v", rec.Code, seen, rec.Header())
	}
	if rec := do(map[string]string{"X-Skip": "1"}); rec.Body.String() != "anonymous" {
		t.Fatalf("skipper: %q", rec.Body)
	}
	rec = do(map[string]string{"Authorization": "Bearer " + as.Mint(nil)})
	if rec.Body.String() != "test-user" || succeeded == nil {
		t.Fatalf("custom key: %q", rec.Body)
	}
	custom := echov5auth.BearerAuthWithConfig(echov5auth.Config{Auth: auth, ErrorHandler: func(c *echo.Context, err *mcpauth.Error) error {
		return c.String(err.StatusCode(), "custom "+string(err.Code))
	}})
	e2 := echo.New()
	e2.GET("/mcp", func(c *echo.Context) error { return nil }, custom)
	rec = httptest.NewRecorder()
	e2.ServeHTTP(rec, httptest.NewRequest("GET", "/mcp", nil))
	if rec.Code != 401 || rec.Body.String() != "custom missing_auth_header" {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
}

// TestBodyLimit: behind Echo's BodyLimit, a chunked body whose padding goes
// over the limit fails to read after the whole message; the per-tool policy
// refuses it and the tool never runs.
func TestBodyLimit(t *testing.T) {
	as := authtest.NewServer(&authtest.Options{Audience: adaptertest.Resource})
	defer as.Close()
	auth, err := mcpauth.New(mcpauth.Config{Logger: slog.New(slog.DiscardHandler), ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: adaptertest.Resource},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, "", nil)},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer auth.Close()
	var calls atomic.Int64
	e := echo.New()
	e.Use(middleware.BodyLimit(1 << 10))
	e.POST("/mcp", func(c *echo.Context) error {
		calls.Add(1)
		return c.NoContent(http.StatusOK)
	}, echov5auth.BearerAuth(auth, &mcpauth.BearerOptions{
		RequiredScopes: []string{"read"},
		Policy:         &mcpauth.ScopePolicy{Tools: map[string][]string{"admin-tool": {"admin"}}},
	}))
	msg := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"admin-tool","arguments":{}}}`
	raw := "POST /mcp HTTP/1.1\r\nHost: mcp.example.com\r\nAuthorization: Bearer " + as.Mint(authtest.Claims{"scope": "read"}) +
		"\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
		adaptertest.Chunked(msg, strings.Repeat(" ", 70<<10)) + "0\r\n\r\n"
	resp := adaptertest.Wire(t, e, raw)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || calls.Load() != 0 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_request"`) {
		t.Fatalf("status %d, challenge %q, body %s, tool ran %d times", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), body, calls.Load())
	}
}

func TestNilAuth(t *testing.T) {
	adaptertest.WiringPanics(t, map[string]func(){
		"echov5auth.BearerAuthWithConfig": func() { echov5auth.BearerAuth(nil, nil) },
		"echov5auth.RegisterMetadata":     func() { echov5auth.RegisterMetadata(echo.New(), nil) },
	})
}
