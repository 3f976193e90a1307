package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// TestRun: the command line reaches each subcommand, and a wrong one is a
// usage error (64) saying what the commands are.
func TestRun(t *testing.T) {
	for _, tt := range []struct {
		args       []string
		exit       int
		out, errut string
	}{
		{nil, report.ExitUsage, "", "Usage:"},
		{[]string{"frobnicate"}, report.ExitUsage, "", `unknown command "frobnicate"`},
		{[]string{"help"}, report.ExitOK, "mcpauth probe", ""},
		{[]string{"--help"}, report.ExitOK, "mcpauth check", ""},
		{[]string{"version"}, report.ExitOK, "mcpauth ", ""},
		{[]string{"token", "not-a-jwt"}, report.ExitFailed, "not a JWT", ""},
		{[]string{"token"}, report.ExitUsage, "", "token"},
		{[]string{"check"}, report.ExitUsage, "", "issuer"},
		{[]string{"probe"}, report.ExitUsage, "", "<mcp-url>"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), tt.args, &out, &errOut)
		if code != tt.exit || !strings.Contains(out.String(), tt.out) || !strings.Contains(errOut.String(), tt.errut) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", tt.args, code, out.String(), errOut.String())
		}
	}
}
