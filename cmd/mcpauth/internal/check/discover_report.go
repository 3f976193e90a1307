package check

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// discoverySpec is the rule behind the URLs tried for typ.
func discoverySpec(typ mcpauth.ServerType) string {
	switch typ {
	case mcpauth.ServerTypeOAuth:
		return "RFC 8414 §3"
	case mcpauth.ServerTypeOIDC:
		return "OpenID Connect Discovery 1.0 §4"
	}
	return "MCP 2025-11-25 Authorization"
}

// reportDiscovery adds the discovery finding: every URL, in order, with
// what it answered, and those left untried.
func (c *checker) reportDiscovery(urls []string, tried []attempt, used int, repaired *attempt) {
	f := report.Finding{Check: "discovery", Spec: discoverySpec(c.opts.typ)}
	for i, u := range urls {
		line := fmt.Sprintf("%d. %s → ", i+1, clean(u))
		switch {
		case i < len(tried):
			line += describe(tried[i])
		case used >= 0:
			line += "not tried: MCP clients, and the library, stop at the first usable document"
		default:
			line += "not tried: the run was stopped"
		}
		f.Details = append(f.Details, line)
	}
	if repaired != nil {
		f.Details = append(f.Details, fmt.Sprintf("   again, %s with response_types_supported added (as a Transpile hook would) → %s", clean(repaired.url), describe(*repaired)))
	}
	switch {
	case used >= 0:
		f.Status = report.Pass
		f.Summary = fmt.Sprintf("Metadata found at the %s of %d well-known URLs tried in order (%s).", ordinal(used+1), len(urls), orderName(c.opts.typ))
	case repaired != nil && repaired.err == nil:
		f.Status = report.Fail
		f.Summary = "No well-known URL gives usable metadata as it stands: the document at " + clean(repaired.url) +
			" lacks response_types_supported, which RFC 8414 §2 requires, so MCP clients that follow the specification refuse it; " +
			"the library can use it only through a DiscoveryOptions.Transpile hook that adds it (see the Go configuration)."
	default:
		f.Status = report.Fail
		f.Summary = "No well-known URL gave usable metadata, so neither MCP clients nor the library can use this authorization server." + discoveryHint(c.opts.typ, tried)
	}
	c.r.Add(f)
}

// orderName names the order the URLs were tried in.
func orderName(typ mcpauth.ServerType) string {
	switch typ {
	case mcpauth.ServerTypeOAuth:
		return "RFC 8414 only, -type oauth"
	case mcpauth.ServerTypeOIDC:
		return "OpenID Connect only, -type oidc"
	}
	return "the MCP order"
}

// discoveryHint suggests what to try after a failed discovery.
func discoveryHint(typ mcpauth.ServerType, tried []attempt) string {
	if len(tried) == 0 {
		return ""
	}
	for _, a := range tried {
		var fe *mcpauth.FetchError
		if !errors.As(a.err, &fe) || fe.StatusCode != http.StatusNotFound {
			return ""
		}
	}
	if typ != mcpauth.ServerTypeAuto {
		return " Every URL answered 404: try -type auto, and check the issuer."
	}
	return " Every URL answered 404: check the issuer (it must be exactly the server's issuer identifier, path included)."
}

// describe says what an attempt answered, in a few words.
func describe(a attempt) string {
	if a.err == nil {
		if a.repaired {
			return "usable once repaired, issuer matches"
		}
		return "HTTP 200, issuer matches: used"
	}
	var mismatch *mcpauth.IssuerMismatchError
	var fe *mcpauth.FetchError
	hasFE := errors.As(a.err, &fe)
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(a.err, &mismatch):
		return fmt.Sprintf("HTTP 200, but the document names issuer %q, not %q", clean(mismatch.Actual), clean(mismatch.Expected))
	case errors.Is(a.err, context.Canceled):
		return "interrupted"
	case errors.Is(a.err, context.DeadlineExceeded), errors.As(a.err, &timeout) && timeout.Timeout():
		return "no answer before the timeout"
	case errors.Is(a.err, mcpauth.ErrInsecureURL):
		return "not fetched: " + cause(a.err, fe, hasFE) + " (pass -insecure to allow plain http)"
	case errors.Is(a.err, mcpauth.ErrRedirectRefused):
		return cause(a.err, fe, hasFE) // "redirect refused: …"
	case errors.Is(a.err, mcpauth.ErrResponseTooLarge):
		return fmt.Sprintf("the answer is over %d bytes", mcpauth.MaxResponseBytes)
	case hasFE && errors.Is(a.err, mcpauth.ErrUnexpectedStatus):
		return fmt.Sprintf("HTTP %d %s", fe.StatusCode, http.StatusText(fe.StatusCode))
	case errors.Is(a.err, mcpauth.ErrNotJSON):
		return "HTTP 200, but not a JSON object (" + cause(a.err, fe, hasFE) + ")"
	case errors.Is(a.err, mcpauth.ErrInvalidServerMetadata):
		return "HTTP 200, but not usable metadata: " + cause(a.err, fe, hasFE)
	}
	return "network error: " + cause(a.err, fe, hasFE)
}

// cause is the text of a fetch error's cause, without the library's
// prefixes, fit for a terminal.
func cause(err error, fe *mcpauth.FetchError, hasFE bool) string {
	if hasFE && fe.Err != nil {
		err = fe.Err
	}
	text := err.Error()
	for _, prefix := range []string{"mcpauth: invalid authorization server metadata: ", "mcpauth: response is not a JSON object: ", "mcpauth: "} {
		text = strings.TrimPrefix(text, prefix)
	}
	return clean(text)
}

// issuerSpec is the rule of issuer equality for the document at u.
func issuerSpec(u string) string {
	if strings.Contains(u, mcpauth.OIDCWellKnownPath) {
		return "RFC 8414 §3.3, OpenID Connect Discovery 1.0 §4.3"
	}
	return "RFC 8414 §3.3"
}

// reportIssuer adds the issuer-equality finding for the document used, or
// for the first that named another issuer when none was used.
func (c *checker) reportIssuer(tried []attempt, used int, repaired *attempt) {
	all := tried
	if repaired != nil {
		all = append(all[:len(all):len(all)], *repaired)
	}
	var others []*mcpauth.IssuerMismatchError
	for _, a := range all {
		var m *mcpauth.IssuerMismatchError
		if errors.As(a.err, &m) {
			others = append(others, m)
		}
	}
	ok := used >= 0 || (repaired != nil && repaired.err == nil)
	switch {
	case ok:
		u := all[len(all)-1].url
		f := report.Finding{Status: report.Pass, Check: "issuer", Spec: issuerSpec(u),
			Summary: fmt.Sprintf("The metadata names issuer %q, identical to the issuer given.", clean(c.opts.issuer))}
		for _, m := range others {
			f.Details = append(f.Details, fmt.Sprintf("the document at %s names %q instead: skipped, as MCP clients skip it", clean(m.URL), clean(m.Actual)))
		}
		c.r.Add(f)
	case len(others) > 0:
		m := others[0]
		c.r.Add(report.Finding{Status: report.Fail, Check: "issuer", Spec: issuerSpec(m.URL),
			Summary: fmt.Sprintf("The metadata at %s names issuer %q, not %q, the issuer it was looked up for: MCP clients and the library must not use it. %s",
				clean(m.URL), clean(m.Actual), clean(m.Expected), mismatchHint(m.Expected, m.Actual))})
	}
}

// mismatchHint says what a difference between the issuer given (expected)
// and the one a document names (actual) means, and what to do.
func mismatchHint(expected, actual string) string {
	switch {
	case strings.TrimSuffix(expected, "/") == strings.TrimSuffix(actual, "/"):
		return fmt.Sprintf("They differ only by a trailing slash, which still makes them different issuers: give the issuer exactly as the document names it (mcpauth check %s).", clean(actual))
	case strings.EqualFold(expected, actual):
		return fmt.Sprintf("They differ only in case, which still makes them different issuers: give the issuer exactly as the document names it (mcpauth check %s).", clean(actual))
	case strings.Contains(actual, "{"):
		return "The document names a template, not an issuer: it is a multi-tenant document (Entra ID's common, organizations and consumers endpoints serve one), so check the issuer of your own tenant instead."
	}
	return fmt.Sprintf("If that server is the right one, give the issuer the document names (mcpauth check %s); otherwise fix the issuer the server is configured with.", clean(actual))
}
