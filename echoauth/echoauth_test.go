package echoauth_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adaptertest"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/echoauth"
)

func newServer(t testing.TB, s *adaptertest.Setup) http.Handler {
	e := echo.New()
	echoauth.RegisterMetadata(e, s.Auth)
	handler := func(c echo.Context) error {
		s.Handler(c.Response(), c.Request(), echoauth.AuthInfo(c))
		return nil
	}
	g := e.Group("", echoauth.BearerAuth(s.Auth, s.Options))
	g.Any(adaptertest.PathMCP, handler)
	g.Any(adaptertest.PathWrite, handler, echoauth.RequireScopes(adaptertest.RouteScopes...))
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
	var seenByErrorHandler error
	var succeeded *mcpauth.AuthInfo
	e := echo.New()
	e.HTTPErrorHandler = func(err error, c echo.Context) {
		seenByErrorHandler = err
		c.NoContent(http.StatusTeapot)
	}
	mw := echoauth.BearerAuthWithConfig(echoauth.Config{
		Auth:           auth,
		ContextKey:     "who",
		Skipper:        func(c echo.Context) bool { return c.Request().Header.Get("X-Skip") != "" },
		SuccessHandler: func(c echo.Context, info *mcpauth.AuthInfo) { succeeded = info },
	})
	e.GET("/mcp", func(c echo.Context) error {
		info := echoauth.AuthInfoWithKey(c, "who")
		if info == nil {
			return c.String(http.StatusOK, "anonymous")
		}
		return c.String(http.StatusOK, info.Subject)
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
	// A custom HTTPErrorHandler sees the refusal as an error, with the challenge already set.
	rec := do(nil)
	var me *mcpauth.Error
	if rec.Code != http.StatusTeapot || !errors.As(seenByErrorHandler, &me) || me.Code != mcpauth.CodeMissingAuthHeader {
		t.Fatalf("%d %v", rec.Code, seenByErrorHandler)
	}
	if rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatal("challenge not set for the custom error handler")
	}
	if rec := do(map[string]string{"X-Skip": "1"}); rec.Body.String() != "anonymous" {
		t.Fatalf("skipper: %q", rec.Body)
	}
	rec = do(map[string]string{"Authorization": "Bearer " + as.Mint(nil)})
	if rec.Body.String() != "test-user" || succeeded == nil || succeeded.Subject != "test-user" {
		t.Fatalf("custom key: %q %v", rec.Body, succeeded)
	}
	// ErrorHandler replaces the returned error.
	custom := echoauth.BearerAuthWithConfig(echoauth.Config{Auth: auth, ErrorHandler: func(c echo.Context, err *mcpauth.Error) error {
		return c.String(err.StatusCode(), "custom "+string(err.Code))
	}})
	e2 := echo.New()
	e2.GET("/mcp", func(c echo.Context) error { return nil }, custom)
	rec = httptest.NewRecorder()
	e2.ServeHTTP(rec, httptest.NewRequest("GET", "/mcp", nil))
	if rec.Code != 401 || rec.Body.String() != "custom missing_auth_header" || rec.Header().Get("WWW-Authenticate") == "" {
		t.Fatalf("%d %q", rec.Code, rec.Body)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic without Auth")
		}
	}()
	echoauth.BearerAuthWithConfig(echoauth.Config{})
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
	e.Use(middleware.BodyLimit("1K"))
	e.POST("/mcp", func(c echo.Context) error {
		calls.Add(1)
		return c.NoContent(http.StatusOK)
	}, echoauth.BearerAuth(auth, &mcpauth.BearerOptions{
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
		"echoauth.BearerAuthWithConfig": func() { echoauth.BearerAuth(nil, nil) },
		"echoauth.RegisterMetadata":     func() { echoauth.RegisterMetadata(echo.New(), nil) },
	})
}
