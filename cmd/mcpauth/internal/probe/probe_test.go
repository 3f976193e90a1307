package probe

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// runProbe runs the command with -json on args and returns the decoded
// report and the exit status.
func runProbe(t *testing.T, args ...string) (*report.Report, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), append(args, "-json", "-timeout", "5s"), &stdout, &stderr)
	var r report.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("exit %d, the output is not a JSON report: %v\nstdout: %s\nstderr: %s", code, err, &stdout, &stderr)
	}
	if r.ExitStatus != code {
		t.Errorf("exit %d, but the report says %d", code, r.ExitStatus)
	}
	return &r, code
}

// finding returns the first finding of check.
func finding(r *report.Report, check string) (report.Finding, bool) {
	for _, f := range r.Findings {
		if f.Check == check {
			return f, true
		}
	}
	return report.Finding{}, false
}

// dump is the report as text, for failure messages.
func dump(r *report.Report) string {
	var b strings.Builder
	r.WriteText(&b)
	return b.String()
}

// TestCorrectServer probes an MCP server built with core, answering as
// JSON and as an event stream, with and without a session, with client
// credentials and with -token: every finding passes or informs.
func TestCorrectServer(t *testing.T) {
	for _, tt := range []struct {
		name  string
		setup setup
		token bool
	}{
		{"json", setup{}, false},
		{"sse", setup{sse: true}, false},
		{"sse without session", setup{sse: true, noSession: true}, false},
		{"json with -token", setup{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.setup)
			args := append([]string{f.url, "-step-up-tool", "create-todo"}, f.credentials()...)
			if tt.token {
				args = []string{f.url, "-step-up-tool", "create-todo", "-token", f.as.Mint(authtest.Claims{"aud": f.resource})}
			}
			r, code := runProbe(t, args...)
			if code != report.ExitOK {
				t.Errorf("exit %d, want 0\n%s", code, dump(r))
			}
			for _, fd := range r.Findings {
				if fd.Status != report.Pass && fd.Status != report.Info {
					t.Errorf("%s: %s %s", fd.Check, fd.Status, fd.Summary)
				}
			}
			want := []string{"unauthenticated", "challenge", "resource_metadata", "metadata-challenge", "metadata-path",
				"metadata-root", "metadata-agree", "resource", "authorization_servers", "authorization-server",
				"authorization-server-metadata", "offline_access", "bearer_methods", "initialize", "tools/list",
				"invalid-token", "forged-token", "step-up"}
			if !tt.token {
				want = append(want, "token")
			}
			for _, check := range want {
				if fd, ok := finding(r, check); !ok || fd.Status != report.Pass {
					t.Errorf("%s: %+v, want PASS", check, fd)
				}
			}
			if fd, _ := finding(r, "step-up"); !strings.Contains(fd.Summary, `scope="create:todos"`) {
				t.Errorf("step-up: %s", fd.Summary)
			}
			if fd, _ := finding(r, "tools/list"); !strings.Contains(fd.Summary, "whoami, create-todo") {
				t.Errorf("tools/list: %s", fd.Summary)
			}
		})
	}
}

// TestWithoutCredentials: the authenticated checks are skipped, said so.
func TestWithoutCredentials(t *testing.T) {
	f := newFixture(t, setup{})
	r, code := runProbe(t, f.url)
	if code != report.ExitOK {
		t.Errorf("exit %d\n%s", code, dump(r))
	}
	if fd, ok := finding(r, "authenticated"); !ok || fd.Status != report.Info || !strings.Contains(fd.Summary, "skipped") {
		t.Errorf("authenticated: %+v", fd)
	}
	if _, ok := finding(r, "initialize"); ok {
		t.Error("initialize was checked without credentials")
	}
}

// TestRunLikeMain calls Run as main does (flags after the URL, text
// output) and checks the text report.
func TestRunLikeMain(t *testing.T) {
	f := newFixture(t, setup{sse: true})
	var stdout, stderr bytes.Buffer
	args := append([]string{f.url, "--step-up-tool", "create-todo"}, f.credentials()...)
	code := Run(context.Background(), args, &stdout, &stderr)
	out := stdout.String()
	if code != report.ExitOK || stderr.Len() != 0 {
		t.Fatalf("exit %d, stderr %q\n%s", code, &stderr, out)
	}
	for _, want := range []string{
		"mcpauth probe " + f.url + "\n",
		"PASS  unauthenticated ",
		"[MCP 2025-11-25 Authorization §10]",
		"PASS  step-up ",
		"\nResult: all passed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	t.Log("\n" + out)
}

// TestJSONOutput: -json prints one report.Report, with the command, the
// target and specs on the findings.
func TestJSONOutput(t *testing.T) {
	f := newFixture(t, setup{})
	var stdout bytes.Buffer
	code := Run(context.Background(), []string{"--json", f.url}, &stdout, &bytes.Buffer{})
	var r report.Report
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		t.Fatal(err)
	}
	if r.Command != "probe" || r.Target != f.url || r.ExitStatus != code || r.Result != "all passed" || len(r.Findings) == 0 {
		t.Errorf("%+v", r)
	}
	for _, fd := range r.Findings {
		if fd.Spec == "" && fd.Check != "authenticated" {
			t.Errorf("%s has no spec", fd.Check)
		}
	}
}
