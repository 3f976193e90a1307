//go:build unix

package interop

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/mcp-auth/go/examples/todo"
)

// mcpauthReport is what `mcpauth <command> --json` prints.
type mcpauthReport struct {
	Command  string `json:"command"`
	Findings []struct {
		Status  string   `json:"status"`
		Check   string   `json:"check"`
		Summary string   `json:"summary"`
		Code    string   `json:"code"`
		Details []string `json:"details"`
	} `json:"findings"`
	Result     string `json:"result"`
	ExitStatus int    `json:"exitStatus"`
}

// statuses maps each check to the statuses it was given, in order.
func (r mcpauthReport) statuses() map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Findings {
		out[f.Check] = append(out[f.Check], f.Status)
	}
	return out
}

// bad returns the findings that are WARN or FAIL, one line each.
func (r mcpauthReport) bad() []string {
	var out []string
	for _, f := range r.Findings {
		if f.Status == "WARN" || f.Status == "FAIL" {
			out = append(out, f.Status+" "+f.Check+": "+f.Summary)
		}
	}
	return out
}

// runMCPAuth runs the mcpauth command with args and --json (stdin, when
// not empty, as its input) and returns its report and exit status, which
// must agree.
func runMCPAuth(t *testing.T, stdin string, args ...string) mcpauthReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := command(ctx, mcpauthBinary(t), append(args, "--json")...)
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	out, err := run(t, cmd)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rep mcpauthReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("mcpauth %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if rep.ExitStatus != code {
		t.Fatalf("mcpauth %s exited %d, its report says %d", strings.Join(args, " "), code, rep.ExitStatus)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("mcpauth %s:\n%s", strings.Join(args, " "), out)
		}
	})
	return rep
}

// TestMCPAuthProbeExamples: `mcpauth probe` reports all PASS against each
// example as `go run` starts it (its development authorization server),
// with client credentials and the step-up tool, and the authenticated
// checks really ran.
func TestMCPAuthProbeExamples(t *testing.T) {
	for _, name := range exampleNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ex := startExample(t, name)
			rep := runMCPAuth(t, "", "probe", "-client-id", todo.DemoClientID, "-client-secret", todo.DemoClientSecret,
				"-scope", "read:todos", "-step-up-tool", "create-todo", ex.MCP)
			if rep.ExitStatus != 0 || len(rep.bad()) > 0 {
				t.Fatalf("exit %d, %q", rep.ExitStatus, rep.bad())
			}
			got := rep.statuses()
			for _, check := range []string{"unauthenticated", "challenge", "resource", "token", "initialize", "tools/list", "invalid-token", "forged-token", "step-up"} {
				if len(got[check]) == 0 || got[check][0] != "PASS" {
					t.Errorf("%s: %v", check, got[check])
				}
			}
		})
	}
}

// TestMCPAuthProbeJavaScript: against the JavaScript member of the family
// (mcp-auth 0.2.0 with the TypeScript SDK), `mcpauth probe` passes what it
// does right and names what it does not: an error code in the challenge of
// a request without credentials (RFC 6750 §3.1), and no step-up: a tool
// call without the tool's scope runs (mcp-auth has no per-tool scopes).
func TestMCPAuthProbeJavaScript(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	js := startMCPAuthJS(t, as.Issuer)
	rep := runMCPAuth(t, "", "probe", "-client-id", clientID, "-client-secret", clientSecret, "-scope", "read:todos", "-step-up-tool", "create-todo", js)
	if rep.ExitStatus != 2 {
		t.Fatalf("exit %d", rep.ExitStatus)
	}
	got := rep.statuses()
	for check, want := range map[string]string{
		"unauthenticated": "PASS", "resource": "PASS", "token": "PASS", "initialize": "PASS", "tools/list": "PASS",
		"invalid-token": "PASS", "forged-token": "PASS", "step-up": "FAIL",
	} {
		if len(got[check]) == 0 || got[check][0] != want {
			t.Errorf("%s: %v, want %s", check, got[check], want)
		}
	}
	var errorWithoutCredentials bool
	for _, line := range rep.bad() {
		errorWithoutCredentials = errorWithoutCredentials || strings.Contains(line, "missing_auth_header")
	}
	if !errorWithoutCredentials {
		t.Errorf("the error code in the unauthenticated challenge was not reported: %q", rep.bad())
	}
}

var jsReady = regexp.MustCompile(`^\{"ready":true,"mcp":"([^"]+)"`)

// startMCPAuthJS starts js/mcp-auth-server.mjs trusting issuer and returns
// its MCP endpoint.
func startMCPAuthJS(t *testing.T, issuer string) string {
	t.Helper()
	ensurePeers(t)
	cmd := exec.Command("node", interopDir(t)+"/js/mcp-auth-server.mjs")
	cmd.Env = append(cmd.Environ(), "AS_ISSUER="+issuer)
	p := startProcess(t, "mcp-auth (JavaScript)", cmd)
	m, err := p.WaitLine(jsReady, readyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	return m[1]
}

// TestMCPAuthCheckOIDCProvider: `mcpauth check` on oidc-provider finds it
// usable, with the two registration warnings it deserves (no dynamic
// registration, no client ID metadata documents), gets a client-credentials
// token for a resource, and the library accepts it.
func TestMCPAuthCheckOIDCProvider(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	rep := runMCPAuth(t, "", "check", "-client-id", clientID, "-client-secret", clientSecret, "-resource", "http://127.0.0.1:3001/mcp", "-scope", "read:todos", as.Issuer)
	got := rep.statuses()
	if rep.ExitStatus != 1 || len(rep.bad()) != 2 || got["registration"][0] != "WARN" || got["client_id_metadata"][0] != "WARN" {
		t.Fatalf("exit %d, %q", rep.ExitStatus, rep.bad())
	}
	for _, check := range []string{"discovery", "issuer", "pkce", "pkce_s256", "jwks", "token", "token_issuer", "acceptance"} {
		if len(got[check]) == 0 || got[check][0] != "PASS" {
			t.Errorf("%s: %v", check, got[check])
		}
	}
}

// TestMCPAuthToken: `mcpauth token` says oidc-provider's token for a
// resource passes the bearer middleware of that resource, and why it does
// not pass another's (invalid_audience, the actual audience shown).
func TestMCPAuthToken(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	const resource = "http://127.0.0.1:3001/mcp"
	status, body := postForm(t, as.Issuer+"/token", clientID, clientSecret, url.Values{"grant_type": {"client_credentials"}, "resource": {resource}, "scope": {"read:todos"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", status, body)
	}
	token := tok.AccessToken
	rep := runMCPAuth(t, token, "token", "-issuer", as.Issuer, "-resource", resource, "-scope", "read:todos", "-")
	if rep.ExitStatus != 0 || rep.statuses()["middleware"][0] != "PASS" {
		t.Fatalf("exit %d, %v", rep.ExitStatus, rep.bad())
	}
	rep = runMCPAuth(t, token, "token", "-issuer", as.Issuer, "-resource", "http://127.0.0.1:3002/mcp", "-")
	var refused bool
	for _, f := range rep.Findings {
		refused = refused || (f.Check == "middleware" && f.Status == "FAIL" && f.Code == "invalid_audience" && strings.Contains(strings.Join(f.Details, "\n"), resource))
	}
	if rep.ExitStatus != 2 || !refused {
		t.Fatalf("exit %d, %v", rep.ExitStatus, rep.bad())
	}
}
