package probe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// offlineAccess is the scope that asks for a refresh token.
const offlineAccess = "offline_access"

// checkAdvertised checks what the metadata advertises besides the
// authorization servers: scopes, bearer methods, DPoP.
func (p *prober) checkAdvertised() {
	if p.metadata == nil {
		return
	}
	p.checkOfflineAccess()
	p.checkBearerMethods()
	p.checkDPoPMetadata()
}

// checkOfflineAccess checks that offline_access is neither in
// scopes_supported nor in the challenge's scope.
//
// It is a WARN, not a FAIL: MCP 2026-07-28 makes it a SHOULD NOT, and only
// from that revision on; a client that asks for offline_access still gets
// an access token (the authorization server decides about refresh tokens),
// so nothing breaks. But clients request all of scopes_supported when the
// challenge names no scope, so advertising it makes every client ask for
// a refresh token as if the resource needed one, and some authorization
// servers then refuse clients not allowed to have one.
func (p *prober) checkOfflineAccess() {
	var where []string
	if slices.Contains(p.metadata.ScopesSupported, offlineAccess) {
		where = append(where, "scopes_supported")
	}
	if p.challenge != nil {
		if scope, ok := p.challenge.Get("scope"); ok && slices.Contains(strings.Fields(scope), offlineAccess) {
			where = append(where, "the challenge's scope")
		}
	}
	if len(where) > 0 {
		p.add(report.Warn, "offline_access", specOfflineAccess,
			"offline_access is advertised in %s: refresh tokens are not a resource's requirement; leave it out", strings.Join(where, " and "))
		return
	}
	if len(p.metadata.ScopesSupported) == 0 {
		p.add(report.Pass, "offline_access", specOfflineAccess, "no scopes_supported, so no offline_access")
		return
	}
	p.add(report.Pass, "offline_access", specOfflineAccess, "scopes_supported (%s) leaves out offline_access",
		clean(strings.Join(p.metadata.ScopesSupported, " "), 200))
}

// checkBearerMethods checks bearer_methods_supported: MCP clients send the
// token only in the Authorization header (MCP 2025-11-25 Authorization
// §9.1 forbids the query string), so anything else advertised is a WARN;
// its absence is INFO (RFC 9728 §2: nothing is implied).
func (p *prober) checkBearerMethods() {
	methods := p.metadata.BearerMethodsSupported
	switch {
	case methods == nil:
		p.add(report.Info, "bearer_methods", specPRMFields,
			"bearer_methods_supported is not stated; MCP clients send the token in the Authorization header")
	case len(methods) > 0 && !slices.ContainsFunc(methods, func(m string) bool { return m != "header" }):
		p.add(report.Pass, "bearer_methods", specPRMFields, "bearer_methods_supported is [\"header\"]")
	default:
		p.add(report.Warn, "bearer_methods", specPRMFields,
			"bearer_methods_supported is %s: MCP clients send tokens only in the Authorization header, never in the query string (%s)",
			clean(fmt.Sprintf("%q", methods), 200), specTokenUsage+".1")
	}
}

// checkDPoPMetadata tells which DPoP support the metadata advertises
// (RFC 9449, not yet in a published MCP revision), when it does.
func (p *prober) checkDPoPMetadata() {
	md := p.metadata
	if len(md.DPoPSigningAlgValuesSupported) == 0 && md.DPoPBoundAccessTokensRequired == nil {
		return
	}
	required := md.DPoPBoundAccessTokensRequired != nil && *md.DPoPBoundAccessTokensRequired
	p.add(report.Info, "dpop", specPRMFields, "DPoP: dpop_signing_alg_values_supported %s, dpop_bound_access_tokens_required %v",
		clean(strings.Join(md.DPoPSigningAlgValuesSupported, " "), 200), required)
}
