package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// Main runs an example: it reads the configuration, prints where the server
// is (and, in development mode, how to get a token and call a tool), serves
// routes(app) until SIGINT or SIGTERM, and exits.
func Main(name string, routes func(*App) http.Handler) {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := ParseConfig(name, os.Args[1:], os.Getenv, os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	a, err := New(cfg, log)
	if err != nil {
		log.Error("cannot start", "error", err)
		os.Exit(1)
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	handler := routes(a)
	// Resolve the authorization server and its keys now, and say what is
	// wrong, but start anyway: a server that is merely down is retried by
	// the requests that need it.
	checkCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	if err := a.Auth.Check(checkCtx); err != nil {
		log.Warn("the authorization server is not usable yet; requests that need it will retry", "error", err)
	} else {
		log.Info("authorization server checked", "issuer", a.Config.Issuer)
	}
	cancel()
	PrintBanner(os.Stdout, name, a)
	log.Info("ready", "example", name, "mcp", a.URL()+"/mcp", "resource", a.Config.Resource, "issuer", a.Config.Issuer)
	if err := a.Serve(ctx, handler); err != nil {
		log.Error("server stopped", "error", err)
		os.Exit(1)
	}
	log.Info("shut down")
}

// PrintBanner tells the developer where the server is and, with the
// development authorization server, says so loudly and shows how to get a
// token and call a tool with curl.
func PrintBanner(w io.Writer, name string, a *App) {
	fmt.Fprintf(w, "MCP Auth for Go example (%s): MCP endpoint %s/mcp\n", name, a.URL())
	fmt.Fprintf(w, "  protected resource metadata: %s/.well-known/oauth-protected-resource/mcp\n", a.URL())
	if a.Config.IntrospectClientID != "" {
		fmt.Fprintf(w, "  verifying tokens by introspection (RFC 7662) as client %s, answers reused for %s\n", a.Config.IntrospectClientID, a.Config.IntrospectCacheTTL)
	}
	if a.Dev == nil {
		fmt.Fprintf(w, "  trusting the authorization server %s\n", a.Config.Issuer)
		return
	}
	line := strings.Repeat("=", 78)
	scopes := "create:todos read:todos delete:todos"
	fmt.Fprintf(w, `%s
 DEVELOPMENT MODE: no -issuer given, so an embedded authorization server runs
 at %s (loopback only, in-memory, for development only).
 Demo client: %s / %s. Demo users on its sign-in page: admin (%s), user (none).

 Get a token:
   TOKEN=$(curl -s -u %s:%s -d grant_type=client_credentials \
     --data-urlencode resource=%s -d 'scope=%s' \
     %s/token | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

 Call a tool:
   curl -s %s/mcp -H "Authorization: Bearer $TOKEN" \
     -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
     -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whoami","arguments":{}}}'

 Or: curl -s %s/whoami -H "Authorization: Bearer $TOKEN"
%s
`, line, a.Dev.Issuer, DemoClientID, DemoClientSecret, scopes, DemoClientID, DemoClientSecret, a.Config.Resource, scopes, a.Dev.Issuer, a.URL(), a.URL(), line)
}
