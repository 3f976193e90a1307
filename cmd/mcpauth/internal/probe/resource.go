package probe

import (
	"net/url"
	"strings"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// checkResource checks that the metadata clients use is for this server:
// its resource must be the URL, or allowed for it by the TypeScript SDK's
// rule (resourceAllowed); clients refuse the metadata otherwise.
func (p *prober) checkResource() {
	if p.metadata == nil {
		return
	}
	resource := p.metadata.Resource
	exact, allowed := resourceAllowed(p.opts.targetURL, p.opts.target, resource)
	from := "the metadata at " + p.metadataFrom
	switch {
	case exact:
		p.add(report.Pass, "resource", specPRMValidation, "resource is the URL (%s)", from)
	case allowed:
		p.add(report.Pass, "resource", specPRMValidation,
			"resource %s is an origin-and-path prefix of the URL, which the TypeScript SDK accepts (%s); RFC 9728 §3.3 asks for the URL itself",
			clean(resource, 200), from)
	default:
		p.add(report.Fail, "resource", specPRMValidation,
			"resource %q is neither the URL nor an origin-and-path prefix of it: clients refuse this metadata (%s)",
			clean(resource, 200), from)
	}
	if u, err := url.Parse(resource); err == nil && strings.EqualFold(u.Scheme, "http") && !isLoopback(u.Hostname()) {
		p.add(report.Warn, "resource-https", specPRMFields,
			"resource %s is a plain http URL off loopback: RFC 9728 wants an https resource identifier", clean(resource, 200))
	}
}

// resourceAllowed reports whether resource, a metadata document's resource
// identifier, is target itself (exact) and whether an MCP client accepts
// it for target (allowed).
//
// allowed follows the TypeScript SDK, the strictest widely used client:
// checkResourceAllowed in @modelcontextprotocol/sdk 1.32.2
// (dist/esm/shared/auth-utils.js, called by selectResourceURL in
// dist/esm/client/auth.js, which throws when it fails). The two must have
// the same origin (scheme, host and port, compared as Web origins:
// lowercased, default port dropped), the target's path must be at least as
// long as the resource's, and with a "/" appended to each path that lacks
// one, the target's path must start with the resource's. So /mcp allows
// /mcp and /mcp/x but not /mcp2, and a resource at the root allows every
// path. Queries are ignored, as there.
func resourceAllowed(target *url.URL, targetRaw, resource string) (exact, allowed bool) {
	exact = resource == targetRaw
	r, err := url.Parse(resource)
	if err != nil || r.Host == "" || origin(r) != origin(target) {
		return exact, false
	}
	requested, configured := pathOf(target), pathOf(r)
	if len(requested) < len(configured) {
		return exact, false
	}
	return exact, strings.HasPrefix(withSlash(requested), withSlash(configured))
}

// pathOf is u's escaped path, "/" when empty (as a WHATWG URL's pathname).
func pathOf(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// withSlash appends "/" to p unless it ends with one.
func withSlash(p string) string {
	if strings.HasSuffix(p, "/") {
		return p
	}
	return p + "/"
}
