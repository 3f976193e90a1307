// Package echov5auth protects Echo v5 routes with MCP Auth: bearer
// authentication as an echo.MiddlewareFunc, per-route scopes, the
// well-known metadata routes, and the verified identity through [AuthInfo].
//
// Failures are returned as errors: the *mcpauth.Error itself, which
// implements echo.HTTPStatusCoder and json.Marshaler, so Echo's default
// error handler writes core's exact status and JSON body and a custom
// HTTPErrorHandler can inspect it with errors.As. The challenge headers are
// already on the response. Every decision is core's (package mcpauth).
//
//	e := echo.New()
//	echov5auth.RegisterMetadata(e, auth)
//	e.POST("/mcp", echo.WrapHandler(mcpHandler), echov5auth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}))
package echov5auth

import (
	"fmt"

	"github.com/labstack/echo/v5"
	"github.com/labstack/echo/v5/middleware"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

// DefaultContextKey is the echo.Context key under which the AuthInfo is
// stored when Config.ContextKey is empty.
const DefaultContextKey = "mcpauth.AuthInfo"

// Config configures [BearerAuthWithConfig].
type Config struct {
	// Auth is the configured library. Required.
	Auth *mcpauth.Auth
	// Options are the bearer options; nil means the defaults.
	Options *mcpauth.BearerOptions
	// Skipper skips authentication for some requests; nil skips none.
	Skipper middleware.Skipper
	// ErrorHandler, when set, receives each refusal (its headers already
	// set on the response) and its result is returned from the middleware
	// instead of the *mcpauth.Error.
	ErrorHandler func(c *echo.Context, err *mcpauth.Error) error
	// SuccessHandler, when set, runs after a request is authenticated.
	SuccessHandler func(c *echo.Context, info *mcpauth.AuthInfo)
	// ContextKey is the echo.Context key of the AuthInfo; "" means
	// DefaultContextKey. The AuthInfo is also put on the request's
	// context.Context, where mcpauth.FromContext finds it.
	ContextKey string
}

// BearerAuth returns middleware authenticating each request with opts.
func BearerAuth(auth *mcpauth.Auth, opts *mcpauth.BearerOptions) echo.MiddlewareFunc {
	return BearerAuthWithConfig(Config{Auth: auth, Options: opts})
}

// BearerAuthWithConfig returns middleware for cfg. It panics if cfg is
// invalid (no Auth, or options mcpauth.Auth.NewBearer refuses), a wiring
// mistake found at start-up.
func BearerAuthWithConfig(cfg Config) echo.MiddlewareFunc {
	adapter.MustAuth(cfg.Auth, "echov5auth.BearerAuthWithConfig (Config.Auth)")
	b, err := cfg.Auth.NewBearer(cfg.Options)
	if err != nil {
		panic(fmt.Errorf("echov5auth.BearerAuthWithConfig: %w", err))
	}
	if cfg.Skipper == nil {
		cfg.Skipper = func(*echo.Context) bool { return false }
	}
	if cfg.ContextKey == "" {
		cfg.ContextKey = DefaultContextKey
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			if cfg.Skipper(c) {
				return next(c)
			}
			req, info, err := adapter.Authenticate(b, c.Response().Header(), c.Request())
			if err != nil {
				e := prepare(c, err)
				if cfg.ErrorHandler != nil {
					return cfg.ErrorHandler(c, e)
				}
				return e
			}
			c.Set(cfg.ContextKey, info)
			c.SetRequest(req)
			if cfg.SuccessHandler != nil {
				cfg.SuccessHandler(c, info)
			}
			return next(c)
		}
	}
}

// RequireScopes returns middleware, for a route or group behind
// BearerAuth, that requires scopes besides the bearer middleware's.
func RequireScopes(scopes ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			info, _ := mcpauth.FromContext(c.Request().Context())
			if err := mcpauth.CheckScopes(info, scopes...); err != nil {
				return prepare(c, err)
			}
			return next(c)
		}
	}
}

// AuthInfo returns the verified identity stored under DefaultContextKey
// (or, failing that, on the request's context), or nil.
func AuthInfo(c *echo.Context) *mcpauth.AuthInfo {
	return AuthInfoWithKey(c, DefaultContextKey)
}

// AuthInfoWithKey returns the verified identity stored under key (or on the
// request's context), or nil.
func AuthInfoWithKey(c *echo.Context, key string) *mcpauth.AuthInfo {
	if info, ok := c.Get(key).(*mcpauth.AuthInfo); ok {
		return info
	}
	info, _ := mcpauth.FromContext(c.Request().Context())
	return info
}

// Router is what RegisterMetadata registers on: *echo.Echo or *echo.Group.
type Router interface {
	Any(path string, handler echo.HandlerFunc, middleware ...echo.MiddlewareFunc) echo.RouteInfo
}

// RegisterMetadata registers every well-known route of auth for all
// methods: GET, HEAD and OPTIONS are answered, others get 405 with Allow.
func RegisterMetadata(r Router, auth *mcpauth.Auth) {
	adapter.MustAuth(auth, "echov5auth.RegisterMetadata")
	for _, route := range adapter.MetadataRoutes(auth) {
		r.Any(route.Path, echo.WrapHandler(route.Handler))
	}
}

// prepare sets the refusal's headers on the response and returns it.
func prepare(c *echo.Context, err error) *mcpauth.Error {
	return adapter.Refusal(err, c.Response().Header(), c.Request())
}
