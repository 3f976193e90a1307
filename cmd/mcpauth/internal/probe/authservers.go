package probe

import (
	"context"
	"errors"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// maxAuthServers is the most authorization servers checked: a hostile
// document could list thousands.
const maxAuthServers = 5

// checkAuthorizationServers checks authorization_servers: at least one,
// and each discoverable and usable by MCP clients.
func (p *prober) checkAuthorizationServers(ctx context.Context) {
	if p.metadata == nil {
		return
	}
	issuers := p.metadata.AuthorizationServers
	if len(issuers) == 0 {
		p.add(report.Fail, "authorization_servers", specASLocation,
			"the metadata lists no authorization server: clients have nowhere to get a token (at least one is required)")
		return
	}
	f := p.add(report.Pass, "authorization_servers", specASLocation, "the metadata lists %d: %s",
		len(issuers), clean(strings.Join(issuers, ", "), 300))
	if len(issuers) > maxAuthServers {
		f.Details = []string{"only the first 5 are checked"}
		issuers = issuers[:maxAuthServers]
	}
	for _, issuer := range issuers {
		cfg := p.discover(ctx, issuer)
		p.servers = append(p.servers, cfg)
		if cfg != nil {
			p.validate(issuer, cfg)
		}
	}
}

// discover fetches an authorization server's metadata the way MCP clients
// do (RFC 8414, then OpenID Connect discovery, in the MCP order), keeping
// only a document whose issuer is the issuer (RFC 8414 §3.3).
func (p *prober) discover(ctx context.Context, issuer string) *mcpauth.ServerConfig {
	cfg, err := mcpauth.FetchServerConfig(ctx, issuer, mcpauth.ServerTypeAuto,
		&mcpauth.DiscoveryOptions{HTTPClient: p.client, AllowInsecureHTTP: p.opts.insecure})
	if err == nil {
		p.add(report.Pass, "authorization-server", specASDiscovery, "%s discovered (%s metadata)", clean(issuer, 200), cfg.Type)
		return cfg
	}
	spec := specASDiscovery
	var mismatch *mcpauth.IssuerMismatchError
	if errors.As(err, &mismatch) {
		spec = specIssuer
	}
	f := p.add(report.Fail, "authorization-server", spec, "%s cannot be discovered: clients cannot get a token from it", clean(issuer, 200))
	var de *mcpauth.DiscoveryError
	if errors.As(err, &de) {
		for _, a := range de.Attempts {
			f.Details = append(f.Details, clean(a.Error(), 300))
		}
	} else {
		f.Details = append(f.Details, clean(err.Error(), 300))
	}
	if errors.Is(err, mcpauth.ErrInsecureURL) {
		f.Details = append(f.Details, "plain http is refused off loopback; -insecure allows it")
	}
	return nil
}

// validate reports mcpauth.ValidateServerConfig's findings on an
// authorization server, with their codes. Errors FAIL, except
// missing_jwks_uri: it stops only a resource server that verifies JWTs,
// which the probe cannot tell (introspection needs no key set), so it is a
// WARN. Warnings (no dynamic registration, no client ID metadata documents)
// are WARN when the server offers clients neither way to register, and
// INFO when it offers one of them: MCP clients need one, not both
// (MCP 2025-11-25 Authorization §5).
func (p *prober) validate(issuer string, cfg *mcpauth.ServerConfig) {
	res := mcpauth.ValidateServerConfig(cfg, nil)
	md := cfg.Metadata
	canRegister := md.RegistrationEndpoint != "" || (md.ClientIDMetadataDocumentSupported != nil && *md.ClientIDMetadataDocumentSupported)
	var findings []report.Finding
	worst := report.Pass
	add := func(status report.Status, v mcpauth.ValidationFinding) {
		f := report.Finding{Status: status, Check: "authorization-server-metadata", Spec: validationSpec(v.Code),
			Summary: clean(issuer, 200) + ": " + v.Description, Code: string(v.Code)}
		if v.Cause != nil {
			f.Details = []string{clean(v.Cause.Error(), 300)}
		}
		findings = append(findings, f)
		worst = worse(worst, status)
	}
	for _, e := range res.Errors {
		if e.Code == mcpauth.ValidationMissingJWKSURI {
			add(report.Warn, e)
		} else {
			add(report.Fail, e)
		}
	}
	for _, w := range res.Warnings {
		if canRegister {
			add(report.Info, w)
		} else {
			add(report.Warn, w)
		}
	}
	if worst == report.Pass {
		p.add(report.Pass, "authorization-server-metadata", specASDiscovery, "%s: the metadata is usable by MCP clients", clean(issuer, 200))
	}
	for _, f := range findings {
		p.r.Add(f)
	}
}

// worse returns the worse of two statuses (INFO counts as PASS).
func worse(a, b report.Status) report.Status {
	rank := map[report.Status]int{report.Pass: 0, report.Info: 0, report.Warn: 1, report.Fail: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// validationSpec is the rule behind a validation code.
func validationSpec(code mcpauth.ValidationCode) string {
	switch code {
	case mcpauth.ValidationCodeResponseTypeNotSupported, mcpauth.ValidationAuthorizationCodeGrantNotSupported:
		return specFlow
	case mcpauth.ValidationPKCENotSupported, mcpauth.ValidationS256NotSupported:
		return specPKCE
	case mcpauth.ValidationDynamicRegistrationNotSupported, mcpauth.ValidationClientIDMetadataDocumentNotSupported:
		return specRegistration
	}
	return specASMetadata
}
