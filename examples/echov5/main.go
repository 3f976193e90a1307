// Command echov5 is the todo-manager MCP server on Echo v5, protected by MCP Auth.
//
//	go run .                                           # with the development authorization server
//	go run . -issuer https://your-tenant.example.com   # with yours
//
// This file is the whole wiring: copied alone into a new module
// (go mod init example && go mod tidy && go run .), it runs as it is.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/labstack/echo/v5"
	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/echov5auth"
	"github.com/mcp-auth/go/examples/todo"
	"github.com/mcp-auth/go/gosdkauth"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := todo.ParseConfig("echov5", os.Args[1:], os.Getenv, os.Stderr) // flags, or MCPAUTH_* variables
	if err != nil {
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("cannot listen", "error", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, ln, cfg, log); err != nil {
		log.Error("cannot serve", "error", err)
		os.Exit(1)
	}
	log.Info("shut down")
}

// run serves the example on ln until ctx ends.
func run(ctx context.Context, ln net.Listener, cfg todo.Config, log *slog.Logger) error {
	defer ln.Close()
	base := "http://" + ln.Addr().String()
	if cfg.Resource == "" {
		cfg.Resource = base + "/mcp" // the exact public URL of the MCP endpoint
	}

	// The authorization server: yours (-issuer), or else the embedded
	// development one, which only ever runs for a server on loopback.
	dev := cfg.Issuer == ""
	if dev {
		if err := todo.CheckLoopback(ln.Addr(), cfg.Resource); err != nil {
			return err
		}
		as, err := authtest.Start(todo.DevServerOptions())
		if err != nil {
			return err
		}
		defer as.Close()
		cfg.Issuer = as.Issuer
		log.Warn("development authorization server running: it issues tokens to anyone on this machine; set -issuer for anything else", "issuer", as.Issuer)
	}
	server := mcpauth.DiscoverAuthServer(cfg.Issuer, cfg.IssuerType, nil) // discovered on first use

	// MCP Auth: the protected resource and the authorization server it trusts.
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{
				Resource:        cfg.Resource,
				ScopesSupported: todo.Scopes,
				ResourceName:    "Todo manager (MCP Auth for Go example)",
			},
			AuthServers: []*mcpauth.AuthServer{server},
			// DPoP (RFC 9449) with -dpop on or required: tokens bound to the
			// client's key, which signs a proof of each request.
			DPoP: cfg.DPoP,
		}},
		JWKS:   mcpauth.JWKSOptions{MinRefreshInterval: cfg.JWKSMinRefresh},
		Logger: log,
	})
	if err != nil {
		return err
	}
	defer auth.Close()

	// The bearer middleware's options: the per-tool policy (create-todo needs
	// create:todos, refused with 403 insufficient_scope before the tool runs),
	// and introspection (RFC 7662) for servers that issue opaque tokens.
	bearer := &mcpauth.BearerOptions{Policy: todo.Policy}
	if cfg.IntrospectClientID != "" {
		bearer.Verifier, err = mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{
			Server: server, ClientID: cfg.IntrospectClientID, ClientSecret: cfg.IntrospectClientSecret, CacheTTL: cfg.IntrospectCacheTTL,
		})
		if err != nil {
			return err
		}
	}

	// The MCP server (official Go SDK) behind the bridge, which hands tools
	// the verified identity (gosdkauth.AuthInfo(req.Extra.TokenInfo)).
	tools := todo.NewServer(todo.NewStore())
	mcpHandler := gosdkauth.Bridge(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return tools },
		&mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true}))

	// The routes: metadata (RFC 9728), and /mcp for every method the SDK answers.
	e := echo.New()
	echov5auth.RegisterMetadata(e, auth)
	e.GET("/healthz", echo.WrapHandler(http.HandlerFunc(todo.Healthz)))
	protected := e.Group("", echov5auth.BearerAuth(auth, bearer))
	protected.Any("/mcp", echo.WrapHandler(mcpHandler))
	protected.GET("/whoami", echo.WrapHandler(http.HandlerFunc(todo.WhoAmI)))

	// Resolve the authorization server and its keys now, and say what is
	// wrong, but start anyway: requests retry a server that is merely down.
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := auth.Check(checkCtx); err != nil {
		log.Warn("the authorization server is not usable yet; requests that need it will retry", "error", err)
	}
	cancel()
	todo.PrintBanner(os.Stdout, "echov5", base, cfg, dev)
	log.Info("ready", "example", "echov5", "mcp", base+"/mcp", "resource", cfg.Resource, "issuer", cfg.Issuer)
	return serve(ctx, ln, e)
}

// serve serves h on ln until ctx ends, then shuts down gracefully: requests
// in flight finish, for at most ten seconds.
func serve(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdown)
	if serveErr := <-done; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	return err
}
