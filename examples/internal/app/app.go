// Package app is what the example servers share besides their tools:
// configuration, the MCP Auth setup, the embedded development authorization
// server, the unprotected and REST routes, and serving with graceful
// shutdown. Each example's main.go only wires these into its framework.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/internal/todo"
	"github.com/mcp-auth/go/gosdkauth"
)

// Demo credentials of the development authorization server.
const (
	DemoClientID     = "demo-client"
	DemoClientSecret = "demo-secret"
)

// App is a configured example server, listening but not yet serving.
type App struct {
	// Config is the configuration, with defaults resolved.
	Config Config
	// Auth is MCP Auth, trusting the configured issuer (or the development server).
	Auth *mcpauth.Auth
	// Bearer are the bearer options of /mcp and /whoami: no base scope,
	// and the per-tool policy (create-todo needs create:todos).
	Bearer *mcpauth.BearerOptions
	// MCP is the MCP endpoint's handler: the SDK's streamable HTTP handler
	// behind gosdkauth.Bridge. Mount it behind the framework's MCP Auth
	// bearer middleware.
	MCP http.Handler
	// Dev is the development authorization server, or nil.
	Dev *authtest.Server
	// Log is the logger.
	Log *slog.Logger

	listener net.Listener
}

// New listens on cfg.Addr, starts the development authorization server when
// no issuer is configured, and configures MCP Auth. Without an issuer, the
// listen address and the resource must both be loopback: the development
// server issues tokens to anyone on the machine, so it never protects a
// server others can reach.
func New(cfg Config, log *slog.Logger) (*App, error) {
	if cfg.Issuer == "" && !loopbackAddr(cfg.Addr) {
		return nil, fmt.Errorf("no -issuer (MCPAUTH_ISSUER) given, and the listen address %q is not loopback: "+
			"the development authorization server runs only for a server on 127.0.0.1, ::1 or localhost; set -issuer to your authorization server", cfg.Addr)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Log: log, listener: ln}
	if a.Config.Resource == "" {
		a.Config.Resource = "http://" + ln.Addr().String() + "/mcp"
	}
	if a.Config.Issuer == "" {
		if u, err := url.Parse(a.Config.Resource); err != nil || !loopbackHost(u.Hostname()) {
			ln.Close()
			return nil, fmt.Errorf("no -issuer (MCPAUTH_ISSUER) given, and the resource %q is not on a loopback host: "+
				"the development authorization server runs only for a server on 127.0.0.1, ::1 or localhost; set -issuer to your authorization server", a.Config.Resource)
		}
		if a.Dev, err = startDevServer(); err != nil {
			ln.Close()
			return nil, err
		}
		a.Config.Issuer = a.Dev.Issuer
		log.Warn("development authorization server running: it issues tokens to anyone on this machine; never use it beyond development, set -issuer instead",
			"issuer", a.Dev.Issuer)
	}
	server := mcpauth.DiscoverAuthServer(a.Config.Issuer, a.Config.IssuerType, nil)
	a.Auth, err = mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata: mcpauth.ProtectedResourceMetadata{
				Resource:        a.Config.Resource,
				ScopesSupported: todo.Scopes,
				ResourceName:    "Todo manager (MCP Auth for Go example)",
			},
			AuthServers: []*mcpauth.AuthServer{server},
		}},
		JWKS:   mcpauth.JWKSOptions{MinRefreshInterval: cfg.JWKSMinRefresh},
		Logger: log,
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	a.Bearer = &mcpauth.BearerOptions{Policy: todo.Policy}
	if cfg.IntrospectClientID != "" {
		// Opaque tokens: ask the authorization server (RFC 7662). The
		// issuer, audience, expiry and scopes of its answer are checked
		// like a JWT's.
		a.Bearer.Verifier, err = mcpauth.NewIntrospectionVerifier(mcpauth.IntrospectionConfig{
			Server:       server,
			ClientID:     cfg.IntrospectClientID,
			ClientSecret: cfg.IntrospectClientSecret,
			CacheTTL:     cfg.IntrospectCacheTTL,
		})
		if err != nil {
			a.Close()
			return nil, err
		}
	}
	tools := todo.NewServer(todo.NewStore())
	sdk := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return tools }, &mcp.StreamableHTTPOptions{Stateless: true, JSONResponse: true})
	a.MCP = gosdkauth.Bridge(sdk)
	return a, nil
}

// startDevServer starts the embedded development authorization server on a
// free loopback port, with the demo client and users.
func startDevServer() (*authtest.Server, error) {
	return authtest.Start(&authtest.Options{
		Scopes:  todo.Scopes,
		Clients: []authtest.Client{{ID: DemoClientID, Secret: DemoClientSecret}},
		Users: []authtest.User{
			{Name: "admin", Scopes: todo.Scopes},
			{Name: "user"},
		},
	})
}

// loopbackAddr reports whether addr (host:port) names a loopback host.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && loopbackHost(host)
}

// loopbackHost reports whether host is localhost or a loopback IP address.
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Healthz answers 200 without authentication.
func (a *App) Healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// WhoAmI answers the caller's identity as JSON: a REST twin of the whoami
// tool. Mount it behind the bearer middleware.
func (a *App) WhoAmI(w http.ResponseWriter, r *http.Request) {
	info, ok := mcpauth.FromContext(r.Context())
	if !ok {
		mcpauth.WriteError(w, r, errors.New("whoami mounted without MCP Auth's middleware"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(todo.IdentityOf(info))
}

// URL returns the base URL the server listens on.
func (a *App) URL() string { return "http://" + a.listener.Addr().String() }

// Serve serves handler until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(a.listener) }()
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

// Close releases the listener, MCP Auth and the development server.
func (a *App) Close() {
	a.listener.Close()
	if a.Auth != nil {
		a.Auth.Close()
	}
	if a.Dev != nil {
		a.Dev.Close()
	}
}

// String describes the server for the ready line.
func (a *App) String() string {
	return fmt.Sprintf("MCP server %s (resource %s, issuer %s)", a.URL()+"/mcp", a.Config.Resource, a.Config.Issuer)
}
