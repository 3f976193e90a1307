package token

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/jwtview"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// target is the MCP server a token is checked for: what -resource,
// -issuer, -type, -scope, -timeout and -insecure say.
type target struct {
	resource string             // the MCP server's resource identifier
	issuer   string             // the authorization server it trusts
	typ      mcpauth.ServerType // how that server's metadata is discovered
	scopes   []string           // the scopes every request needs
	timeout  time.Duration      // bounds each fetch, and the whole check
	insecure bool               // plain http allowed off loopback
}

// middleware is the library configured as an MCP server protecting
// target.resource with target.issuer would configure it, with error details
// shown: the bearer middleware whose verdict the command reports.
type middleware struct {
	target
	auth   *mcpauth.Auth
	server *mcpauth.AuthServer
	bearer *mcpauth.Bearer
}

// newMiddleware configures the library for t. It never touches the network
// (discovery and key sets come on first use); its error is the library's
// refusal of the configuration (a resource or issuer that is not a valid
// URL, an invalid scope, …), which is the command line's fault.
func newMiddleware(t target) (*middleware, error) {
	client := &http.Client{Timeout: t.timeout}
	server := mcpauth.DiscoverAuthServer(t.issuer, t.typ, &mcpauth.DiscoveryOptions{HTTPClient: client, AllowInsecureHTTP: t.insecure})
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: t.resource},
			AuthServers: []*mcpauth.AuthServer{server},
		}},
		HTTPClient:        client,
		AllowInsecureHTTP: t.insecure,
		JWKS:              mcpauth.JWKSOptions{FetchTimeout: t.timeout},
		Logger:            slog.New(slog.DiscardHandler),
	})
	if err != nil {
		server.Close()
		return nil, err
	}
	bearer, err := auth.NewBearer(&mcpauth.BearerOptions{ShowErrorDetails: true, RequiredScopes: t.scopes})
	if err != nil {
		auth.Close()
		return nil, err
	}
	return &middleware{target: t, auth: auth, server: server, bearer: bearer}, nil
}

// Close releases the library's background work.
func (m *middleware) Close() { m.auth.Close() }

// verdict presents token to the bearer middleware exactly as a client
// would, "Authorization: Bearer <token>" on a POST to the resource, and
// reports its decision: PASS with the verified identity, or FAIL with the
// library's code and description, what the client would receive (status,
// WWW-Authenticate, JSON body with the cause) and how to fix it. d is the
// untrusted decoding, used only to word the advice (nil when the token is
// not a JWT).
func (m *middleware) verdict(ctx context.Context, token string, d *jwtview.JWT, now time.Time) report.Finding {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, m.resource, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	info, err := m.bearer.Authenticate(req)
	if err == nil {
		return accepted(info, now)
	}
	rec := httptest.NewRecorder()
	mcpauth.WriteError(rec, req, err)
	f := report.Finding{Status: report.Fail, Check: "middleware"}
	var e *mcpauth.Error
	if !errors.As(err, &e) { // never happens: every refusal is an *Error
		e = &mcpauth.Error{Code: mcpauth.CodeServerError, Description: err.Error()}
	}
	fix, spec := m.advise(e, d, now)
	f.Code, f.Spec = string(e.Code), spec
	f.Summary = "the bearer middleware would refuse this token: " + e.Description
	f.Details = append(f.Details, "fix: "+fix,
		fmt.Sprintf("the client would receive: HTTP %d %s", rec.Code, http.StatusText(rec.Code)))
	for _, h := range []string{"WWW-Authenticate", "Retry-After"} {
		if v := rec.Header().Get(h); v != "" {
			f.Details = append(f.Details, h+": "+v)
		}
	}
	if h := rec.Header().Get("WWW-Authenticate"); h == "" && rec.Code < 500 {
		f.Details = append(f.Details, "WWW-Authenticate: (none)")
	}
	f.Details = append(f.Details, "body: "+strings.TrimSpace(rec.Body.String()))
	return f
}

// accepted is the PASS finding of a token the middleware accepts, with the
// identity it verified.
func accepted(info *mcpauth.AuthInfo, now time.Time) report.Finding {
	f := report.Finding{Status: report.Pass, Check: "middleware", Spec: "MCP 2025-11-25 Authorization",
		Summary: "the bearer middleware would accept this token"}
	f.Details = append(f.Details,
		fmt.Sprintf("subject: %q", info.Subject),
		fmt.Sprintf("client: %q", info.ClientID),
		fmt.Sprintf("scopes: %q", strings.Join(info.Scopes, " ")),
		fmt.Sprintf("issuer: %q", info.Issuer),
		"audience: "+quoteList(info.Audience))
	if !info.ExpiresAt.IsZero() {
		f.Details = append(f.Details, fmt.Sprintf("expires: %s (%s)", info.ExpiresAt.UTC().Format(time.RFC3339), relative(info.ExpiresAt, now)))
	}
	return f
}
