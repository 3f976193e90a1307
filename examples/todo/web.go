package todo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"
)

// Healthz answers 200 without authentication.
func Healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status":"ok"}` + "\n"))
}

// WhoAmI answers the caller's identity as JSON: a REST twin of the whoami
// tool, for curl, monitors and load tests. Mount it behind the bearer
// middleware.
func WhoAmI(w http.ResponseWriter, r *http.Request) {
	info, ok := mcpauth.FromContext(r.Context())
	if !ok {
		mcpauth.WriteError(w, r, errors.New("whoami mounted without MCP Auth's middleware"))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(IdentityOf(info))
}

// PrintBanner tells the developer where the server is (base is its base
// URL, cfg its configuration with the issuer and resource resolved) and,
// with the development authorization server (dev), says so loudly and shows
// how to get a token and call a tool with curl.
func PrintBanner(w io.Writer, name, base string, cfg Config, dev bool) {
	fmt.Fprintf(w, "MCP Auth for Go example (%s): MCP endpoint %s/mcp\n", name, base)
	fmt.Fprintf(w, "  protected resource metadata: %s/.well-known/oauth-protected-resource/mcp\n", base)
	if cfg.IntrospectClientID != "" {
		fmt.Fprintf(w, "  verifying tokens by introspection (RFC 7662) as client %s, answers reused for %s\n", cfg.IntrospectClientID, cfg.IntrospectCacheTTL)
	}
	if cfg.DPoP != nil {
		mode := "accepted next to bearer tokens"
		if cfg.DPoP.Required {
			mode = "required: bearer tokens are refused, and the curl lines below need a DPoP client"
		}
		fmt.Fprintf(w, "  DPoP-bound tokens (RFC 9449) %s\n", mode)
	}
	if !dev {
		fmt.Fprintf(w, "  trusting the authorization server %s\n", cfg.Issuer)
		return
	}
	line := strings.Repeat("=", 78)
	scopes := strings.Join(Scopes, " ")
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

 Stop the server with Ctrl-C.
%s
`, line, cfg.Issuer, DemoClientID, DemoClientSecret, scopes, DemoClientID, DemoClientSecret, cfg.Resource, scopes, cfg.Issuer, base, base, line)
}
