package echoauth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

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
