package probe_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/probe"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// ExampleRun probes an MCP server protected by MCP Auth for Go, without
// credentials, and prints each finding's verdict.
func ExampleRun() {
	as := authtest.NewServer(nil) // the authorization server
	defer as.Close()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: srv.URL + "/mcp", ScopesSupported: []string{"read"}},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
		}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		panic(err)
	}
	defer auth.Close()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(nil)(http.NotFoundHandler())) // no token gets this far

	var out bytes.Buffer
	code := probe.Run(context.Background(), []string{srv.URL + "/mcp", "-json"}, &out, io.Discard)
	var r report.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		panic(err)
	}
	for _, f := range r.Findings {
		fmt.Println(f.Status, f.Check)
	}
	fmt.Println("exit status", code)
	// Output:
	// PASS unauthenticated
	// PASS challenge
	// PASS resource_metadata
	// INFO challenge-scope
	// PASS metadata-challenge
	// PASS metadata-path
	// PASS metadata-root
	// PASS metadata-agree
	// PASS resource
	// PASS authorization_servers
	// PASS authorization-server
	// PASS authorization-server-metadata
	// INFO authorization-server-metadata
	// PASS offline_access
	// PASS bearer_methods
	// INFO authenticated
	// exit status 0
}
