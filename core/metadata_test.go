package mcpauth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// providerFindings records what each real provider's document gives: a parse
// error (the RFC 8414 member it lacks) or the validation errors and warnings.
var providerFindings = map[string]struct {
	parseErr string
	errors   []ValidationCode
	warnings []ValidationCode
}{
	// A documentation sample of eight members: no response_types_supported,
	// so it needs a Transpile hook (tested below).
	"asgardeo-openid-configuration.json":    {parseErr: "response_types_supported"},
	"auth0-oauth-authorization-server.json": {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"auth0-openid-configuration.json":       {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	// Cognito and Entra ID support PKCE but do not say so.
	"cognito-2019-openid-configuration.json":    {errors: []ValidationCode{ValidationPKCENotSupported}, warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"cognito-openid-configuration.json":         {errors: []ValidationCode{ValidationPKCENotSupported}, warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"entra-id-common-openid-configuration.json": {errors: []ValidationCode{ValidationPKCENotSupported}, warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"entra-id-openid-configuration.json":        {errors: []ValidationCode{ValidationPKCENotSupported}, warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	// GitHub issues opaque tokens: no key set at all.
	"github-oauth-authorization-server.json":       {errors: []ValidationCode{ValidationMissingJWKSURI}, warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"google-openid-configuration.json":             {warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"hydra-oauth-authorization-server.json":        {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"hydra-openid-configuration.json":              {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"keycloak-openid-configuration.json":           {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"logto-oauth-authorization-server.json":        {warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"logto-openid-configuration.json":              {warnings: []ValidationCode{ValidationDynamicRegistrationNotSupported, ValidationClientIDMetadataDocumentNotSupported}},
	"okta-default-oauth-authorization-server.json": {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"okta-default-openid-configuration.json":       {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	"okta-org-openid-configuration.json":           {warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
	// The guide's document shows no jwks_uri.
	"workos-authkit-oauth-authorization-server.json": {errors: []ValidationCode{ValidationMissingJWKSURI}, warnings: []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
}

func codes(fs []ValidationFinding) []ValidationCode {
	var out []ValidationCode
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestProviderFixtures(t *testing.T) {
	files, err := filepath.Glob("../testdata/provider-metadata/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			want, ok := providerFindings[name]
			if !ok {
				t.Fatalf("no expectation recorded for %s", name)
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			// Lossless: decoding and encoding again gives the same JSON value.
			var md AuthorizationServerMetadata
			if err := json.Unmarshal(raw, &md); err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(md)
			if err != nil {
				t.Fatal(err)
			}
			var orig, round any
			json.Unmarshal(raw, &orig)
			json.Unmarshal(again, &round)
			if !reflect.DeepEqual(orig, round) {
				t.Fatalf("re-serialized document differs:\n%s\n%s", raw, again)
			}
			obj, err := decodeObject(raw)
			if err != nil {
				t.Fatal(err)
			}
			parsed, err := parseServerMetadata(obj)
			if want.parseErr != "" {
				if !errors.Is(err, ErrInvalidServerMetadata) || !strings.Contains(err.Error(), want.parseErr) {
					t.Fatalf("parse error %v, want one naming %s", err, want.parseErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			r := ValidateServerConfig(&ServerConfig{Metadata: *parsed}, nil)
			if !slices.Equal(codes(r.Errors), want.errors) || !slices.Equal(codes(r.Warnings), want.warnings) {
				t.Errorf("errors %v warnings %v, want %v %v", codes(r.Errors), codes(r.Warnings), want.errors, want.warnings)
			}
			if r.IsValid != (len(want.errors) == 0) {
				t.Errorf("IsValid = %v", r.IsValid)
			}
		})
	}
}

func TestAsgardeoNeedsTranspile(t *testing.T) {
	raw, err := os.ReadFile("../testdata/provider-metadata/asgardeo-openid-configuration.json")
	if err != nil {
		t.Fatal(err)
	}
	srv := newASServer(t)
	srv.handle("/doc", func(w http.ResponseWriter, r *http.Request) { w.Write(raw) })
	fix := func(m map[string]any) (map[string]any, error) {
		m["response_types_supported"] = []any{"code"}
		return m, nil
	}
	cfg, err := FetchServerConfigByWellKnownURL(context.Background(), srv.URL+"/doc", ServerTypeOIDC, &DiscoveryOptions{Transpile: fix})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Metadata.Issuer != "https://api.asgardeo.io/t/bifrost/oauth2/token" || cfg.Metadata.JWKSURI == "" {
		t.Errorf("got %+v", cfg.Metadata)
	}
}

func TestMetadataExtraMembers(t *testing.T) {
	in := `{"issuer":"https://a.example","response_types_supported":["code"],"claims_parameter_supported":false,"z_custom":[1,2],"a_custom":{"x":"y"}}`
	var md AuthorizationServerMetadata
	if err := json.Unmarshal([]byte(in), &md); err != nil {
		t.Fatal(err)
	}
	if md.ClaimsParameterSupported == nil || *md.ClaimsParameterSupported {
		t.Error("explicit false lost")
	}
	if len(md.Extra) != 2 || string(md.Extra["z_custom"]) != "[1,2]" {
		t.Errorf("extra = %v", md.Extra)
	}
	out, _ := json.Marshal(md)
	want := `{"issuer":"https://a.example","response_types_supported":["code"],"claims_parameter_supported":false,"a_custom":{"x":"y"},"z_custom":[1,2]}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	// A declared field wins over an Extra member of the same name; invalid raw JSON is dropped.
	md.Extra["issuer"] = json.RawMessage(`"https://evil.example"`)
	md.Extra["broken"] = json.RawMessage(`{`)
	out, _ = json.Marshal(md)
	if strings.Contains(string(out), "evil") || strings.Contains(string(out), "broken") {
		t.Errorf("got %s", out)
	}
	// An empty document with only extras.
	out, _ = json.Marshal(AuthorizationServerMetadata{Extra: map[string]json.RawMessage{"k": json.RawMessage(`1`)}})
	if string(out) != `{"issuer":"","k":1}` {
		t.Errorf("got %s", out)
	}
}

func TestProtectedResourceMetadataJSON(t *testing.T) {
	yes := true
	md := ProtectedResourceMetadata{
		Resource:                              "https://mcp.example.com/mcp",
		AuthorizationServers:                  []string{"https://auth.example.com"},
		JWKSURI:                               "https://mcp.example.com/jwks",
		ScopesSupported:                       []string{"read", "write"},
		BearerMethodsSupported:                []string{"header"},
		ResourceSigningAlgValuesSupported:     []string{"RS256"},
		ResourceName:                          "Todo MCP",
		ResourceDocumentation:                 "https://mcp.example.com/docs",
		ResourcePolicyURI:                     "https://mcp.example.com/policy",
		ResourceTOSURI:                        "https://mcp.example.com/tos",
		TLSClientCertificateBoundAccessTokens: &yes,
		AuthorizationDetailsTypesSupported:    []string{"payment"},
		DPoPSigningAlgValuesSupported:         []string{"ES256"},
		DPoPBoundAccessTokensRequired:         &yes,
		SignedMetadata:                        "eyJ.x.y",
		Extra:                                 map[string]json.RawMessage{"x_custom": json.RawMessage(`"v"`)},
	}
	out, err := json.Marshal(md)
	if err != nil {
		t.Fatal(err)
	}
	for _, member := range []string{"resource", "authorization_servers", "jwks_uri", "scopes_supported", "bearer_methods_supported", "resource_signing_alg_values_supported", "resource_name", "resource_documentation", "resource_policy_uri", "resource_tos_uri", "tls_client_certificate_bound_access_tokens", "authorization_details_types_supported", "dpop_signing_alg_values_supported", "dpop_bound_access_tokens_required", "signed_metadata", "x_custom"} {
		if !strings.Contains(string(out), `"`+member+`":`) {
			t.Errorf("member %s missing from %s", member, out)
		}
	}
	var back ProtectedResourceMetadata
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, md) {
		t.Errorf("round trip:\n%+v\n%+v", back, md)
	}
	empty, _ := json.Marshal(ProtectedResourceMetadata{Resource: "https://x.example"})
	if string(empty) != `{"resource":"https://x.example"}` {
		t.Errorf("empty fields not omitted: %s", empty)
	}
}

func TestResourceMetadataURL(t *testing.T) {
	tests := map[string]string{
		"https://api.example.com":              "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/":             "https://api.example.com/.well-known/oauth-protected-resource",
		"https://api.example.com/mcp":          "https://api.example.com/.well-known/oauth-protected-resource/mcp",
		"https://api.example.com/notes/":       "https://api.example.com/.well-known/oauth-protected-resource/notes/",
		"https://api.example.com/a/b?x=1#frag": "https://api.example.com/.well-known/oauth-protected-resource/a/b",
		"http://localhost:3000/foo":            "http://localhost:3000/.well-known/oauth-protected-resource/foo",
		"https://api.example.com/with%20space": "https://api.example.com/.well-known/oauth-protected-resource/with%20space",
	}
	for in, want := range tests {
		got, err := ResourceMetadataURL(in)
		if err != nil || got != want {
			t.Errorf("ResourceMetadataURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "/mcp", "not a url", "mcp.example.com"} {
		if _, err := ResourceMetadataURL(bad); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("ResourceMetadataURL(%q) = %v", bad, err)
		}
	}
}
