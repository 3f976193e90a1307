package check

import (
	"fmt"
	"slices"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// rule is how a validation code is reported: the check it belongs to and
// the rule behind it.
type rule struct {
	check, spec string
}

// rules maps the library's validation codes, failed and passed, to their
// check and rule. ruleOrder is the order findings are reported in.
var (
	rules = map[mcpauth.ValidationCode]rule{
		mcpauth.ValidationInvalidServerMetadata:                {"metadata", "RFC 8414 §2"},
		mcpauth.ValidationServerMetadataValid:                  {"metadata", "RFC 8414 §2"},
		mcpauth.ValidationMissingJWKSURI:                       {"jwks_uri", "RFC 8414 §2"},
		mcpauth.ValidationJWKSURIProvided:                      {"jwks_uri", "RFC 8414 §2"},
		mcpauth.ValidationCodeResponseTypeNotSupported:         {"response_type", "RFC 8414 §2"},
		mcpauth.ValidationCodeResponseTypeSupported:            {"response_type", "RFC 8414 §2"},
		mcpauth.ValidationAuthorizationCodeGrantNotSupported:   {"grant_type", "RFC 8414 §2"},
		mcpauth.ValidationAuthorizationCodeGrantSupported:      {"grant_type", "RFC 8414 §2"},
		mcpauth.ValidationPKCENotSupported:                     {"pkce", "MCP 2025-11-25 Authorization, RFC 7636"},
		mcpauth.ValidationPKCESupported:                        {"pkce", "MCP 2025-11-25 Authorization, RFC 7636"},
		mcpauth.ValidationS256NotSupported:                     {"pkce_s256", "MCP 2025-11-25 Authorization, RFC 7636 §4.2"},
		mcpauth.ValidationS256Supported:                        {"pkce_s256", "MCP 2025-11-25 Authorization, RFC 7636 §4.2"},
		mcpauth.ValidationDynamicRegistrationNotSupported:      {"registration", "RFC 7591"},
		mcpauth.ValidationDynamicRegistrationSupported:         {"registration", "RFC 7591"},
		mcpauth.ValidationClientIDMetadataDocumentNotSupported: {"client_id_metadata", "MCP 2025-11-25 Authorization"},
		mcpauth.ValidationClientIDMetadataDocumentSupported:    {"client_id_metadata", "MCP 2025-11-25 Authorization"},
	}
	ruleOrder = []string{"metadata", "jwks_uri", "response_type", "grant_type", "pkce", "pkce_s256", "registration", "client_id_metadata"}
)

// ruleFor returns the rule of code; an unknown code (a newer library's)
// is reported under its own name.
func ruleFor(code mcpauth.ValidationCode) rule {
	if r, ok := rules[code]; ok {
		return r
	}
	return rule{check: string(code)}
}

// validate reports every finding of mcpauth.ValidateServerConfig, in the
// order of ruleOrder: errors fail (spec-following MCP clients refuse such
// a server), except a missing jwks_uri, which only means that tokens must
// be verified otherwise; warnings warn; successes pass.
func (c *checker) validate() {
	res := mcpauth.ValidateServerConfig(c.cfg, &mcpauth.ValidateOptions{Verbose: true})
	fatal := res.Fatal(true)
	var out []report.Finding
	if c.plan.transpile {
		out = append(out, c.unrepairedFinding())
	}
	for _, f := range res.Errors {
		out = append(out, c.errorFinding(f, slices.ContainsFunc(fatal, func(x mcpauth.ValidationFinding) bool { return x.Code == f.Code })))
	}
	for _, f := range res.Warnings {
		r := ruleFor(f.Code)
		out = append(out, report.Finding{Status: report.Warn, Check: r.check, Spec: r.spec, Code: string(f.Code), Summary: f.Description + " " + warningAdvice[f.Code]})
	}
	for _, f := range res.Successes {
		if c.plan.transpile && (f.Code == mcpauth.ValidationCodeResponseTypeSupported || f.Code == mcpauth.ValidationServerMetadataValid) {
			continue // true of the repaired document only
		}
		r := ruleFor(f.Code)
		out = append(out, report.Finding{Status: report.Pass, Check: r.check, Spec: r.spec, Code: string(f.Code), Summary: f.Description})
	}
	slices.SortStableFunc(out, func(a, b report.Finding) int { return orderOf(a.Check) - orderOf(b.Check) })
	for _, f := range out {
		c.r.Add(f)
	}
}

// orderOf is the place of check in ruleOrder; unknown checks come last.
func orderOf(check string) int {
	if i := slices.Index(ruleOrder, check); i >= 0 {
		return i
	}
	return len(ruleOrder)
}

// warningAdvice completes the library's description of each warning.
var warningAdvice = map[mcpauth.ValidationCode]string{
	mcpauth.ValidationDynamicRegistrationNotSupported:      "MCP clients cannot register themselves (RFC 7591); MCP 2026-07-28 deprecates dynamic registration in favour of client ID metadata documents.",
	mcpauth.ValidationClientIDMetadataDocumentNotSupported: "MCP clients cannot use a URL as their client ID, which MCP 2025-11-25 recommends.",
}

// errorFinding reports one validation error. fatal says whether it stops
// the resource server itself (with JWT verification).
func (c *checker) errorFinding(f mcpauth.ValidationFinding, fatal bool) report.Finding {
	r := ruleFor(f.Code)
	out := report.Finding{Status: report.Fail, Check: r.check, Spec: r.spec, Code: string(f.Code)}
	switch {
	case f.Code == mcpauth.ValidationMissingJWKSURI:
		out.Status = report.Warn
		out.Summary = f.Description + " " + c.noKeySetAdvice()
	case fatal:
		out.Summary = f.Description + " The resource server cannot use this metadata, and MCP clients that follow the specification refuse it."
	default:
		out.Summary = f.Description + " MCP clients that follow the specification refuse such a server (the resource server itself can still verify tokens)."
	}
	if f.Code == mcpauth.ValidationPKCENotSupported {
		out.Summary += " Some providers support PKCE without advertising it (Entra ID and Amazon Cognito among them), but clients go by the metadata."
	}
	if f.Cause != nil {
		out.Details = append(out.Details, cleanErr(f.Cause))
	}
	return out
}

// noKeySetAdvice says how tokens can be verified without a key set, and
// records the verifier the Go configuration uses.
func (c *checker) noKeySetAdvice() string {
	if ep := c.cfg.Metadata.IntrospectionEndpoint; ep != "" {
		c.plan.verifier = introspectionVerifier
		return fmt.Sprintf("It is fatal for JWT verification: verify tokens by introspection (RFC 7662) at its introspection_endpoint %s, with mcpauth.NewIntrospectionVerifier and the resource server's own client credentials.", clean(ep))
	}
	c.plan.verifier = funcVerifier
	return "It is fatal for JWT verification, and there is no introspection_endpoint either: verify tokens with a mcpauth.VerifierFunc of yours (for example one that asks the provider's API whom the token belongs to)."
}

// unrepairedFinding reports the document as it was served, before the
// repair of a missing response_types_supported: the library's own verdict
// on it, from ValidateServerConfig.
func (c *checker) unrepairedFinding() report.Finding {
	orig := *c.cfg
	orig.Metadata.ResponseTypesSupported = nil
	res := mcpauth.ValidateServerConfig(&orig, nil)
	r := ruleFor(mcpauth.ValidationInvalidServerMetadata)
	out := report.Finding{Status: report.Fail, Check: r.check, Spec: r.spec, Code: string(mcpauth.ValidationInvalidServerMetadata),
		Summary: "The metadata lacks response_types_supported, which RFC 8414 §2 requires: MCP clients that follow the specification refuse it, " +
			"and the library discovers it only with the DiscoveryOptions.Transpile hook of the Go configuration, which adds [\"code\"]. The findings below are of the repaired document."}
	for _, f := range res.Errors {
		if f.Cause != nil {
			out.Details = append(out.Details, cleanErr(f.Cause))
		} else {
			out.Details = append(out.Details, strings.TrimSpace(f.Description))
		}
	}
	return out
}
