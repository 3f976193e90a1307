//go:build unix

package interop

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// inspector runs the MCP Inspector CLI with args. Version 1.0.3 checks for
// "../package.json" relative to the working directory but imports it
// relative to itself, so it only starts from its own build directory.
func inspector(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	ensurePeers(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := command(ctx, "node", append([]string{"index.js"}, args...)...)
	cmd.Dir = filepath.Join(interopDir(t), "node_modules", "@modelcontextprotocol", "inspector-cli", "build")
	return run(t, cmd)
}

// TestInspectorCLI calls an example (gin, trusting oidc-provider) with the
// MCP Inspector CLI and a bearer header, which it sends as given (it has no
// OAuth flow of its own).
func TestInspectorCLI(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	ex := startExample(t, "gin", "-issuer", as.Issuer)
	tok := as.Token(t, ex.Resource, "read:todos")
	bearer := "Authorization: Bearer " + tok.AccessToken

	t.Run("tools/list", func(t *testing.T) {
		out, err := inspector(t, ex.MCP, "--transport", "http", "--method", "tools/list", "--header", bearer)
		if err != nil {
			t.Fatal(err)
		}
		var list struct {
			Tools []struct {
				Name        string         `json:"name"`
				InputSchema map[string]any `json:"inputSchema"`
			} `json:"tools"`
		}
		if err := json.Unmarshal(out, &list); err != nil {
			t.Fatalf("tools/list output %q: %v", out, err)
		}
		var names []string
		for _, tool := range list.Tools {
			names = append(names, tool.Name)
			if tool.InputSchema["type"] != "object" {
				t.Errorf("%s input schema %v", tool.Name, tool.InputSchema)
			}
		}
		if slices.Sort(names); !slices.Equal(names, allTools) {
			t.Fatalf("tools %v", names)
		}
	})
	t.Run("tools/call whoami", func(t *testing.T) {
		out, err := inspector(t, ex.MCP, "--transport", "http", "--method", "tools/call", "--tool-name", "whoami", "--header", bearer)
		if err != nil {
			t.Fatal(err)
		}
		var result struct {
			IsError           bool           `json:"isError"`
			StructuredContent map[string]any `json:"structuredContent"`
		}
		if err := json.Unmarshal(out, &result); err != nil {
			t.Fatalf("tools/call output %q: %v", out, err)
		}
		who := result.StructuredContent
		if result.IsError || who["issuer"] != as.Issuer || who["clientId"] != clientID || !sameJSON(who["scopes"], []string{"read:todos"}) {
			t.Fatalf("whoami %s", out)
		}
	})
	t.Run("no header", func(t *testing.T) {
		out, err := inspector(t, ex.MCP, "--transport", "http", "--method", "tools/list")
		var exit *exec.ExitError
		if err == nil || !errors.As(err, &exit) || exit.ExitCode() == 0 {
			t.Fatalf("succeeded without a token: %v %s", err, out)
		}
		if !strings.Contains(err.Error(), "missing_auth_header") {
			t.Fatalf("error %v does not carry the server's refusal", err)
		}
	})
}
