package check

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// TestUsage checks that every bad command line is refused with a message
// on stderr, nothing on stdout, and ExitUsage, before any request.
func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		says string
	}{
		{nil, "want exactly one issuer, got 0"},
		{[]string{"https://a.example", "https://b.example"}, "got 2"},
		{[]string{"https://a.example", "-type", "saml"}, `unknown server type "saml"`},
		{[]string{"https://a.example", "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"https://a.example", "-timeout", "soon"}, "invalid value"},
		{[]string{"https://a.example", "-client-secret", "x"}, "-client-secret needs -client-id"},
		{[]string{"https://a.example", "-client-id", "x"}, "-client-id needs -client-secret"},
		{[]string{"https://a.example", "-scope", "read"}, "-scope is asked for with a token"},
		{[]string{"ftp://a.example"}, "must be an absolute http(s) URL"},
		{[]string{"https://a.example/#x"}, "fragment"},
		{[]string{"https://a.example", "-resource", "http://mcp.example.com/mcp"}, "-resource:"},
		{[]string{"https://a.example", "-resource", "mcp"}, "-resource:"},
		{[]string{"https://a.example", "-nope"}, "flag provided but not defined: -nope"},
	} {
		res := run(t, tt.args...)
		if res.status != report.ExitUsage || res.stdout != "" || !strings.Contains(res.stderr, tt.says) || !strings.Contains(res.stderr, "Usage: mcpauth check") {
			t.Errorf("%q: exit %d, stdout %q, stderr:\n%s", tt.args, res.status, res.stdout, res.stderr)
		}
	}
}

// TestHelp checks that -h prints the usage on stdout and exits 0.
func TestHelp(t *testing.T) {
	res := run(t, "-h")
	if res.status != report.ExitOK || !strings.Contains(res.stdout, "-client-id") || res.stderr != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", res.status, res.stdout, res.stderr)
	}
}

// TestRunAsMain runs the command as main calls it, with flags before and
// after the issuer, and checks the text output and exit status.
func TestRunAsMain(t *testing.T) {
	as := newAS(t, authtest.Options{Path: "/tenant"})
	res := run(t, "-type", "auto", as.Issuer, "-client-id", clientID, "-client-secret", clientSecret, "--resource", resourceURL, "-timeout", "30s")
	if res.status != report.ExitOK || res.stderr != "" {
		t.Fatalf("exit %d, stderr %q\n%s", res.status, res.stderr, res.stdout)
	}
	for _, s := range []string{"mcpauth check " + as.Issuer + "\n", "PASS  acceptance", "== Go configuration ==", "package main", "\nResult: usable\n"} {
		if !strings.Contains(res.stdout, s) {
			t.Errorf("the output lacks %q:\n%s", s, res.stdout)
		}
	}
	if strings.Contains(res.stdout, clientSecret) {
		t.Error("the client secret is printed")
	}
}

// TestJSONMatchesReport checks that -json prints the report the checks
// made: the same findings, sections, result and exit status.
func TestJSONMatchesReport(t *testing.T) {
	as := newAS(t, authtest.Options{})
	opts, _, ok := parseOptions([]string{as.Issuer}, nil, nil)
	if !ok {
		t.Fatal("options refused")
	}
	direct := runCheck(context.Background(), opts)
	res := runJSON(t, as.Issuer)
	if !reflect.DeepEqual(res.rep.Findings, direct.Findings) {
		t.Errorf("JSON findings:\n%s\nreport:\n%s", findingsText(res.rep), findingsText(*direct))
	}
	if res.rep.Result != direct.Result || res.rep.ExitStatus != direct.ExitStatus || res.rep.Command != "check" || res.rep.Target != as.Issuer {
		t.Errorf("JSON %+v, report %+v", res.rep, direct)
	}
	if len(res.rep.Sections) != 1 || res.rep.Sections[0].Text != direct.Sections[0].Text {
		t.Errorf("sections differ: %+v", res.rep.Sections)
	}
}

// TestInterrupted checks that a cancelled run says so and fails.
func TestInterrupted(t *testing.T) {
	as := newAS(t, authtest.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	if status := Run(ctx, []string{as.Issuer}, &out, &out); status != report.ExitFailed || !strings.Contains(out.String(), "interrupted") {
		t.Errorf("exit %d:\n%s", status, out.String())
	}
}
