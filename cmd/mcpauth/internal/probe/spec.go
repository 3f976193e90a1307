package probe

// The rules the findings cite, by document and section.
//
// MCP sections are numbered as the specification renders them (its pages
// turn on section numbering), counted from the headings of
// docs/specification/2025-11-25/basic/authorization.mdx and
// docs/specification/2026-07-28/basic/authorization/index.mdx in the
// modelcontextprotocol/modelcontextprotocol repository. In the 2025-11-25
// Authorization page: §4.1 Authorization Server Location, §4.2 Protected
// Resource Metadata Discovery Requirements, §4.3 Authorization Server
// Metadata Discovery, §5 Client Registration Approaches, §6 Scope Selection
// Strategy, §7 Authorization Flow Steps, §8 Resource Parameter
// Implementation, §9 Access Token Usage (§9.1 Token Requirements, §9.2
// Token Handling), §10 Error Handling (§10.1 Scope Challenge Handling),
// §11.4 Authorization Code Protection. In the 2026-07-28 one: §10 Refresh
// Tokens.
const (
	// specErrorHandling: 401 when authorization is required or the token
	// is invalid, 403 for insufficient scopes.
	specErrorHandling = "MCP 2025-11-25 Authorization §10"
	// specPRMDiscovery: resource_metadata in the 401's WWW-Authenticate, or
	// the well-known URIs (path-inserted, then root); scope SHOULD be in
	// the challenge.
	specPRMDiscovery = "MCP 2025-11-25 Authorization §4.2"
	// specScopeSelection: a client asks for the challenge's scope, else all
	// of scopes_supported.
	specScopeSelection = "MCP 2025-11-25 Authorization §6"
	// specASLocation: authorization_servers with at least one entry.
	specASLocation = "MCP 2025-11-25 Authorization §4.1"
	// specASDiscovery: RFC 8414 and OpenID Connect discovery, in MCP's order.
	specASDiscovery = "MCP 2025-11-25 Authorization §4.3"
	// specRegistration: how clients get a client ID.
	specRegistration = "MCP 2025-11-25 Authorization §5"
	// specFlow: the authorization code flow clients run.
	specFlow = "MCP 2025-11-25 Authorization §7"
	// specPKCE: clients refuse a server that does not advertise S256.
	specPKCE = "MCP 2025-11-25 Authorization §11.4"
	// specTokenUsage: the token in the Authorization header of every request.
	specTokenUsage = "MCP 2025-11-25 Authorization §9"
	// specStepUp: 403 insufficient_scope with the scopes the operation needs.
	specStepUp = "MCP 2025-11-25 Authorization §10.1"
	// specOfflineAccess: offline_access SHOULD NOT be in scopes_supported
	// nor in a challenge's scope.
	specOfflineAccess = "MCP 2026-07-28 Authorization §10"

	// specChallenge: the Bearer challenge and its parameters.
	specChallenge = "RFC 6750 §3"
	// specErrorCodes: invalid_token (401), insufficient_scope (403), and no
	// error code for a request without credentials.
	specErrorCodes = "RFC 6750 §3.1"
	// specDPoPScheme: the DPoP authentication scheme.
	specDPoPScheme = "RFC 9449 §7.1"
	// specPRMFields: the metadata's members (resource, bearer methods, DPoP).
	specPRMFields = "RFC 9728 §2"
	// specPRMLocation: the path-inserted well-known URI.
	specPRMLocation = "RFC 9728 §3.1"
	// specPRMResponse: 200 with a JSON object.
	specPRMResponse = "RFC 9728 §3.2"
	// specPRMValidation: resource identical to the URL the client used.
	specPRMValidation = "RFC 9728 §3.3"
	// specResourceMetadataParam: resource_metadata in WWW-Authenticate.
	specResourceMetadataParam = "RFC 9728 §5.1"
	// specASMetadata: the members authorization-server metadata must have.
	specASMetadata = "RFC 8414 §2"
	// specIssuer: a metadata document naming another issuer is not used.
	specIssuer = "RFC 8414 §3.3"
	// specClientCredentials: the client credentials grant, with RFC 8707's
	// resource.
	specClientCredentials = "RFC 6749 §4.4, RFC 8707 §2"
)
