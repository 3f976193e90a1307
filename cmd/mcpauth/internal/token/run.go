package token

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/jwtview"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// stdin is where "-" reads the token from; tests replace it.
var stdin io.Reader = os.Stdin

// maxInput bounds what is read from standard input: far above any real
// token (the library refuses those over 16 KiB).
const maxInput = 1 << 20

// usage is the command's help.
const usage = `Usage:
  mcpauth token [flags] -        read the token from standard input (preferred)
  mcpauth token [flags] <jwt>    the token as an argument

Decodes a JWT access token without trusting it and explains its header and
claims. Given -resource and -issuer, asks MCP Auth for Go's bearer middleware
(the library itself, configured as an MCP server would be) whether it would
accept the token, and if not which check refuses it, why, what the client
would receive, and what to change.

A token is a credential: given as an argument, it lands in your shell history
and in the process list. Prefer standard input:
  pbpaste | mcpauth token -resource https://mcp.example.com/mcp -issuer https://auth.example.com -
  mcpauth token - < token.txt

Flags:
  -resource URL   the MCP server's resource identifier (the audience tokens must carry)
  -issuer URL     the authorization server the MCP server trusts, exactly as in its metadata
  -type TYPE      how that server's metadata is discovered: auto, oauth or oidc (default auto)
  -scope SCOPES   scopes every request needs, space-separated (optional)
  -timeout D      bound on fetching metadata and keys (default 10s)
  -insecure       allow plain-http metadata and key sets off loopback
  -json           print the report as JSON

Exit status: 0 accepted (or decoded without findings to worry about),
1 warnings only, 2 refused or not a JWT, 64 usage error.
`

// options are the parsed command line.
type options struct {
	target
	token  string // the token, trimmed
	asJSON bool
}

// Run is "mcpauth token": args are the arguments after "token". It writes
// the report to stdout, usage errors to stderr, and returns the exit
// status ([report.ExitOK], [report.ExitWarnings], [report.ExitFailed] or
// [report.ExitUsage]). "-" reads the token from standard input.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, args, stdin, stdout, stderr)
}

// run is Run reading "-" from in.
func run(ctx context.Context, args []string, in io.Reader, stdout, stderr io.Writer) int {
	opts, err := parse(args, in)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		return report.ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "mcpauth token: %v\n\n%s", err, usage)
		return report.ExitUsage
	}
	var mw *middleware
	if opts.resource != "" {
		if mw, err = newMiddleware(opts.target); err != nil {
			fmt.Fprintf(stderr, "mcpauth token: the library refuses this configuration: %v\n", err)
			return report.ExitUsage
		}
		defer mw.Close()
	}
	r := inspect(ctx, opts, mw, time.Now())
	if err := r.Write(stdout, opts.asJSON); err != nil {
		fmt.Fprintf(stderr, "mcpauth token: %v\n", err)
		return report.ExitFailed
	}
	return r.ExitStatus
}

// parse reads the command line, and the token from in for "-".
func parse(args []string, in io.Reader) (*options, error) {
	fs := flag.NewFlagSet("mcpauth token", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	o := &options{}
	fs.StringVar(&o.resource, "resource", "", "")
	fs.StringVar(&o.issuer, "issuer", "", "")
	typ := fs.String("type", "auto", "")
	scope := fs.String("scope", "", "")
	fs.DurationVar(&o.timeout, "timeout", 10*time.Second, "")
	fs.BoolVar(&o.insecure, "insecure", false, "")
	fs.BoolVar(&o.asJSON, "json", false, "")
	positional, err := report.ParseArgs(fs, args)
	if err != nil {
		return nil, err
	}
	switch len(positional) {
	case 0:
		return nil, errors.New(`no token: give it as the argument, or "-" to read it from standard input`)
	case 1:
	default:
		return nil, fmt.Errorf("one token expected, got %d arguments", len(positional))
	}
	if (o.resource == "") != (o.issuer == "") {
		return nil, errors.New("-resource and -issuer go together: give both to check the token, or neither to decode it only")
	}
	if o.typ, err = mcpauth.ParseServerType(*typ); err != nil {
		return nil, fmt.Errorf("-type %q: want auto, oauth or oidc", *typ)
	}
	if o.timeout <= 0 {
		return nil, fmt.Errorf("-timeout %s: must be positive", o.timeout)
	}
	o.scopes = strings.Fields(*scope)
	if o.token, err = readToken(positional[0], in); err != nil {
		return nil, err
	}
	return o, nil
}

// readToken returns the token arg names: arg itself, or for "-" what in
// holds. Surrounding white space, and a "Bearer " prefix copied from a
// header, are dropped.
func readToken(arg string, in io.Reader) (string, error) {
	tok := arg
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(in, maxInput+1))
		if err != nil {
			return "", fmt.Errorf("reading the token from standard input: %w", err)
		}
		if len(b) > maxInput {
			return "", fmt.Errorf("standard input holds more than %d bytes: not a token", maxInput)
		}
		tok = string(b)
	}
	tok = strings.TrimSpace(tok)
	if scheme, rest, ok := strings.Cut(tok, " "); ok && strings.EqualFold(scheme, "Bearer") {
		tok = strings.TrimSpace(rest)
	}
	if tok == "" {
		if arg == "-" {
			return "", errors.New("standard input holds no token")
		}
		return "", errors.New("the token is empty")
	}
	return tok, nil
}

// inspect makes the report on opts.token: the untrusted decoding, then,
// with mw, the middleware's verdict. now is the time findings are made at.
func inspect(ctx context.Context, opts *options, mw *middleware, now time.Time) *report.Report {
	d, derr := jwtview.Decode(opts.token)
	target := fmt.Sprintf("(%d bytes, not a JWT)", len(opts.token))
	if derr == nil {
		alg, _, _ := jwtview.StringMember(d.Header, "alg")
		target = fmt.Sprintf("(a %d-byte JWT, alg %q)", len(opts.token), alg)
	}
	r := report.New("token", target)
	if derr != nil {
		r.Add(report.Finding{Status: report.Fail, Check: "jwt", Spec: "RFC 7519 §7.2", Summary: "not a JWT: " + derr.Error(),
			Details: []string{"an opaque (non-JWT) access token can only be checked by asking its authorization server, by introspection (RFC 7662): mcpauth.NewIntrospectionVerifier"}})
		d = nil
	} else {
		explain(r, d, now, opts.issuer, opts.resource)
	}
	if mw == nil {
		r.Add(report.Finding{Status: report.Info, Check: "middleware",
			Summary: "only decoded: nothing was verified; give -resource and -issuer to ask the bearer middleware whether it would accept this token"})
	} else {
		ctx, cancel := context.WithTimeout(ctx, opts.timeout)
		defer cancel()
		r.Add(mw.verdict(ctx, opts.token, d, now))
	}
	if mw == nil {
		// Nothing was accepted or refused: say so rather than "accepted".
		r.Finish("decoded, not verified", "decoded, not verified, with warnings", "not a JWT")
	} else {
		r.Finish("accepted", "accepted with warnings", "refused")
	}
	return r
}
