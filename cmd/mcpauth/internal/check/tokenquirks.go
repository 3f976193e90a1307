package check

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// tokenQuirks reports what the token shows: its format, then for a JWT its
// type, issuer, audience, scopes and key binding. v is the library's
// verdict, which settles what the token's claims alone cannot.
func (c *checker) tokenQuirks(d decodedToken, v *verdict) {
	if d.format != formatJWT {
		c.notJWT(d)
		return
	}
	c.typQuirk(d)
	c.issQuirk(d)
	c.audQuirk(d, v)
	c.scopeQuirk(d, v)
	c.cnfQuirk(d)
}

// notJWT reports an opaque or encrypted token.
func (c *checker) notJWT(d decodedToken) {
	md := &c.cfg.Metadata
	what := "opaque (not a JWT)"
	if d.format == formatJWE {
		what = "an encrypted JWT (JWE), which only its audience can read"
	}
	f := report.Finding{Check: "token_format", Spec: "RFC 7662"}
	switch {
	case md.IntrospectionEndpoint != "":
		f.Status = report.Info
		f.Summary = fmt.Sprintf("The access token is %s: the library can verify it only by introspection at %s (mcpauth.NewIntrospectionVerifier).", what, clean(md.IntrospectionEndpoint))
	default:
		f.Status = report.Warn
		f.Summary = fmt.Sprintf("The access token is %s, and the server has no introspection endpoint: the library can verify it only through a mcpauth.VerifierFunc of yours.", what)
	}
	if c.opts.resource == "" {
		f.Summary += " Some servers issue JWTs only for a resource indicator (RFC 8707): try again with -resource."
	} else if md.IntrospectionEndpoint != "" {
		c.plan.verifier = introspectionVerifier
	} else {
		c.plan.verifier = funcVerifier
	}
	if d.problem != "" {
		f.Details = append(f.Details, "three parts, but "+clean(d.problem))
	}
	c.r.Add(f)
}

// typQuirk reports the JWT header's typ (RFC 9068 §2.1).
func (c *checker) typQuirk(d decodedToken) {
	const spec = "RFC 9068 §2.1"
	typ := stringOf(d.header["typ"])
	switch strings.ToLower(typ) {
	case "at+jwt", "application/at+jwt":
		c.r.Addf(report.Pass, "token_type", spec, "The token's typ is %q, as RFC 9068 asks.", clean(typ))
	case "":
		c.r.Addf(report.Info, "token_type", spec, "The token has no typ header: the library accepts it by default; BearerOptions.RequireTokenType would refuse it.")
	default:
		c.r.Addf(report.Info, "token_type", spec, "The token's typ is %q, not at+jwt: the library accepts it by default; BearerOptions.RequireTokenType would refuse it.", clean(typ))
	}
}

// issQuirk fails a token whose iss is not the issuer: the library refuses
// it (invalid_issuer).
func (c *checker) issQuirk(d decodedToken) {
	const spec = "RFC 9068 §4"
	iss := d.claim("iss")
	switch {
	case iss == c.opts.issuer:
		c.r.Addf(report.Pass, "token_issuer", spec, "The token's iss is the issuer.")
	case iss == "":
		c.r.Addf(report.Fail, "token_issuer", spec, "The token has no iss claim: the library cannot tell which server issued it, and refuses it.")
	default:
		f := report.Finding{Status: report.Fail, Check: "token_issuer", Spec: spec, Code: string(mcpauth.CodeInvalidIssuer),
			Summary: fmt.Sprintf("The token's iss %q is not the issuer %q: the library refuses it (invalid_issuer), since only the issuer's keys may verify its tokens.", clean(iss), clean(c.opts.issuer))}
		if strings.HasPrefix(iss, "https://sts.windows.net/") {
			f.Summary += " It is an Entra ID v1.0 token: set requestedAccessTokenVersion to 2 in the manifest of the API's app registration, so that its tokens carry the v2.0 issuer."
		}
		c.r.Add(f)
	}
}

// guid matches a GUID, which Entra ID uses as an application ID.
var guid = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// audQuirk reports the token's audience (RFC 9068 §3, RFC 8707 §2), and
// records the configuration it needs.
func (c *checker) audQuirk(d decodedToken, v *verdict) {
	aud, has := d.audience()
	if !has {
		c.noAudience(v)
		return
	}
	hints := audienceHints(aud)
	switch {
	case c.opts.resource != "" && v.first.info != nil:
		c.r.Addf(report.Pass, "token_audience", "RFC 8707 §2", "The token's aud %s names the resource asked for.", quoteList(aud))
	case c.opts.resource != "" && v.first.refusal != nil && v.first.refusal.Code == mcpauth.CodeInvalidAudience:
		c.plan.audiences = aud
		c.r.Addf(report.Warn, "token_audience", "RFC 8707 §2",
			"The token's aud %s is not the resource asked for, %s: the resource indicator was ignored.%s Set BearerOptions.Audiences to it (the Go configuration does), or have the authorization server put the resource in aud.",
			quoteList(aud), clean(c.opts.resource), hints)
	case c.opts.resource != "":
		c.r.Addf(report.Info, "token_audience", "RFC 8707 §2", "The token's aud is %s (the library's verdict, below, rests on other grounds).%s", quoteList(aud), hints)
	default:
		if slices.ContainsFunc(aud, func(a string) bool { return !isHTTPURL(a) }) {
			c.plan.audiences = aud
		}
		c.r.Addf(report.Info, "token_audience", "RFC 8707 §2",
			"The token's aud is %s: the MCP server's resource identifier must be one of these, or BearerOptions.Audiences must name them; pass -resource to check.%s", quoteList(aud), hints)
	}
}

// noAudience warns about a token without aud, which the library accepts
// only for the client IDs of ProtectedResource.NoAudienceClientIDs.
func (c *checker) noAudience(v *verdict) {
	client := c.opts.clientID
	if info := v.identity(); info != nil && info.ClientID != "" {
		client = info.ClientID
	}
	f := report.Finding{Status: report.Warn, Check: "token_audience", Spec: "RFC 9068 §2.2",
		Summary: fmt.Sprintf("The token has no aud claim: the library accepts it only for the client IDs in ProtectedResource.NoAudienceClientIDs (here %q, as the Go configuration does), which is weaker than audience binding: any resource that trusts this client accepts the same token.", clean(client))}
	if c.opts.resource != "" {
		f.Summary += fmt.Sprintf(" The resource indicator %s was ignored (RFC 8707 §2).", clean(c.opts.resource))
	}
	c.plan.noAudience = []string{client}
	c.r.Add(f)
}

// audienceHints explains audiences that are not URLs.
func audienceHints(aud []string) string {
	var out string
	for _, a := range aud {
		switch {
		case guid.MatchString(a):
			out += fmt.Sprintf(" %q is a GUID: Entra ID puts the API's application ID there.", a)
		case strings.HasPrefix(a, "api://"):
			out += fmt.Sprintf(" %q is an application ID URI (Entra ID).", clean(a))
		case !isHTTPURL(a):
			out += fmt.Sprintf(" %q is not a URL, so it cannot be a resource identifier.", clean(a))
		}
	}
	return out
}

// isHTTPURL reports whether s is an absolute http(s) URL, as a resource
// identifier is.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// scopeQuirk reports where the token carries its scopes, and whether it
// has those asked for.
func (c *checker) scopeQuirk(d decodedToken, v *verdict) {
	const spec = "RFC 9068 §2.2.3"
	_, hasScope := d.claims["scope"]
	_, hasScp := d.claims["scp"]
	_, hasScopes := d.claims["scopes"]
	switch {
	case hasScp && !hasScope:
		c.r.Addf(report.Info, "token_scope", spec, "The token carries its scopes in scp rather than RFC 9068's scope: the library reads scp too.")
	case !hasScope && !hasScopes:
		c.r.Addf(report.Info, "token_scope", spec, "The token carries no scopes: BearerOptions.RequiredScopes and scope policies would refuse it.")
	}
	info := v.identity()
	if c.opts.scope == "" || info == nil {
		return
	}
	var missing []string
	for _, s := range strings.Fields(c.opts.scope) {
		if !slices.Contains(info.Scopes, s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		c.r.Addf(report.Warn, "token_scope", spec, "The token lacks scopes asked for with -scope: %s (granted: %s).", quoteList(missing), quoteList(info.Scopes))
	}
}

// cnfQuirk reports a token bound to a key (RFC 7800 cnf).
func (c *checker) cnfQuirk(d decodedToken) {
	cnf, ok := d.claims["cnf"].(map[string]any)
	if !ok {
		return
	}
	switch {
	case cnf["jkt"] != nil:
		c.plan.dpop = true
		c.r.Addf(report.Warn, "token_binding", "RFC 9449 §6",
			"The token is DPoP-bound (cnf.jkt): the library refuses it as a bearer token and accepts it, with a proof of the client's key, on a resource configured with ProtectedResource.DPoP (the Go configuration does).")
	case cnf["x5t#S256"] != nil:
		c.r.Addf(report.Warn, "token_binding", "RFC 8705 §3",
			"The token is bound to a client certificate (cnf x5t#S256): the library, which does not check mutual TLS, refuses it.")
	default:
		c.r.Addf(report.Warn, "token_binding", "RFC 7800 §3", "The token is bound to a key (cnf): the library refuses it as a bearer token.")
	}
}
