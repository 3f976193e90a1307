package echov5auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v5"

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
