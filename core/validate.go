package mcpauth

import (
	"slices"
)

// ValidationCode identifies one finding of [ValidateServerConfig]. The codes
// of the MCP Auth reference libraries are kept as they are.
type ValidationCode string

// Findings that are errors: the server cannot serve MCP clients (or, for
// the first two, this resource server) as the MCP specification expects.
const (
	// ValidationInvalidServerMetadata: the metadata is malformed or lacks a
	// required member (RFC 8414 §2). Fatal for a resource server.
	ValidationInvalidServerMetadata ValidationCode = "invalid_server_metadata"
	// ValidationMissingJWKSURI: no jwks_uri, so JWT access tokens cannot be
	// verified. Fatal for JWT verification; harmless when tokens are
	// introspected or verified by a function of the caller's.
	ValidationMissingJWKSURI ValidationCode = "missing_jwks_uri"
	// ValidationCodeResponseTypeNotSupported: response_types_supported lacks
	// "code"; MCP clients use the authorization code flow.
	ValidationCodeResponseTypeNotSupported ValidationCode = "code_response_type_not_supported"
	// ValidationAuthorizationCodeGrantNotSupported: grant_types_supported
	// (default ["authorization_code", "implicit"]) lacks "authorization_code".
	ValidationAuthorizationCodeGrantNotSupported ValidationCode = "authorization_code_grant_not_supported"
	// ValidationPKCENotSupported: no code_challenge_methods_supported; MCP
	// clients must refuse a server that does not advertise PKCE.
	ValidationPKCENotSupported ValidationCode = "pkce_not_supported"
	// ValidationS256NotSupported: code_challenge_methods_supported lacks "S256".
	ValidationS256NotSupported ValidationCode = "s256_code_challenge_method_not_supported"
)

// Findings that are warnings: clients may still work, with more effort from
// their users.
const (
	// ValidationDynamicRegistrationNotSupported: no registration_endpoint
	// (RFC 7591); clients must be registered by hand or use a client ID
	// metadata document. Dynamic registration is deprecated by MCP 2026-07-28.
	ValidationDynamicRegistrationNotSupported ValidationCode = "dynamic_registration_not_supported"
	// ValidationClientIDMetadataDocumentNotSupported: no
	// client_id_metadata_document_supported: true; MCP 2025-11-25 recommends
	// client ID metadata documents for client registration.
	ValidationClientIDMetadataDocumentNotSupported ValidationCode = "client_id_metadata_document_not_supported"
)

// Findings reported as successes in verbose mode.
const (
	ValidationServerMetadataValid               ValidationCode = "server_metadata_valid"
	ValidationJWKSURIProvided                   ValidationCode = "jwks_uri_provided"
	ValidationCodeResponseTypeSupported         ValidationCode = "code_response_type_supported"
	ValidationAuthorizationCodeGrantSupported   ValidationCode = "authorization_code_grant_supported"
	ValidationPKCESupported                     ValidationCode = "pkce_supported"
	ValidationS256Supported                     ValidationCode = "s256_code_challenge_method_supported"
	ValidationDynamicRegistrationSupported      ValidationCode = "dynamic_registration_supported"
	ValidationClientIDMetadataDocumentSupported ValidationCode = "client_id_metadata_document_supported"
)

// ValidationFinding is one result of [ValidateServerConfig].
type ValidationFinding struct {
	// Code identifies the finding.
	Code ValidationCode `json:"code"`
	// Description explains it in a sentence.
	Description string `json:"description"`
	// Cause is the underlying error, for invalid_server_metadata.
	Cause error `json:"-"`
}

// ValidationResult is the outcome of [ValidateServerConfig].
type ValidationResult struct {
	// IsValid is true when Errors is empty.
	IsValid bool
	// Errors are findings that break MCP clients or this resource server.
	Errors []ValidationFinding
	// Warnings are findings that make clients' work harder.
	Warnings []ValidationFinding
	// Successes lists what was checked and passed; filled only in verbose mode.
	Successes []ValidationFinding
}

// Fatal reports the errors that stop a resource server from verifying
// tokens: invalid_server_metadata always, missing_jwks_uri when jwt is true.
// Every other finding concerns what clients need, and is only reported.
func (r ValidationResult) Fatal(jwt bool) []ValidationFinding {
	var out []ValidationFinding
	for _, f := range r.Errors {
		if f.Code == ValidationInvalidServerMetadata || (jwt && f.Code == ValidationMissingJWKSURI) {
			out = append(out, f)
		}
	}
	return out
}

// ValidateOptions configures [ValidateServerConfig].
type ValidateOptions struct {
	// Verbose also reports the checks that passed, in Successes.
	Verbose bool
}

// ValidateServerConfig checks an authorization server's configuration for
// what MCP clients and this resource server need (the checks of the MCP Auth
// reference libraries, plus jwks_uri and client ID metadata documents).
// A nil cfg, or metadata missing a member RFC 8414 requires, gives only
// invalid_server_metadata.
func ValidateServerConfig(cfg *ServerConfig, opts *ValidateOptions) ValidationResult {
	verbose := opts != nil && opts.Verbose
	var r ValidationResult
	add := func(ok bool, pass, fail ValidationCode, failList *[]ValidationFinding) {
		if ok {
			if verbose {
				r.Successes = append(r.Successes, ValidationFinding{Code: pass, Description: validationText[pass]})
			}
			return
		}
		*failList = append(*failList, ValidationFinding{Code: fail, Description: validationText[fail]})
	}
	if cfg == nil {
		r.Errors = append(r.Errors, ValidationFinding{Code: ValidationInvalidServerMetadata, Description: "no server configuration", Cause: ErrInvalidServerMetadata})
		return r
	}
	md := &cfg.Metadata
	if err := checkRequiredMetadata(md); err != nil {
		r.Errors = append(r.Errors, ValidationFinding{Code: ValidationInvalidServerMetadata, Description: validationText[ValidationInvalidServerMetadata], Cause: err})
		return r
	}
	if verbose {
		r.Successes = append(r.Successes, ValidationFinding{Code: ValidationServerMetadataValid, Description: validationText[ValidationServerMetadataValid]})
	}
	grants := md.GrantTypesSupported
	if grants == nil {
		grants = defaultGrantTypes
	}
	add(md.JWKSURI != "", ValidationJWKSURIProvided, ValidationMissingJWKSURI, &r.Errors)
	add(slices.Contains(md.ResponseTypesSupported, "code"), ValidationCodeResponseTypeSupported, ValidationCodeResponseTypeNotSupported, &r.Errors)
	add(slices.Contains(grants, "authorization_code"), ValidationAuthorizationCodeGrantSupported, ValidationAuthorizationCodeGrantNotSupported, &r.Errors)
	if len(md.CodeChallengeMethodsSupported) == 0 {
		add(false, ValidationPKCESupported, ValidationPKCENotSupported, &r.Errors)
	} else {
		add(true, ValidationPKCESupported, ValidationPKCENotSupported, &r.Errors)
		add(slices.Contains(md.CodeChallengeMethodsSupported, "S256"), ValidationS256Supported, ValidationS256NotSupported, &r.Errors)
	}
	add(md.RegistrationEndpoint != "", ValidationDynamicRegistrationSupported, ValidationDynamicRegistrationNotSupported, &r.Warnings)
	cimd := md.ClientIDMetadataDocumentSupported != nil && *md.ClientIDMetadataDocumentSupported
	add(cimd, ValidationClientIDMetadataDocumentSupported, ValidationClientIDMetadataDocumentNotSupported, &r.Warnings)
	r.IsValid = len(r.Errors) == 0
	return r
}

var validationText = map[ValidationCode]string{
	ValidationInvalidServerMetadata:                "The server metadata is invalid or malformed.",
	ValidationMissingJWKSURI:                       "The server does not publish a jwks_uri, so JWT access tokens cannot be verified.",
	ValidationCodeResponseTypeNotSupported:         "The server does not support the \"code\" response type.",
	ValidationAuthorizationCodeGrantNotSupported:   "The server does not support the authorization_code grant type.",
	ValidationPKCENotSupported:                     "The server does not advertise PKCE (code_challenge_methods_supported).",
	ValidationS256NotSupported:                     "The server does not support the S256 code challenge method.",
	ValidationDynamicRegistrationNotSupported:      "The server does not support dynamic client registration.",
	ValidationClientIDMetadataDocumentNotSupported: "The server does not advertise client ID metadata document support.",
	ValidationServerMetadataValid:                  "The server metadata is valid.",
	ValidationJWKSURIProvided:                      "The server publishes a jwks_uri.",
	ValidationCodeResponseTypeSupported:            "The server supports the \"code\" response type.",
	ValidationAuthorizationCodeGrantSupported:      "The server supports the authorization_code grant type.",
	ValidationPKCESupported:                        "The server supports PKCE.",
	ValidationS256Supported:                        "The server supports the S256 code challenge method.",
	ValidationDynamicRegistrationSupported:         "The server supports dynamic client registration.",
	ValidationClientIDMetadataDocumentSupported:    "The server supports client ID metadata documents.",
}
