package main

// program is a small program a user of one module writes, built from
// outside the repository.
type program struct {
	name    string
	modules []string // go get at the release version
	src     string
	// forbidden, when set, are module path prefixes the build must not
	// download (it then runs with an empty module cache).
	forbidden []string
	needed    []string // module path prefixes it must download (the control)
}

// protected is the configuration every program shares: one protected
// resource, its authorization server discovered on first use.
const protected = `
func newAuth() *mcpauth.Auth {
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp", ScopesSupported: []string{"read", "write"}},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	return auth
}

var policy = &mcpauth.BearerOptions{
	RequiredScopes: []string{"read"},
	Policy:         &mcpauth.ScopePolicy{Tools: map[string][]string{"create-todo": {"write"}}},
}
`

var programs = []program{
	{
		name:    "gin",
		modules: []string{"github.com/mcp-auth/go/ginauth", "github.com/mcp-auth/go/core"},
		// A Gin user downloads no other web framework, MCP library or telemetry SDK.
		forbidden: []string{"github.com/labstack", "github.com/go-chi", "github.com/modelcontextprotocol", "github.com/mark3labs", "go.opentelemetry.io"},
		needed:    []string{"github.com/gin-gonic/gin", "github.com/mcp-auth/go/ginauth", "github.com/mcp-auth/go/core", "github.com/golang-jwt/jwt"},
		src: `package main

import (
	"log"
	"net/http"

	"github.com/gin-gonic/gin"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/ginauth"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	r := gin.New()
	ginauth.RegisterMetadata(r, auth)
	mcp := r.Group("/", ginauth.BearerAuth(auth, policy))
	mcp.Any("/mcp", func(c *gin.Context) { c.String(http.StatusOK, ginauth.AuthInfo(c).Subject) })
	mcp.POST("/admin", ginauth.RequireScopes("write"), func(c *gin.Context) { c.Status(http.StatusNoContent) })
	log.Fatal(r.Run("127.0.0.1:3001"))
}
` + protected,
	},
	{
		name:    "echo",
		modules: []string{"github.com/mcp-auth/go/echoauth", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"log"
	"net/http"

	"github.com/labstack/echo/v4"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/echoauth"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	e := echo.New()
	echoauth.RegisterMetadata(e, auth)
	g := e.Group("", echoauth.BearerAuth(auth, policy))
	g.Any("/mcp", func(c echo.Context) error { return c.String(http.StatusOK, echoauth.AuthInfo(c).Subject) })
	g.POST("/admin", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, echoauth.RequireScopes("write"))
	log.Fatal(e.Start("127.0.0.1:3001"))
}
` + protected,
	},
	{
		name:    "echov5",
		modules: []string{"github.com/mcp-auth/go/echov5auth", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"log"
	"net/http"

	"github.com/labstack/echo/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/echov5auth"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	e := echo.New()
	echov5auth.RegisterMetadata(e, auth)
	g := e.Group("", echov5auth.BearerAuth(auth, policy))
	g.Any("/mcp", func(c *echo.Context) error { return c.String(http.StatusOK, echov5auth.AuthInfo(c).Subject) })
	g.POST("/admin", func(c *echo.Context) error { return c.NoContent(http.StatusNoContent) }, echov5auth.RequireScopes("write"))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", e))
}
` + protected,
	},
	{
		name:    "chi",
		modules: []string{"github.com/mcp-auth/go/chiauth", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"log"
	"net/http"

	"github.com/go-chi/chi/v5"

	"github.com/mcp-auth/go/chiauth"
	mcpauth "github.com/mcp-auth/go/core"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	r := chi.NewRouter()
	r.Mount("/.well-known", chiauth.Router(auth))
	r.Group(func(r chi.Router) {
		r.Use(chiauth.BearerAuth(auth, policy))
		r.HandleFunc("/mcp", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(chiauth.AuthInfo(r).Subject)) })
		r.With(chiauth.RequireScopes("write")).Post("/admin", func(w http.ResponseWriter, r *http.Request) {})
	})
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", r))
}
` + protected,
	},
	{
		name:    "gosdkauth",
		modules: []string{"github.com/mcp-auth/go/gosdkauth", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"context"
	"log"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/gosdkauth"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	server := mcp.NewServer(&mcp.Implementation{Name: "todo", Version: "1"}, nil)
	mcp.AddTool(server, &mcp.Tool{Name: "whoami"}, func(ctx context.Context, req *mcp.CallToolRequest, _ struct{}) (*mcp.CallToolResult, any, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: gosdkauth.AuthInfo(req.Extra.TokenInfo).Subject}}}, nil, nil
	})
	handler := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", gosdkauth.Protect(auth, policy, handler))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", mux))
}
` + protected,
	},
	{
		name:    "mcpgoauth",
		modules: []string{"github.com/mcp-auth/go/mcpgoauth", "github.com/mcp-auth/go/core"},
		// An mcp-go user downloads neither the official SDK nor a web framework.
		forbidden: []string{"github.com/modelcontextprotocol", "github.com/gin-gonic", "github.com/labstack", "github.com/go-chi"},
		needed:    []string{"github.com/mark3labs/mcp-go", "github.com/mcp-auth/go/mcpgoauth"},
		src: `package main

import (
	"context"
	"log"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/mcpgoauth"
)

func main() {
	auth := newAuth()
	defer auth.Close()
	s := server.NewMCPServer("todo", "1.0.0")
	s.AddTool(mcp.NewTool("whoami"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultText(mcpgoauth.AuthInfo(ctx).Subject), nil
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", mcpgoauth.Protect(auth, policy, server.NewStreamableHTTPServer(s, mcpgoauth.BindSessions(nil))))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", mux))
}
` + protected,
	},
	{
		name:    "redisstore",
		modules: []string{"github.com/mcp-auth/go/redisstore", "github.com/mcp-auth/go/core"},
		// A user of the Redis replay store downloads no web framework, MCP
		// library or telemetry SDK.
		forbidden: []string{"github.com/gin-gonic", "github.com/labstack", "github.com/go-chi", "github.com/modelcontextprotocol", "github.com/mark3labs", "go.opentelemetry.io"},
		needed:    []string{"github.com/redis/go-redis", "github.com/mcp-auth/go/redisstore", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"log"
	"net/http"

	"github.com/redis/go-redis/v9"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/redisstore"
)

func main() {
	client := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil)},
		DPoP:        &mcpauth.DPoPOptions{ReplayStore: redisstore.New(client, nil)},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(nil)(http.NotFoundHandler()))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", mux))
}
`,
	},
	{
		name:    "otelauth",
		modules: []string{"github.com/mcp-auth/go/otelauth", "github.com/mcp-auth/go/core"},
		src: `package main

import (
	"log"
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/otelauth"
)

func main() {
	hooks, err := otelauth.Hooks(nil) // the global MeterProvider
	if err != nil {
		log.Fatal(err)
	}
	auth, err := mcpauth.New(mcpauth.Config{Hooks: hooks, ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil)},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(nil)(http.NotFoundHandler()))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", mux))
}
`,
	},
}
