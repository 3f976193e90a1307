// Command mcpauth answers the questions people setting up MCP
// authorization get stuck on, from outside any server:
//
//	mcpauth check [flags] <issuer>     will this authorization server work for an MCP server?
//	mcpauth probe [flags] <mcp-url>    does this MCP server (in any language) answer as clients expect?
//	mcpauth token [flags] <jwt>        what is in this token, and which check would refuse it?
//
// Each prints findings, PASS, WARN, FAIL or INFO, with the rule behind
// each (--json prints them for programs), and exits 0 when everything
// passed, 1 with warnings only, 2 with a failure, and 64 when the command
// line is wrong. Run "mcpauth <command> -h" for a command's flags.
//
// Install it with
//
//	go install github.com/mcp-auth/go/cmd/mcpauth@latest
//
// It depends on MCP Auth for Go's core module only (no web framework, no
// MCP SDK), and its checks are the library's own: check validates metadata
// with mcpauth.ValidateServerConfig, token asks the bearer middleware.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/check"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/probe"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/token"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `Usage:
  mcpauth check [flags] <issuer>     check an authorization server for use by an MCP server
  mcpauth probe [flags] <mcp-url>    probe an MCP server's authorization as a client would
  mcpauth token [flags] <jwt>        decode a token and say which check would refuse it
  mcpauth version                    print the version

Every command takes --json. Exit status: 0 all passed, 1 warnings, 2 failures, 64 usage.
Run "mcpauth <command> -h" for a command's flags.
`

// run is the command: args without the program name.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return report.ExitUsage
	}
	switch args[0] {
	case "check":
		return check.Run(ctx, args[1:], stdout, stderr)
	case "probe":
		return probe.Run(ctx, args[1:], stdout, stderr)
	case "token":
		return token.Run(ctx, args[1:], stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, "mcpauth", version())
		return report.ExitOK
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return report.ExitOK
	}
	fmt.Fprintf(stderr, "mcpauth: unknown command %q\n\n%s", args[0], usage)
	return report.ExitUsage
}

// version is the module version the binary was built from ("(devel)" for
// a build in the repository).
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
