package check

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// DefaultTimeout bounds a whole run unless -timeout says otherwise.
const DefaultTimeout = 10 * time.Second

// placeholderResource stands for the MCP server's resource identifier when
// -resource is not given: in the Go configuration printed, and where the
// library needs one to check a key set or a token's other claims.
const placeholderResource = "https://mcp.example.com/mcp"

// options are the command line of "mcpauth check".
type options struct {
	// issuer is the authorization server's issuer identifier, as given.
	issuer string
	// typ is the discovery type: auto (the MCP order), oauth or oidc.
	typ mcpauth.ServerType
	// clientID and clientSecret, when set, are used for a client_credentials
	// token request (RFC 6749 §4.4) with client_secret_basic.
	clientID, clientSecret string
	// resource is the MCP server's resource identifier, asked for with the
	// token (RFC 8707) and used as the audience the library expects.
	resource string
	// scope is the scope asked for with the token.
	scope string
	// timeout bounds the whole run.
	timeout time.Duration
	// insecure allows plain http to hosts that are not loopback.
	insecure bool
	// json prints the report as JSON.
	json bool
}

const usageText = `Usage: mcpauth check [flags] <issuer>

Checks whether the authorization server <issuer> works for an MCP server
protected by MCP Auth for Go: metadata discovery in the MCP order (every URL
tried and what it answered), issuer equality, every validation finding with
its code, the key set, the provider quirks visible in its metadata and, with
-client-id and -client-secret, in a real client-credentials token; then it
prints the Go configuration that works with this provider.

Exit status: 0 usable, 1 usable with warnings, 2 not usable, 64 usage.

Flags (before or after <issuer>):
`

// parseOptions reads the command line. It returns ok false when the run
// should stop at once, with the exit status to return: ExitOK after -h
// (usage on stdout), ExitUsage after a mistake (a message and the usage on
// stderr).
func parseOptions(args []string, stdout, stderr io.Writer) (opts *options, status int, ok bool) {
	opts = &options{}
	var typ string
	fs := opts.flagSet(&typ)
	usage := func(w io.Writer) {
		fmt.Fprint(w, usageText)
		fs.SetOutput(w)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	fail := func(format string, a ...any) (*options, int, bool) {
		fmt.Fprintf(stderr, "mcpauth check: "+format+"\n\n", a...)
		usage(stderr)
		return nil, report.ExitUsage, false
	}
	positional, err := report.ParseArgs(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		usage(stdout)
		return nil, report.ExitOK, false
	}
	if err != nil {
		return fail("%v", err)
	}
	if len(positional) != 1 {
		return fail("want exactly one issuer, got %d arguments", len(positional))
	}
	opts.issuer = positional[0]
	if opts.typ, err = mcpauth.ParseServerType(typ); err != nil {
		return fail("-type: %s", strings.TrimPrefix(err.Error(), "mcpauth: "))
	}
	if msg := opts.check(); msg != "" {
		return fail("%s", msg)
	}
	return opts, 0, true
}

// flagSet defines the flags, writing into o (and typ, for -type).
func (o *options) flagSet(typ *string) *flag.FlagSet {
	fs := flag.NewFlagSet("mcpauth check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(typ, "type", "auto", "discovery `type`: auto (the MCP order), oauth (RFC 8414) or oidc (OpenID Connect)")
	fs.StringVar(&o.clientID, "client-id", "", "client ID for a client_credentials token request")
	fs.StringVar(&o.clientSecret, "client-secret", "", "client secret for the token request (client_secret_basic)")
	fs.StringVar(&o.resource, "resource", "", "the MCP server's resource identifier (`URL`): asked for with the token (RFC 8707), the audience the library expects")
	fs.StringVar(&o.scope, "scope", "", "scope to ask for with the token (space-separated)")
	fs.DurationVar(&o.timeout, "timeout", DefaultTimeout, "bound of the whole run")
	fs.BoolVar(&o.insecure, "insecure", false, "allow plain http to hosts that are not loopback")
	fs.BoolVar(&o.json, "json", false, "print the report as JSON")
	return fs
}

// check returns what is wrong with the options, or "". The issuer and the
// resource are checked by the library's own rules.
func (o *options) check() string {
	if _, err := mcpauth.DiscoveryURLs(o.issuer, o.typ); err != nil {
		return strings.TrimPrefix(err.Error(), "mcpauth: ")
	}
	switch {
	case o.timeout <= 0:
		return "-timeout must be positive"
	case o.clientSecret != "" && o.clientID == "":
		return "-client-secret needs -client-id"
	case o.clientID != "" && o.clientSecret == "":
		return "-client-id needs -client-secret (a client_credentials request needs a confidential client)"
	case o.scope != "" && o.clientID == "":
		return "-scope is asked for with a token: it needs -client-id and -client-secret"
	}
	if o.resource != "" {
		if err := checkResource(o.resource); err != nil {
			return "-resource: " + strings.TrimPrefix(err.Error(), "mcpauth: ")
		}
	}
	return ""
}

// checkResource applies the library's rules for a resource identifier by
// configuring a resource with it: [mcpauth.New] never touches the network.
func checkResource(resource string) error {
	as := mcpauth.DiscoverAuthServer("https://issuer.invalid", mcpauth.ServerTypeAuto, nil)
	auth, err := mcpauth.New(mcpauth.Config{
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource},
			AuthServers: []*mcpauth.AuthServer{as},
		}},
		Logger: quietLogger,
	})
	if err != nil {
		return err
	}
	return auth.Close()
}

// quietLogger discards the library's log lines: what they say, the report
// says.
var quietLogger = slog.New(slog.DiscardHandler)

// withTimeout returns ctx bounded by the run's timeout.
func (o *options) withTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, o.timeout)
}
