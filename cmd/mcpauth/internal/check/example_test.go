package check_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/check"
)

// Run checks an authorization server as "mcpauth check <issuer>" does, and
// returns the exit status: here 0, usable, since the test server advertises
// everything MCP clients look for and its token is accepted by the library.
func ExampleRun() {
	as := authtest.NewServer(&authtest.Options{
		Clients:  []authtest.Client{{ID: "demo-client", Secret: "demo-secret"}},
		Metadata: func(doc map[string]any) { doc["client_id_metadata_document_supported"] = true },
	})
	defer as.Close()
	status := check.Run(context.Background(), []string{as.Issuer,
		"-client-id", "demo-client", "-client-secret", "demo-secret",
		"-resource", "http://127.0.0.1:3001/mcp", "-json"}, io.Discard, os.Stderr)
	fmt.Println("exit status", status)
	// Output: exit status 0
}
