package mcpauth

import "encoding/json"

// AuthorizationServerMetadata is an authorization server's metadata document:
// every field of RFC 8414 §2 and of the IANA "OAuth Authorization Server
// Metadata" registry that a client or resource server may meet, plus the
// OpenID Connect Discovery 1.0 §3 provider metadata.
//
// Members the struct does not declare are kept in Extra, so decoding a document
// and encoding it again loses nothing.
type AuthorizationServerMetadata struct {
	// Issuer is "issuer" (RFC 8414 §2, required): the authorization server's
	// issuer identifier, an https URL without query or fragment.
	Issuer string `json:"issuer"`
	// AuthorizationEndpoint is "authorization_endpoint" (RFC 8414 §2): required
	// unless no grant type uses the authorization endpoint.
	AuthorizationEndpoint string `json:"authorization_endpoint,omitempty"`
	// TokenEndpoint is "token_endpoint" (RFC 8414 §2): required unless only the
	// implicit grant is supported.
	TokenEndpoint string `json:"token_endpoint,omitempty"`
	// JWKSURI is "jwks_uri" (RFC 8414 §2): the JSON Web Key Set with the keys
	// that sign access tokens. Required for JWT verification.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// RegistrationEndpoint is "registration_endpoint" (RFC 8414 §2, RFC 7591).
	RegistrationEndpoint string `json:"registration_endpoint,omitempty"`
	// ScopesSupported is "scopes_supported" (RFC 8414 §2).
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// ResponseTypesSupported is "response_types_supported" (RFC 8414 §2, required).
	ResponseTypesSupported []string `json:"response_types_supported,omitempty"`
	// ResponseModesSupported is "response_modes_supported" (RFC 8414 §2).
	ResponseModesSupported []string `json:"response_modes_supported,omitempty"`
	// GrantTypesSupported is "grant_types_supported" (RFC 8414 §2). When
	// omitted, the default is ["authorization_code", "implicit"].
	GrantTypesSupported []string `json:"grant_types_supported,omitempty"`
	// TokenEndpointAuthMethodsSupported is "token_endpoint_auth_methods_supported" (RFC 8414 §2).
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	// TokenEndpointAuthSigningAlgValuesSupported is
	// "token_endpoint_auth_signing_alg_values_supported" (RFC 8414 §2).
	TokenEndpointAuthSigningAlgValuesSupported []string `json:"token_endpoint_auth_signing_alg_values_supported,omitempty"`
	// ServiceDocumentation is "service_documentation" (RFC 8414 §2).
	ServiceDocumentation string `json:"service_documentation,omitempty"`
	// UILocalesSupported is "ui_locales_supported" (RFC 8414 §2).
	UILocalesSupported []string `json:"ui_locales_supported,omitempty"`
	// OPPolicyURI is "op_policy_uri" (RFC 8414 §2).
	OPPolicyURI string `json:"op_policy_uri,omitempty"`
	// OPTOSURI is "op_tos_uri" (RFC 8414 §2).
	OPTOSURI string `json:"op_tos_uri,omitempty"`
	// RevocationEndpoint is "revocation_endpoint" (RFC 8414 §2, RFC 7009).
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`
	// RevocationEndpointAuthMethodsSupported is
	// "revocation_endpoint_auth_methods_supported" (RFC 8414 §2).
	RevocationEndpointAuthMethodsSupported []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	// RevocationEndpointAuthSigningAlgValuesSupported is
	// "revocation_endpoint_auth_signing_alg_values_supported" (RFC 8414 §2).
	RevocationEndpointAuthSigningAlgValuesSupported []string `json:"revocation_endpoint_auth_signing_alg_values_supported,omitempty"`
	// IntrospectionEndpoint is "introspection_endpoint" (RFC 8414 §2, RFC 7662).
	IntrospectionEndpoint string `json:"introspection_endpoint,omitempty"`
	// IntrospectionEndpointAuthMethodsSupported is
	// "introspection_endpoint_auth_methods_supported" (RFC 8414 §2).
	IntrospectionEndpointAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported,omitempty"`
	// IntrospectionEndpointAuthSigningAlgValuesSupported is
	// "introspection_endpoint_auth_signing_alg_values_supported" (RFC 8414 §2).
	IntrospectionEndpointAuthSigningAlgValuesSupported []string `json:"introspection_endpoint_auth_signing_alg_values_supported,omitempty"`
	// CodeChallengeMethodsSupported is "code_challenge_methods_supported"
	// (RFC 8414 §2, RFC 7636). MCP clients require "S256".
	CodeChallengeMethodsSupported []string `json:"code_challenge_methods_supported,omitempty"`
	// SignedMetadata is "signed_metadata" (RFC 8414 §2.1): a JWT whose claims
	// are metadata values. It is carried, not verified.
	SignedMetadata string `json:"signed_metadata,omitempty"`
	// DeviceAuthorizationEndpoint is "device_authorization_endpoint" (RFC 8628 §4).
	DeviceAuthorizationEndpoint string `json:"device_authorization_endpoint,omitempty"`
	// PushedAuthorizationRequestEndpoint is
	// "pushed_authorization_request_endpoint" (RFC 9126 §5).
	PushedAuthorizationRequestEndpoint string `json:"pushed_authorization_request_endpoint,omitempty"`
	// RequirePushedAuthorizationRequests is
	// "require_pushed_authorization_requests" (RFC 9126 §5).
	RequirePushedAuthorizationRequests *bool `json:"require_pushed_authorization_requests,omitempty"`
	// AuthorizationResponseISSParameterSupported is
	// "authorization_response_iss_parameter_supported" (RFC 9207 §3).
	AuthorizationResponseISSParameterSupported *bool `json:"authorization_response_iss_parameter_supported,omitempty"`
	// DPoPSigningAlgValuesSupported is "dpop_signing_alg_values_supported" (RFC 9449 §5.1).
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
	// TLSClientCertificateBoundAccessTokens is
	// "tls_client_certificate_bound_access_tokens" (RFC 8705 §3.3).
	TLSClientCertificateBoundAccessTokens *bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	// MTLSEndpointAliases is "mtls_endpoint_aliases" (RFC 8705 §5): endpoint
	// names mapped to their mutual-TLS URLs.
	MTLSEndpointAliases map[string]string `json:"mtls_endpoint_aliases,omitempty"`
	// RequireSignedRequestObject is "require_signed_request_object" (RFC 9101 §10.5).
	RequireSignedRequestObject *bool `json:"require_signed_request_object,omitempty"`
	// AuthorizationDetailsTypesSupported is
	// "authorization_details_types_supported" (RFC 9396 §10).
	AuthorizationDetailsTypesSupported []string `json:"authorization_details_types_supported,omitempty"`
	// ProtectedResources is "protected_resources" (RFC 9728 §4): resource
	// identifiers the authorization server issues tokens for.
	ProtectedResources []string `json:"protected_resources,omitempty"`
	// ClientIDMetadataDocumentSupported is
	// "client_id_metadata_document_supported" (OAuth Client ID Metadata
	// Document, draft-ietf-oauth-client-id-metadata-document §4; recommended by
	// MCP 2025-11-25 for client registration).
	ClientIDMetadataDocumentSupported *bool `json:"client_id_metadata_document_supported,omitempty"`

	// UserinfoEndpoint is "userinfo_endpoint" (OpenID Connect Discovery §3).
	UserinfoEndpoint string `json:"userinfo_endpoint,omitempty"`
	// EndSessionEndpoint is "end_session_endpoint" (OpenID Connect
	// RP-Initiated Logout §2.1).
	EndSessionEndpoint string `json:"end_session_endpoint,omitempty"`
	// CheckSessionIframe is "check_session_iframe" (OpenID Connect Session Management §3.3).
	CheckSessionIframe string `json:"check_session_iframe,omitempty"`
	// ACRValuesSupported is "acr_values_supported" (OpenID Connect Discovery §3).
	ACRValuesSupported []string `json:"acr_values_supported,omitempty"`
	// SubjectTypesSupported is "subject_types_supported" (OpenID Connect Discovery §3).
	SubjectTypesSupported []string `json:"subject_types_supported,omitempty"`
	// IDTokenSigningAlgValuesSupported is
	// "id_token_signing_alg_values_supported" (OpenID Connect Discovery §3).
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported,omitempty"`
	// IDTokenEncryptionAlgValuesSupported is
	// "id_token_encryption_alg_values_supported" (OpenID Connect Discovery §3).
	IDTokenEncryptionAlgValuesSupported []string `json:"id_token_encryption_alg_values_supported,omitempty"`
	// IDTokenEncryptionEncValuesSupported is
	// "id_token_encryption_enc_values_supported" (OpenID Connect Discovery §3).
	IDTokenEncryptionEncValuesSupported []string `json:"id_token_encryption_enc_values_supported,omitempty"`
	// UserinfoSigningAlgValuesSupported is
	// "userinfo_signing_alg_values_supported" (OpenID Connect Discovery §3).
	UserinfoSigningAlgValuesSupported []string `json:"userinfo_signing_alg_values_supported,omitempty"`
	// UserinfoEncryptionAlgValuesSupported is
	// "userinfo_encryption_alg_values_supported" (OpenID Connect Discovery §3).
	UserinfoEncryptionAlgValuesSupported []string `json:"userinfo_encryption_alg_values_supported,omitempty"`
	// UserinfoEncryptionEncValuesSupported is
	// "userinfo_encryption_enc_values_supported" (OpenID Connect Discovery §3).
	UserinfoEncryptionEncValuesSupported []string `json:"userinfo_encryption_enc_values_supported,omitempty"`
	// RequestObjectSigningAlgValuesSupported is
	// "request_object_signing_alg_values_supported" (OpenID Connect Discovery §3).
	RequestObjectSigningAlgValuesSupported []string `json:"request_object_signing_alg_values_supported,omitempty"`
	// RequestObjectEncryptionAlgValuesSupported is
	// "request_object_encryption_alg_values_supported" (OpenID Connect Discovery §3).
	RequestObjectEncryptionAlgValuesSupported []string `json:"request_object_encryption_alg_values_supported,omitempty"`
	// RequestObjectEncryptionEncValuesSupported is
	// "request_object_encryption_enc_values_supported" (OpenID Connect Discovery §3).
	RequestObjectEncryptionEncValuesSupported []string `json:"request_object_encryption_enc_values_supported,omitempty"`
	// DisplayValuesSupported is "display_values_supported" (OpenID Connect Discovery §3).
	DisplayValuesSupported []string `json:"display_values_supported,omitempty"`
	// ClaimTypesSupported is "claim_types_supported" (OpenID Connect Discovery §3).
	ClaimTypesSupported []string `json:"claim_types_supported,omitempty"`
	// ClaimsSupported is "claims_supported" (OpenID Connect Discovery §3).
	ClaimsSupported []string `json:"claims_supported,omitempty"`
	// ClaimsLocalesSupported is "claims_locales_supported" (OpenID Connect Discovery §3).
	ClaimsLocalesSupported []string `json:"claims_locales_supported,omitempty"`
	// ClaimsParameterSupported is "claims_parameter_supported" (OpenID Connect Discovery §3).
	ClaimsParameterSupported *bool `json:"claims_parameter_supported,omitempty"`
	// RequestParameterSupported is "request_parameter_supported" (OpenID Connect Discovery §3).
	RequestParameterSupported *bool `json:"request_parameter_supported,omitempty"`
	// RequestURIParameterSupported is "request_uri_parameter_supported" (OpenID Connect Discovery §3).
	RequestURIParameterSupported *bool `json:"request_uri_parameter_supported,omitempty"`
	// RequireRequestURIRegistration is "require_request_uri_registration"
	// (OpenID Connect Discovery §3).
	RequireRequestURIRegistration *bool `json:"require_request_uri_registration,omitempty"`
	// FrontchannelLogoutSupported is "frontchannel_logout_supported" (OpenID
	// Connect Front-Channel Logout §3).
	FrontchannelLogoutSupported *bool `json:"frontchannel_logout_supported,omitempty"`
	// FrontchannelLogoutSessionSupported is
	// "frontchannel_logout_session_supported" (OpenID Connect Front-Channel Logout §3).
	FrontchannelLogoutSessionSupported *bool `json:"frontchannel_logout_session_supported,omitempty"`
	// BackchannelLogoutSupported is "backchannel_logout_supported" (OpenID
	// Connect Back-Channel Logout §2.1).
	BackchannelLogoutSupported *bool `json:"backchannel_logout_supported,omitempty"`
	// BackchannelLogoutSessionSupported is
	// "backchannel_logout_session_supported" (OpenID Connect Back-Channel Logout §2.1).
	BackchannelLogoutSessionSupported *bool `json:"backchannel_logout_session_supported,omitempty"`

	// Extra holds the members of the document that this struct does not
	// declare, by name, as raw JSON. They are written back by MarshalJSON.
	Extra map[string]json.RawMessage `json:"-"`
}

type asMetadataFields AuthorizationServerMetadata

// UnmarshalJSON decodes a metadata document, keeping undeclared members in Extra.
func (m *AuthorizationServerMetadata) UnmarshalJSON(data []byte) error {
	var f asMetadataFields
	extra, err := decodeWithExtra(data, &f)
	if err != nil {
		return err
	}
	f.Extra = extra
	*m = AuthorizationServerMetadata(f)
	return nil
}

// MarshalJSON encodes the metadata with the members of Extra, omitting empty fields.
func (m AuthorizationServerMetadata) MarshalJSON() ([]byte, error) {
	f := asMetadataFields(m)
	return encodeWithExtra(&f, m.Extra)
}

// ProtectedResourceMetadata is a protected resource's metadata document,
// RFC 9728 §2. An MCP server serves it so that clients find the authorization
// servers it trusts (MCP 2025-06-18 and later).
type ProtectedResourceMetadata struct {
	// Resource is "resource" (RFC 9728 §2, required): the protected
	// resource's identifier, the exact public URL of the MCP endpoint. It is
	// also the audience access tokens must carry (RFC 8707 §2).
	Resource string `json:"resource"`
	// AuthorizationServers is "authorization_servers" (RFC 9728 §2): the
	// issuer identifiers of the authorization servers the resource trusts.
	// In a [ProtectedResource] configuration it is filled from AuthServers.
	AuthorizationServers []string `json:"authorization_servers,omitempty"`
	// JWKSURI is "jwks_uri" (RFC 9728 §2): the resource's own public keys.
	JWKSURI string `json:"jwks_uri,omitempty"`
	// ScopesSupported is "scopes_supported" (RFC 9728 §2): the scopes a client
	// may request for this resource. MCP clients request these when a
	// challenge names none. "offline_access" does not belong here (MCP 2026-07-28).
	ScopesSupported []string `json:"scopes_supported,omitempty"`
	// BearerMethodsSupported is "bearer_methods_supported" (RFC 9728 §2). MCP
	// allows only ["header"].
	BearerMethodsSupported []string `json:"bearer_methods_supported,omitempty"`
	// ResourceSigningAlgValuesSupported is
	// "resource_signing_alg_values_supported" (RFC 9728 §2).
	ResourceSigningAlgValuesSupported []string `json:"resource_signing_alg_values_supported,omitempty"`
	// ResourceName is "resource_name" (RFC 9728 §2, recommended): a
	// human-readable name for end users.
	ResourceName string `json:"resource_name,omitempty"`
	// ResourceDocumentation is "resource_documentation" (RFC 9728 §2).
	ResourceDocumentation string `json:"resource_documentation,omitempty"`
	// ResourcePolicyURI is "resource_policy_uri" (RFC 9728 §2).
	ResourcePolicyURI string `json:"resource_policy_uri,omitempty"`
	// ResourceTOSURI is "resource_tos_uri" (RFC 9728 §2).
	ResourceTOSURI string `json:"resource_tos_uri,omitempty"`
	// TLSClientCertificateBoundAccessTokens is
	// "tls_client_certificate_bound_access_tokens" (RFC 9728 §2, RFC 8705).
	TLSClientCertificateBoundAccessTokens *bool `json:"tls_client_certificate_bound_access_tokens,omitempty"`
	// AuthorizationDetailsTypesSupported is
	// "authorization_details_types_supported" (RFC 9728 §2, RFC 9396).
	AuthorizationDetailsTypesSupported []string `json:"authorization_details_types_supported,omitempty"`
	// DPoPSigningAlgValuesSupported is "dpop_signing_alg_values_supported"
	// (RFC 9728 §2, RFC 9449).
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
	// DPoPBoundAccessTokensRequired is "dpop_bound_access_tokens_required"
	// (RFC 9728 §2, RFC 9449).
	DPoPBoundAccessTokensRequired *bool `json:"dpop_bound_access_tokens_required,omitempty"`
	// SignedMetadata is "signed_metadata" (RFC 9728 §2.2): a JWT whose claims
	// are metadata values, served as given.
	SignedMetadata string `json:"signed_metadata,omitempty"`

	// Extra holds members this struct does not declare, as raw JSON. They are
	// decoded from and written to the document unchanged.
	Extra map[string]json.RawMessage `json:"-"`
}

type prMetadataFields ProtectedResourceMetadata

// UnmarshalJSON decodes a metadata document, keeping undeclared members in Extra.
func (m *ProtectedResourceMetadata) UnmarshalJSON(data []byte) error {
	var f prMetadataFields
	extra, err := decodeWithExtra(data, &f)
	if err != nil {
		return err
	}
	f.Extra = extra
	*m = ProtectedResourceMetadata(f)
	return nil
}

// MarshalJSON encodes the metadata with the members of Extra, omitting empty fields.
func (m ProtectedResourceMetadata) MarshalJSON() ([]byte, error) {
	f := prMetadataFields(m)
	return encodeWithExtra(&f, m.Extra)
}
