package probe

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// Run is "mcpauth probe": args are the command's arguments (without
// "probe"), the report goes to stdout, usage errors to stderr. It returns
// the exit status: report.ExitOK, ExitWarnings, ExitFailed or ExitUsage.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage())
		return report.ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcpauth probe: %v\n\n%s", err, usage())
		return report.ExitUsage
	}
	r := probe(ctx, opts)
	if err := r.Write(stdout, opts.json); err != nil {
		fmt.Fprintf(stderr, "mcpauth probe: %v\n", err)
		return report.ExitFailed
	}
	return r.ExitStatus
}

// prober is one run of the probe: the options, the client, the report, and
// what was learned along the way.
type prober struct {
	opts   *options
	client *http.Client
	r      *report.Report

	// protocolVersion is sent in MCP-Protocol-Version: the flag's, then
	// the one the server chose in initialize.
	protocolVersion string
	// lastID is the last JSON-RPC id used.
	lastID int64
	// session is the Mcp-Session-Id the server assigned, if any.
	session string

	// challenge is the 401's Bearer challenge (or its DPoP one when
	// dpopOnly); nil when there was none.
	challenge *authtest.Challenge
	dpopOnly  bool
	// metadataParam tells that the challenge had resource_metadata, and
	// metadataURL is its value when it is a usable URL.
	metadataParam bool
	metadataURL   string
	// metadata is the protected resource metadata clients would use, and
	// metadataFrom where it was found; nil when none could be read.
	metadata     *mcpauth.ProtectedResourceMetadata
	metadataFrom string
	// servers are the authorization servers discovered, in the order of
	// authorization_servers (nil for one that failed).
	servers []*mcpauth.ServerConfig
	// grantedScope is the scope the token endpoint said it granted.
	grantedScope string
}

// probe runs every check on opts.target and returns the finished report.
func probe(ctx context.Context, opts *options) *report.Report {
	p := &prober{
		opts:            opts,
		client:          newClient(opts.timeout),
		r:               report.New("probe", opts.target),
		protocolVersion: opts.protocolVersion,
	}
	defer p.client.CloseIdleConnections()
	if p.unauthenticated(ctx) {
		p.discoverMetadata(ctx)
		p.checkResource()
		p.checkAuthorizationServers(ctx)
		p.checkAdvertised()
		p.authenticated(ctx)
	}
	p.r.Finish("all passed", "passed with warnings", "failed")
	return p.r
}

// add records a finding.
func (p *prober) add(status report.Status, check, spec, format string, args ...any) *report.Finding {
	p.r.Addf(status, check, spec, format, args...)
	return &p.r.Findings[len(p.r.Findings)-1]
}
