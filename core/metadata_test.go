package mcpauth

import (
	"bytes"
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

// FuzzServerMetadata decodes authorization-server metadata the two ways the
// library does (the struct's own UnmarshalJSON, and discovery's
// decodeObject + parseServerMetadata): never a panic; a document that
// decodes encodes to one that decodes to the same value, and encoding that
// again gives the same bytes; a document discovery accepts has the members
// RFC 8414 §2 requires.
func FuzzServerMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip[AuthorizationServerMetadata](t, data)
		obj, err := decodeObject(data)
		if err != nil {
			return
		}
		md, err := parseServerMetadata(obj)
		if err != nil {
			if !errors.Is(err, ErrInvalidServerMetadata) {
				t.Fatalf("error %v does not wrap ErrInvalidServerMetadata", err)
			}
			return
		}
		if md.Issuer == "" || len(md.ResponseTypesSupported) == 0 {
			t.Fatalf("accepted without issuer or response_types_supported: %s", data)
		}
		ValidateServerConfig(&ServerConfig{Metadata: *md}, &ValidateOptions{Verbose: true})
	})
}

// FuzzResourceMetadata is FuzzServerMetadata's round trip for RFC 9728
// protected resource metadata.
func FuzzResourceMetadata(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip[ProtectedResourceMetadata](t, data)
	})
}

// checkRoundTrip decodes data into a T; if that works, encoding and decoding
// again must give the same value, and a second encoding the same bytes.
func checkRoundTrip[T any](t *testing.T, data []byte) {
	var first T
	if json.Unmarshal(data, &first) != nil {
		return
	}
	enc, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("decoded %s but cannot encode it: %v", data, err)
	}
	var second T
	if err := json.Unmarshal(enc, &second); err != nil {
		t.Fatalf("cannot decode its own encoding %s: %v", enc, err)
	}
	if again, _ := json.Marshal(second); !bytes.Equal(enc, again) {
		t.Fatalf("encodings differ:\n%s\n%s", enc, again)
	}
	if diff := metadataDiff(reflect.ValueOf(first), reflect.ValueOf(second)); diff != "" {
		t.Fatalf("%s changed in the round trip of %s (encoded %s)", diff, data, enc)
	}
}

// metadataDiff names the first field of two metadata structs that differs.
// Empty and absent lists, maps and strings are the same value (the encoding
// omits them), and Extra members compare as JSON values.
func metadataDiff(a, b reflect.Value) string {
	for i := range a.NumField() {
		name := a.Type().Field(i).Name
		fa, fb := a.Field(i), b.Field(i)
		if name == "Extra" {
			if !sameExtra(fa.Interface().(map[string]json.RawMessage), fb.Interface().(map[string]json.RawMessage)) {
				return name
			}
			continue
		}
		if (fa.Kind() == reflect.Slice || fa.Kind() == reflect.Map) && fa.Len() == 0 && fb.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(fa.Interface(), fb.Interface()) {
			return name
		}
	}
	return ""
}

func sameExtra(a, b map[string]json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || !sameJSON(va, vb) {
			return false
		}
	}
	return true
}

func sameJSON(a, b []byte) bool {
	decode := func(data []byte) (any, error) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		return v, dec.Decode(&v)
	}
	va, erra := decode(a)
	vb, errb := decode(b)
	return erra == nil && errb == nil && reflect.DeepEqual(va, vb)
}
