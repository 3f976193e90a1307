package probe

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// Defaults of the flags.
const (
	// DefaultProtocolVersion is sent in MCP-Protocol-Version and in
	// initialize's protocolVersion.
	DefaultProtocolVersion = "2025-11-25"
	// DefaultTimeout bounds each HTTP request, reading its answer included.
	DefaultTimeout = 10 * time.Second
)

// options are the parsed command line.
type options struct {
	// target is the MCP endpoint's URL as given; targetURL is it parsed.
	target    string
	targetURL *url.URL

	clientID     string
	clientSecret string
	// scope is asked for with client credentials; scopeSet tells whether
	// -scope was given (even empty), else the challenge's scope is used.
	scope    string
	scopeSet bool
	token    string

	stepUpTool      string
	protocolVersion string
	timeout         time.Duration
	insecure        bool
	json            bool
}

// hasCredentials reports whether the authenticated checks can run.
func (o *options) hasCredentials() bool { return o.clientID != "" || o.token != "" }

// flagSet declares the flags into o.
func flagSet(o *options) *flag.FlagSet {
	fs := flag.NewFlagSet("mcpauth probe", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.clientID, "client-id", "", "client ID for a client_credentials token (client_secret_basic)")
	fs.StringVar(&o.clientSecret, "client-secret", "", "client secret of -client-id")
	fs.StringVar(&o.scope, "scope", "", "scope to ask for with client credentials (default: the 401 challenge's scope, else none)")
	fs.StringVar(&o.token, "token", "", "use this access token instead of client credentials")
	fs.StringVar(&o.stepUpTool, "step-up-tool", "", "call this tool without its scope and expect 403 insufficient_scope")
	fs.StringVar(&o.protocolVersion, "protocol-version", DefaultProtocolVersion, "MCP protocol version to send")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "limit of each HTTP request, reading the answer included (not of the whole run)")
	fs.BoolVar(&o.insecure, "insecure", false, "allow plain http off loopback for the authorization servers (discovery and token endpoint)")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	return fs
}

// usage is the help text of the command.
func usage() string {
	var b strings.Builder
	b.WriteString(`Usage: mcpauth probe [flags] <mcp-url>

Probe an MCP server's authorization as an MCP client would: the 401 and its
challenge, the protected resource metadata, the authorization servers, and
with credentials (-client-id/-client-secret or -token) initialize, tools/list,
invalid tokens and step-up (-step-up-tool).

Flags:
`)
	fs := flagSet(&options{})
	fs.SetOutput(&b)
	fs.PrintDefaults()
	b.WriteString("\nExit status: 0 all passed, 1 warnings, 2 failures, 64 usage.\n")
	return b.String()
}

// parseArgs parses the command line. It returns flag.ErrHelp for -h.
func parseArgs(args []string) (*options, error) {
	o := &options{}
	fs := flagSet(o)
	positional, err := report.ParseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "scope" {
			o.scopeSet = true
		}
	})
	if len(positional) != 1 {
		return nil, fmt.Errorf("want one <mcp-url>, got %d arguments", len(positional))
	}
	o.target = positional[0]
	if o.targetURL, err = parseTarget(o.target); err != nil {
		return nil, err
	}
	return o, o.check()
}

// parseTarget parses the MCP endpoint's URL: absolute http or https, with
// a host and no fragment (RFC 8707 §2: a resource has none).
func parseTarget(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return nil, fmt.Errorf("the MCP URL: %v", err)
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return nil, fmt.Errorf("the MCP URL %q must be an absolute http or https URL", s)
	case u.Host == "":
		return nil, fmt.Errorf("the MCP URL %q has no host", s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("the MCP URL %q must not have a fragment", s)
	}
	return u, nil
}

// check refuses combinations of flags that make no sense.
func (o *options) check() error {
	switch {
	case o.clientID != "" && o.clientSecret == "":
		return errors.New("-client-id needs -client-secret (client_credentials with client_secret_basic)")
	case o.clientSecret != "" && o.clientID == "":
		return errors.New("-client-secret needs -client-id")
	case o.token != "" && o.clientID != "":
		return errors.New("give -token or -client-id/-client-secret, not both")
	case o.stepUpTool != "" && !o.hasCredentials():
		return errors.New("-step-up-tool needs a token: give -client-id/-client-secret or -token")
	case o.timeout <= 0:
		return errors.New("-timeout must be positive")
	case strings.TrimSpace(o.protocolVersion) == "":
		return errors.New("-protocol-version must not be empty")
	}
	return nil
}
