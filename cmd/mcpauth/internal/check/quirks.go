package check

import (
	"fmt"
	"slices"
	"strings"

	mcpauth "github.com/mcp-auth/go/core"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// metadataQuirks reports what the metadata shows beyond the validation
// findings: each only when the document says so.
func (c *checker) metadataQuirks() {
	md := &c.cfg.Metadata
	c.plainHTTPQuirk()
	c.registrationQuirk(md)
	c.introspectionQuirk(md)
	c.dpopQuirk(md)
	c.mtlsQuirk(md)
	c.parQuirk(md)
	c.entraQuirk(md)
	c.protectedResourcesQuirk(md)
	if c.opts.clientID != "" {
		c.clientCredentialsQuirk(md)
	}
}

// plainHTTPQuirk warns about metadata, keys or introspection over plain
// http to a host that is not loopback (reached with -insecure only).
func (c *checker) plainHTTPQuirk() {
	if !c.plan.insecure {
		return
	}
	c.r.Addf(report.Warn, "plain_http", "RFC 8414 §2",
		"The issuer, jwks_uri or introspection_endpoint is plain http to a host that is not loopback: anyone on the path can replace the metadata or the keys. The Go configuration needs AllowInsecureHTTP; use https.")
}

// registrationQuirk says when MCP clients have no way to register.
func (c *checker) registrationQuirk(md *mcpauth.AuthorizationServerMetadata) {
	cimd := md.ClientIDMetadataDocumentSupported != nil && *md.ClientIDMetadataDocumentSupported
	if md.RegistrationEndpoint != "" || cimd {
		return
	}
	c.r.Addf(report.Info, "client_registration", "MCP 2025-11-25 Authorization",
		"Neither dynamic client registration nor client ID metadata documents: every MCP client must be registered with this provider by hand and configured with its client ID; clients that can only register themselves cannot sign in.")
}

// introspectionQuirk tells of an introspection endpoint.
func (c *checker) introspectionQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if md.IntrospectionEndpoint == "" {
		return
	}
	f := report.Finding{Status: report.Info, Check: "introspection", Spec: "RFC 7662",
		Summary: fmt.Sprintf("The server offers token introspection at %s: opaque tokens can be verified with mcpauth.NewIntrospectionVerifier and the resource server's own client credentials.", clean(md.IntrospectionEndpoint))}
	if methods := md.IntrospectionEndpointAuthMethodsSupported; len(methods) > 0 {
		f.Details = append(f.Details, "introspection_endpoint_auth_methods_supported: "+quoteList(methods))
	}
	c.r.Add(f)
}

// dpopQuirk tells that DPoP-bound tokens are possible.
func (c *checker) dpopQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if len(md.DPoPSigningAlgValuesSupported) == 0 {
		return
	}
	c.r.Addf(report.Info, "dpop", "RFC 9449 §5.1",
		"The server advertises DPoP (dpop_signing_alg_values_supported %s): a client that sends a DPoP proof gets a token bound to its key, which the library accepts, with a proof, on a resource configured with ProtectedResource.DPoP, and refuses as a bearer token.",
		quoteList(md.DPoPSigningAlgValuesSupported))
}

// mtlsQuirk tells that certificate-bound tokens are possible.
func (c *checker) mtlsQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if md.TLSClientCertificateBoundAccessTokens == nil || !*md.TLSClientCertificateBoundAccessTokens {
		return
	}
	c.r.Addf(report.Info, "mtls", "RFC 8705 §3",
		"The server advertises certificate-bound access tokens (tls_client_certificate_bound_access_tokens): a token bound to a client certificate (cnf with x5t#S256) is refused by the library, which does not check mutual TLS.")
}

// parQuirk warns when pushed authorization requests are required.
func (c *checker) parQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if md.RequirePushedAuthorizationRequests == nil || !*md.RequirePushedAuthorizationRequests {
		return
	}
	c.r.Addf(report.Warn, "par", "RFC 9126 §5",
		"The server requires pushed authorization requests (require_pushed_authorization_requests): MCP clients that do not send them, which the MCP specification does not ask for, cannot sign in.")
}

// entraMembers are metadata members only Microsoft Entra ID publishes.
var entraMembers = []string{"cloud_instance_name", "msgraph_host", "tenant_region_scope"}

// entraQuirk tells what Entra ID's tokens are known to look like, when the
// metadata carries Entra ID's own members.
func (c *checker) entraQuirk(md *mcpauth.AuthorizationServerMetadata) {
	var seen []string
	for _, m := range entraMembers {
		if _, ok := md.Extra[m]; ok {
			seen = append(seen, m)
		}
	}
	if len(seen) == 0 {
		return
	}
	c.r.Addf(report.Info, "entra_id", "RFC 9068",
		"The metadata has Microsoft Entra ID's members (%s). Entra ID issues v1.0 access tokens, whose iss is https://sts.windows.net/<tenant>/ and not this issuer, unless the API's app registration sets requestedAccessTokenVersion to 2; "+
			"their aud is the API's application ID (a GUID) or application ID URI (api://…), so BearerOptions.Audiences must name it; scopes come in scp, which the library reads. Check a real token with -client-id and -client-secret.",
		strings.Join(seen, ", "))
}

// protectedResourcesQuirk warns when the server lists the resources it
// serves and -resource is not one of them.
func (c *checker) protectedResourcesQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if c.opts.resource == "" || len(md.ProtectedResources) == 0 || slices.Contains(md.ProtectedResources, c.opts.resource) {
		return
	}
	c.r.Add(report.Finding{Status: report.Warn, Check: "protected_resources", Spec: "RFC 9728 §4",
		Summary: fmt.Sprintf("The server lists the resources it issues tokens for (protected_resources), and %s is not among them.", clean(c.opts.resource)),
		Details: []string{"protected_resources: " + quoteList(md.ProtectedResources)}})
}

// clientCredentialsQuirk tells when the metadata suggests the token
// request about to be made may be refused.
func (c *checker) clientCredentialsQuirk(md *mcpauth.AuthorizationServerMetadata) {
	if grants := md.GrantTypesSupported; grants != nil && !slices.Contains(grants, "client_credentials") {
		c.r.Add(report.Finding{Status: report.Info, Check: "client_credentials", Spec: "RFC 8414 §2",
			Summary: "grant_types_supported does not list client_credentials: the token request may be refused.",
			Details: []string{"grant_types_supported: " + quoteList(grants)}})
	}
	if methods := md.TokenEndpointAuthMethodsSupported; len(methods) > 0 && !slices.Contains(methods, "client_secret_basic") {
		c.r.Add(report.Finding{Status: report.Info, Check: "client_credentials", Spec: "RFC 8414 §2",
			Summary: "token_endpoint_auth_methods_supported does not list client_secret_basic, which the token request uses: it may be refused.",
			Details: []string{"token_endpoint_auth_methods_supported: " + quoteList(methods)}})
	}
}
