package mcpauth

import (
	"errors"
	"slices"
	"testing"
)

func sampleConfig() *ServerConfig {
	yes := true
	return &ServerConfig{Type: ServerTypeOAuth, Metadata: AuthorizationServerMetadata{
		Issuer:                            "https://auth.example.com",
		AuthorizationEndpoint:             "https://auth.example.com/authorize",
		TokenEndpoint:                     "https://auth.example.com/token",
		JWKSURI:                           "https://auth.example.com/jwks",
		RegistrationEndpoint:              "https://auth.example.com/register",
		ResponseTypesSupported:            []string{"code"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClientIDMetadataDocumentSupported: &yes,
	}}
}

func TestValidateServerConfig(t *testing.T) {
	tests := []struct {
		name     string
		mutate   func(*AuthorizationServerMetadata)
		errors   []ValidationCode
		warnings []ValidationCode
	}{
		{"valid", func(*AuthorizationServerMetadata) {}, nil, nil},
		{"no grant types uses the default", func(m *AuthorizationServerMetadata) { m.GrantTypesSupported = nil }, nil, nil},
		{"explicit empty grant types", func(m *AuthorizationServerMetadata) { m.GrantTypesSupported = []string{} },
			[]ValidationCode{ValidationAuthorizationCodeGrantNotSupported}, nil},
		{"invalid grant type", func(m *AuthorizationServerMetadata) { m.GrantTypesSupported = []string{"client_credentials"} },
			[]ValidationCode{ValidationAuthorizationCodeGrantNotSupported}, nil},
		{"token response type", func(m *AuthorizationServerMetadata) {
			m.ResponseTypesSupported = []string{"token"}
			m.CodeChallengeMethodsSupported = nil
			m.RegistrationEndpoint = ""
		}, []ValidationCode{ValidationCodeResponseTypeNotSupported, ValidationPKCENotSupported}, []ValidationCode{ValidationDynamicRegistrationNotSupported}},
		{"plain PKCE only", func(m *AuthorizationServerMetadata) { m.CodeChallengeMethodsSupported = []string{"plain"} },
			[]ValidationCode{ValidationS256NotSupported}, nil},
		{"no registration endpoint: exactly one warning", func(m *AuthorizationServerMetadata) { m.RegistrationEndpoint = "" },
			nil, []ValidationCode{ValidationDynamicRegistrationNotSupported}},
		{"no jwks_uri", func(m *AuthorizationServerMetadata) { m.JWKSURI = "" },
			[]ValidationCode{ValidationMissingJWKSURI}, nil},
		{"no client ID metadata documents", func(m *AuthorizationServerMetadata) { m.ClientIDMetadataDocumentSupported = nil },
			nil, []ValidationCode{ValidationClientIDMetadataDocumentNotSupported}},
		{"malformed: empty metadata", func(m *AuthorizationServerMetadata) { *m = AuthorizationServerMetadata{} },
			[]ValidationCode{ValidationInvalidServerMetadata}, nil},
		{"malformed: no response types", func(m *AuthorizationServerMetadata) { m.ResponseTypesSupported = nil },
			[]ValidationCode{ValidationInvalidServerMetadata}, nil},
		{"malformed: issuer not a URL", func(m *AuthorizationServerMetadata) { m.Issuer = "auth.example.com" },
			[]ValidationCode{ValidationInvalidServerMetadata}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := sampleConfig()
			tt.mutate(&cfg.Metadata)
			r := ValidateServerConfig(cfg, nil)
			if !slices.Equal(codes(r.Errors), tt.errors) || !slices.Equal(codes(r.Warnings), tt.warnings) {
				t.Fatalf("errors %v warnings %v, want %v %v", codes(r.Errors), codes(r.Warnings), tt.errors, tt.warnings)
			}
			if r.IsValid != (len(tt.errors) == 0) || r.Successes != nil {
				t.Errorf("IsValid %v, successes %v", r.IsValid, r.Successes)
			}
			for _, f := range append(r.Errors, r.Warnings...) {
				if f.Description == "" {
					t.Errorf("%s has no description", f.Code)
				}
			}
		})
	}
}

func TestValidateServerConfigMalformedCause(t *testing.T) {
	r := ValidateServerConfig(&ServerConfig{}, nil)
	if len(r.Errors) != 1 || !errors.Is(r.Errors[0].Cause, ErrInvalidServerMetadata) {
		t.Fatalf("%+v", r)
	}
	r = ValidateServerConfig(nil, nil)
	if r.IsValid || len(r.Errors) != 1 || r.Errors[0].Code != ValidationInvalidServerMetadata {
		t.Fatalf("nil config: %+v", r)
	}
}

func TestValidateServerConfigVerbose(t *testing.T) {
	r := ValidateServerConfig(sampleConfig(), &ValidateOptions{Verbose: true})
	want := []ValidationCode{
		ValidationServerMetadataValid, ValidationJWKSURIProvided, ValidationCodeResponseTypeSupported,
		ValidationAuthorizationCodeGrantSupported, ValidationPKCESupported, ValidationS256Supported,
		ValidationDynamicRegistrationSupported, ValidationClientIDMetadataDocumentSupported,
	}
	if !slices.Equal(codes(r.Successes), want) || len(r.Errors) != 0 || len(r.Warnings) != 0 {
		t.Fatalf("successes %v", codes(r.Successes))
	}
}

func TestValidationFatal(t *testing.T) {
	cfg := sampleConfig()
	cfg.Metadata.JWKSURI = ""
	cfg.Metadata.CodeChallengeMethodsSupported = nil
	r := ValidateServerConfig(cfg, nil)
	if got := codes(r.Fatal(true)); !slices.Equal(got, []ValidationCode{ValidationMissingJWKSURI}) {
		t.Errorf("Fatal(jwt) = %v", got)
	}
	if got := r.Fatal(false); len(got) != 0 {
		t.Errorf("Fatal(no jwt) = %v", codes(got))
	}
	r = ValidateServerConfig(&ServerConfig{}, nil)
	if got := codes(r.Fatal(false)); !slices.Equal(got, []ValidationCode{ValidationInvalidServerMetadata}) {
		t.Errorf("Fatal(malformed) = %v", got)
	}
}
