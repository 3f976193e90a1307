// Package check is "mcpauth check <issuer>": will this authorization
// server work for an MCP server protected by MCP Auth for Go, and how must
// the library be configured for it?
//
// It reports, as findings of package report: discovery in the MCP order
// (every well-known URL tried and what it answered), issuer equality, every
// validation finding of the library with its code, the key set, the
// provider quirks visible in the metadata and, with client credentials, in
// a real access token, which the library's own bearer middleware then
// judges; and it prints the Go configuration that works with the provider.
// Every rule is the library's: discovery URLs from mcpauth.DiscoveryURLs,
// fetches by mcpauth.FetchServerConfigByWellKnownURL, findings from
// mcpauth.ValidateServerConfig, key sets judged by Auth.Check, and tokens
// by Bearer.Authenticate.
package check

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// Run is the check command, as main calls it: args are the arguments after
// "check". It writes the report to stdout (JSON with -json), command-line
// mistakes to stderr, and returns the exit status: report.ExitOK when the
// server is usable, ExitWarnings when usable with warnings, ExitFailed when
// not usable, ExitUsage for a bad command line.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, status, ok := parseOptions(args, stdout, stderr)
	if !ok {
		return status
	}
	r := runCheck(ctx, opts)
	if err := r.Write(stdout, opts.json); err != nil {
		fmt.Fprintf(stderr, "mcpauth check: writing the report: %v\n", err)
	}
	return r.ExitStatus
}

// runCheck makes every check of opts, within the run's timeout, and returns
// the finished report.
func runCheck(ctx context.Context, opts *options) *report.Report {
	ctx, cancel := opts.withTimeout(ctx)
	defer cancel()
	c := &checker{opts: opts, client: opts.newClient(), r: report.New("check", opts.issuer)}
	c.plan = goPlan{issuer: opts.issuer, resource: opts.resource}
	c.run(ctx)
	c.r.Finish("usable", "usable with warnings", "not usable")
	return c.r
}

// checker is one run: its options, its HTTP client, the report it fills,
// what it learnt so far, and the Go configuration it is working out.
type checker struct {
	opts   *options
	client *http.Client
	r      *report.Report
	// cfg is the metadata in use once discovery found it.
	cfg *mcpauth.ServerConfig
	// plan is what the printed Go configuration needs.
	plan goPlan
}

// run makes the checks in order. Without usable metadata nothing else can
// be checked, and no configuration can be printed.
func (c *checker) run(ctx context.Context) {
	if c.discover(ctx) {
		c.validate()
		c.checkKeySet(ctx)
		c.metadataQuirks()
		if c.opts.clientID != "" {
			c.checkToken(ctx)
		}
		c.r.AddSection(report.Section{Name: "Go configuration", Text: c.plan.code()})
	}
	c.noteCutShort(ctx)
}

// noteCutShort adds a failure when the run was stopped by its timeout or
// interrupted, since the findings before it may be incomplete.
func (c *checker) noteCutShort(ctx context.Context) {
	switch err := ctx.Err(); {
	case errors.Is(err, context.DeadlineExceeded):
		c.r.Addf(report.Fail, "timeout", "", "The run did not finish within %s (-timeout): the findings above are incomplete, and an authorization server this slow makes MCP clients and the resource server time out too.", c.opts.timeout)
	case err != nil:
		c.r.Addf(report.Fail, "interrupted", "", "The run was interrupted: the findings above are incomplete.")
	}
}
