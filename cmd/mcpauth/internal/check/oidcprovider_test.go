package check

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// startOIDCProvider starts the interoperability tests' oidc-provider
// (interop/js/authorization-server.mjs, OpenID Certified) and returns its
// issuer. It skips the test when Node.js or the interop packages are
// missing: "make test" installs them for ./interop, and runs this test too.
func startOIDCProvider(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("oidc-provider: skipped with -short")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("oidc-provider: no node on PATH")
	}
	dir, err := filepath.Abs("../../../../interop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider")); err != nil {
		t.Skip("oidc-provider: interop/node_modules is not installed (npm ci in interop/)")
	}
	cmd := exec.Command(node, "js/authorization-server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PORT=0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	})
	ready := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(out)
		for lines.Scan() {
			var line struct {
				Ready  bool   `json:"ready"`
				Issuer string `json:"issuer"`
			}
			if json.Unmarshal(lines.Bytes(), &line) == nil && line.Ready {
				ready <- line.Issuer
				break
			}
		}
		close(ready)
	}()
	select {
	case issuer, ok := <-ready:
		if !ok {
			t.Fatal("oidc-provider exited before it was ready")
		}
		return issuer
	case <-time.After(30 * time.Second):
		t.Fatal("oidc-provider not ready within 30s")
	}
	return ""
}

// TestOIDCProvider checks a real, certified authorization server: an RFC
// 9068 JWT for the resource asked for, which the library accepts; and,
// without a resource, an opaque token, which it accepts by introspection.
func TestOIDCProvider(t *testing.T) {
	issuer := startOIDCProvider(t)
	creds := []string{issuer, "-client-id", "interop-client", "-client-secret", "interop-secret"}
	t.Run("JWT for the resource", func(t *testing.T) {
		res := runJSON(t, append(creds, "-resource", resourceURL, "-scope", "read:todos")...)
		// oidc-provider is set up without dynamic registration or client ID
		// metadata documents: two warnings, nothing else.
		if res.status != report.ExitWarnings || res.rep.Count(report.Warn) != 2 {
			t.Errorf("exit %d:\n%s", res.status, findingsText(res.rep))
		}
		expect(t, res.rep, want{check: "discovery", status: report.Pass}, want{check: "jwks", status: report.Pass},
			want{check: "token_type", status: report.Pass}, want{check: "token_audience", status: report.Pass},
			want{check: "acceptance", status: report.Pass, text: `scopes ["read:todos"]`})
		checkGoSource(t, section(res.rep, "Go configuration"))
	})
	t.Run("opaque without resource", func(t *testing.T) {
		res := runJSON(t, creds...)
		expect(t, res.rep, want{check: "token_format", status: report.Info, text: "opaque"},
			want{check: "acceptance", status: report.Pass, text: "introspected"})
	})
}
