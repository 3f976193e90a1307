// Package ginauth protects Gin routes with MCP Auth: bearer authentication
// as a gin.HandlerFunc, per-route scopes, the well-known metadata routes,
// and the verified identity through [AuthInfo].
//
// Every decision and every byte of an answer is core's (package mcpauth);
// this package only translates, so a Gin server answers exactly like a
// net/http one.
//
//	auth, _ := mcpauth.New(cfg)
//	r := gin.New()
//	ginauth.RegisterMetadata(r, auth)
//	r.POST("/mcp", ginauth.BearerAuth(auth, &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}), gin.WrapH(mcpHandler))
package ginauth

import (
	"fmt"

	"github.com/gin-gonic/gin"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/adapter"
)

// ContextKey is the gin.Context key under which BearerAuth stores the
// *mcpauth.AuthInfo. It is also put on the request's context.Context, so
// wrapped http.Handlers (the MCP SDK's) see it through mcpauth.FromContext.
const ContextKey = "mcpauth.AuthInfo"

// BearerAuth returns middleware authenticating each request with opts. On
// success the AuthInfo is stored under ContextKey and on the request's
// context; on failure core's answer is written and the chain is aborted, the
// error recorded in c.Errors. It panics if opts are invalid (see
// mcpauth.Auth.NewBearer), a wiring mistake found at start-up.
func BearerAuth(auth *mcpauth.Auth, opts *mcpauth.BearerOptions) gin.HandlerFunc {
	adapter.MustAuth(auth, "ginauth.BearerAuth")
	b, err := auth.NewBearer(opts)
	if err != nil {
		panic(fmt.Errorf("ginauth.BearerAuth: %w", err))
	}
	return func(c *gin.Context) {
		req, info, err := adapter.Authenticate(b, c.Writer.Header(), c.Request)
		if err != nil {
			abort(c, err)
			return
		}
		c.Set(ContextKey, info)
		c.Request = req
		c.Next()
	}
}

// RequireScopes returns middleware, for a route or group behind BearerAuth,
// that requires scopes besides the bearer middleware's; a token without
// them is answered 403 insufficient_scope naming every scope needed.
func RequireScopes(scopes ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := mcpauth.CheckScopes(AuthInfo(c), scopes...); err != nil {
			abort(c, err)
			return
		}
		c.Next()
	}
}

// AuthInfo returns the verified identity of the request, or nil.
func AuthInfo(c *gin.Context) *mcpauth.AuthInfo {
	if v, ok := c.Get(ContextKey); ok {
		if info, ok := v.(*mcpauth.AuthInfo); ok {
			return info
		}
	}
	info, _ := mcpauth.FromContext(c.Request.Context())
	return info
}

// RegisterMetadata registers every well-known route of auth (the protected
// resource metadata, or the legacy authorization-server metadata) for all
// methods: GET, HEAD and OPTIONS are answered, others get 405 with Allow.
func RegisterMetadata(r gin.IRoutes, auth *mcpauth.Auth) {
	adapter.MustAuth(auth, "ginauth.RegisterMetadata")
	for _, route := range adapter.MetadataRoutes(auth) {
		r.Any(route.Path, gin.WrapH(route.Handler))
	}
}

func abort(c *gin.Context, err error) {
	mcpauth.WriteError(c.Writer, c.Request, err)
	c.Error(err).SetType(gin.ErrorTypePrivate)
	c.Abort()
}
