package check

import (
	"context"
	"errors"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// attempt is one well-known URL tried during discovery, and what it gave.
type attempt struct {
	// url is the well-known URL.
	url string
	// cfg is the metadata, when it is usable (parsed, and naming the issuer).
	cfg *mcpauth.ServerConfig
	// err says why it is not.
	err error
	// received is true when a JSON object arrived.
	received bool
	// noResponseTypes is true when that object had no
	// response_types_supported (a member RFC 8414 §2 requires).
	noResponseTypes bool
	// repaired is true when response_types_supported was added before parsing.
	repaired bool
}

// discover tries the well-known URLs of the issuer in the order of the
// library (the MCP order for -type auto), stopping at the first usable
// document as MCP clients and the library do; when none is, it tries again
// the first that lacked only response_types_supported, with the repair a
// Transpile hook would make. It reports what each URL answered and the
// issuer comparison, and returns whether metadata was found.
func (c *checker) discover(ctx context.Context) bool {
	urls, err := mcpauth.DiscoveryURLs(c.opts.issuer, c.opts.typ)
	if err != nil { // checked with the options; kept for safety
		c.r.Addf(report.Fail, "discovery", "RFC 8414 §3", "No discovery URL can be built: %s.", cleanErr(err))
		return false
	}
	tried, used := c.walk(ctx, urls)
	var repaired *attempt
	if used < 0 && ctx.Err() == nil {
		repaired = c.repair(ctx, tried)
		if repaired != nil && errors.Is(repaired.err, mcpauth.ErrInvalidServerMetadata) {
			repaired = nil // it lacks more than response_types_supported: nothing to add
		}
	}
	c.reportDiscovery(urls, tried, used, repaired)
	c.reportIssuer(tried, used, repaired)
	switch {
	case used >= 0:
		c.use(tried[used])
	case repaired != nil && repaired.err == nil:
		c.use(*repaired)
		c.plan.transpile = true
	default:
		return false
	}
	return true
}

// walk fetches urls in order until one gives usable metadata, and returns
// every attempt with the index of the usable one (-1 when none is).
func (c *checker) walk(ctx context.Context, urls []string) ([]attempt, int) {
	var tried []attempt
	for _, u := range urls {
		a := c.fetchAt(ctx, u, false)
		tried = append(tried, a)
		if a.err == nil {
			return tried, len(tried) - 1
		}
		if ctx.Err() != nil {
			break
		}
	}
	return tried, -1
}

// fetchAt fetches the metadata at u with the library, and compares its
// issuer with the one given, as the library's discovery does for each URL
// (FetchServerConfigByWellKnownURL compares none, having no issuer to
// compare with). With repair, a missing response_types_supported is added
// before parsing, as a Transpile hook in the Go configuration would.
func (c *checker) fetchAt(ctx context.Context, u string, repair bool) attempt {
	a := attempt{url: u}
	hook := func(doc map[string]any) (map[string]any, error) {
		a.received = true
		a.noResponseTypes = lacksResponseTypes(doc)
		if repair && a.noResponseTypes {
			doc["response_types_supported"] = []any{"code"}
			a.repaired = true
		}
		return doc, nil
	}
	opts := &mcpauth.DiscoveryOptions{HTTPClient: c.client, AllowInsecureHTTP: c.opts.insecure, Transpile: hook}
	a.cfg, a.err = mcpauth.FetchServerConfigByWellKnownURL(ctx, u, c.urlType(u), opts)
	if a.err == nil && a.cfg.Metadata.Issuer != c.opts.issuer {
		a.err = &mcpauth.IssuerMismatchError{URL: u, Expected: c.opts.issuer, Actual: a.cfg.Metadata.Issuer}
		a.cfg = nil
	}
	return a
}

// lacksResponseTypes reports whether doc has no response_types_supported,
// a null one or an empty list: what a Transpile hook may repair.
func lacksResponseTypes(doc map[string]any) bool {
	v, ok := doc["response_types_supported"]
	if !ok || v == nil {
		return true
	}
	list, isList := v.([]any)
	return isList && len(list) == 0
}

// repair refetches the first document that was unusable only for want of
// response_types_supported, adding it. It returns nil when there is none.
func (c *checker) repair(ctx context.Context, tried []attempt) *attempt {
	for _, a := range tried {
		if a.received && a.noResponseTypes && errors.Is(a.err, mcpauth.ErrInvalidServerMetadata) {
			again := c.fetchAt(ctx, a.url, true)
			return &again
		}
	}
	return nil
}

// use takes the metadata of a, and the discovery type that reaches it for
// the Go configuration.
func (c *checker) use(a attempt) {
	c.cfg = a.cfg
	c.plan.typ = c.configType(a.url)
	md := &c.cfg.Metadata
	c.plan.insecure = plainHTTP(c.opts.issuer) || plainHTTP(md.JWKSURI) || plainHTTP(md.IntrospectionEndpoint)
}

// urlType is the kind of document at u: OpenID Connect for the
// openid-configuration URLs, RFC 8414 for the other.
func (c *checker) urlType(u string) mcpauth.ServerType {
	if c.opts.typ != mcpauth.ServerTypeAuto {
		return c.opts.typ
	}
	if oauth, err := mcpauth.DiscoveryURLs(c.opts.issuer, mcpauth.ServerTypeOAuth); err == nil && oauth[0] == u {
		return mcpauth.ServerTypeOAuth
	}
	return mcpauth.ServerTypeOIDC
}

// configType is the discovery type that fetches u first: oauth or oidc when
// u is that type's only URL, else auto (the OpenID Connect inserted URL,
// which only the MCP order tries).
func (c *checker) configType(u string) mcpauth.ServerType {
	for _, t := range []mcpauth.ServerType{mcpauth.ServerTypeOAuth, mcpauth.ServerTypeOIDC} {
		if urls, err := mcpauth.DiscoveryURLs(c.opts.issuer, t); err == nil && urls[0] == u {
			return t
		}
	}
	return mcpauth.ServerTypeAuto
}
