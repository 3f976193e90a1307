package probe

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// initializeParams are the params of initialize (MCP Lifecycle): the
// protocol version asked for, no capabilities, and the probe's name.
func (p *prober) initializeParams() map[string]any {
	return map[string]any{
		"protocolVersion": p.protocolVersion,
		"capabilities":    map[string]any{},
		"clientInfo":      map[string]any{"name": "mcpauth-probe", "version": "1"},
	}
}

// unauthenticated sends initialize without a token, as every client's first
// request, and checks that it gets 401 and a usable challenge. It returns
// false when the server cannot be reached at all, so that nothing else is
// tried.
func (p *prober) unauthenticated(ctx context.Context) bool {
	ex, err := p.post(ctx, call{method: "initialize", params: p.initializeParams()})
	switch {
	case err != nil:
		p.add(report.Fail, "unauthenticated", specErrorHandling, "initialize without a token could not be sent: %v", err)
		return false
	case ex.status == http.StatusUnauthorized:
		p.add(report.Pass, "unauthenticated", specErrorHandling, "initialize without a token was refused with 401")
		p.readChallenge(ex.header)
	case ex.status/100 == 2:
		p.add(report.Fail, "unauthenticated", specErrorHandling,
			"initialize without a token answered %d: the server does not require authorization (401 expected)", ex.status)
	default:
		p.add(report.Fail, "unauthenticated", specErrorHandling,
			"initialize without a token answered %s; 401 expected", describeStatus(ex.status, ex.header, ex.body))
	}
	return true
}

// readChallenge parses the 401's WWW-Authenticate (every header line, as
// clients join them) and checks its Bearer challenge, its resource_metadata
// and its scope.
func (p *prober) readChallenge(header http.Header) {
	values := header.Values("WWW-Authenticate")
	if len(values) == 0 {
		p.add(report.Fail, "challenge", specChallenge,
			"the 401 has no WWW-Authenticate header: clients learn neither the metadata's URL nor the scope from it")
		return
	}
	raw := strings.Join(values, ", ")
	challenges, err := authtest.ParseChallenges(raw)
	if err != nil {
		f := p.add(report.Fail, "challenge", specChallenge, "WWW-Authenticate cannot be parsed as RFC 9110 challenges: %v", err)
		f.Details = []string{"WWW-Authenticate: " + clean(raw, 300)}
		return
	}
	bearer, dpop := findScheme(challenges, "Bearer"), findScheme(challenges, "DPoP")
	switch {
	case bearer >= 0:
		p.challenge = &challenges[bearer]
		p.judgeBearer(raw, bearer)
	case dpop >= 0:
		p.challenge, p.dpopOnly = &challenges[dpop], true
		f := p.add(report.Warn, "challenge", specDPoPScheme,
			"only a DPoP challenge: the server requires DPoP-bound tokens (RFC 9449), which clients of the published MCP revisions do not send")
		f.Details = []string{"WWW-Authenticate: " + clean(raw, 300),
			"skipped, since they need DPoP proofs this probe does not make: initialize, tools/list, invalid-token, forged-token, step-up"}
	default:
		f := p.add(report.Fail, "challenge", specChallenge, "no Bearer challenge in WWW-Authenticate (schemes: %s)", schemes(challenges))
		f.Details = []string{"WWW-Authenticate: " + clean(raw, 300)}
		return
	}
	p.checkResourceMetadataParam()
	p.checkChallengeScope()
}

// findScheme returns the index of the first challenge of scheme (compared
// case-insensitively, RFC 9110 §11.1), or -1.
func findScheme(challenges []authtest.Challenge, scheme string) int {
	for i, c := range challenges {
		if strings.EqualFold(c.Scheme, scheme) {
			return i
		}
	}
	return -1
}

// schemes lists the challenges' schemes.
func schemes(challenges []authtest.Challenge) string {
	var names []string
	for _, c := range challenges {
		names = append(names, clean(c.Scheme, 40))
	}
	return strings.Join(names, ", ")
}

// judgeBearer reports the Bearer challenge, the index-th of raw: a WARN
// when it is not first (the TypeScript SDK reads a WWW-Authenticate value
// only when it starts with "Bearer ") or carries an error code although the
// request had no credentials (RFC 6750 §3.1: it SHOULD NOT).
func (p *prober) judgeBearer(raw string, index int) {
	var warnings []string
	if index > 0 {
		warnings = append(warnings, "it is not the first challenge: the TypeScript SDK reads resource_metadata and scope only from a value that starts with Bearer")
	}
	if code, ok := p.challenge.Get("error"); ok {
		warnings = append(warnings, fmt.Sprintf("it carries error=%q for a request without credentials, which RFC 6750 §3.1 says it SHOULD NOT", clean(code, 60)))
	}
	names := p.challenge.Names()
	summary := "a Bearer challenge without parameters"
	if len(names) > 0 {
		summary = "a Bearer challenge with " + strings.Join(names, ", ")
	}
	status := report.Pass
	if len(warnings) > 0 {
		status, summary = report.Warn, summary+"; "+strings.Join(warnings, "; ")
	}
	f := p.add(status, "challenge", specChallenge, "%s", summary)
	f.Details = []string{"WWW-Authenticate: " + clean(raw, 300)}
}

// checkResourceMetadataParam checks the challenge's resource_metadata. Its
// absence is judged once the well-known locations have been tried
// (judgeMissingResourceMetadata).
func (p *prober) checkResourceMetadataParam() {
	v, ok := p.challenge.Get("resource_metadata")
	if !ok {
		return
	}
	p.metadataParam = true
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "https") && !strings.EqualFold(u.Scheme, "http")) {
		p.add(report.Fail, "resource_metadata", specResourceMetadataParam,
			"resource_metadata %q is not an absolute http(s) URL", clean(v, 200))
		return
	}
	p.metadataURL = v
	p.add(report.Pass, "resource_metadata", specResourceMetadataParam, "the challenge points to %s", clean(v, 200))
}

// checkChallengeScope tells which scope the challenge asks for: clients
// request exactly that first, and without it all of scopes_supported.
func (p *prober) checkChallengeScope() {
	if scope, ok := p.challenge.Get("scope"); ok {
		p.add(report.Info, "challenge-scope", specPRMDiscovery, "the challenge asks for scope %q, which clients request first", clean(scope, 200))
		return
	}
	p.add(report.Info, "challenge-scope", specScopeSelection,
		"the challenge names no scope (servers SHOULD send one): clients will ask for all of scopes_supported")
}
