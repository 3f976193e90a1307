package check

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// fixtureDir holds the real providers' metadata documents (see
// /testdata/provider-metadata and core's TestProviderFixtures).
const fixtureDir = "../../../../testdata/provider-metadata"

// serveFixture serves the document of file from a test server, with every
// absolute URL in it moved to the server (so that discovery, issuer
// equality and the key set work), at the location its kind is served at:
// RFC 8414's inserted URL for an oauth-authorization-server document,
// OpenID Connect's appended URL for an openid-configuration one; issuerPath,
// when set, replaces the issuer's path (for a template issuer, which no
// lookup can match). It also serves the test key set at the jwks_uri. It
// returns the issuer to check.
func serveFixture(t *testing.T, file, issuerPath string) (issuer string, srv *testServer) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(fixtureDir, file))
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	srv = newTestServer(t)
	moved := moveURLs(doc, srv.URL).(map[string]any)
	issuer, _ = moved["issuer"].(string)
	if issuerPath != "" {
		issuer = srv.URL + issuerPath
	}
	path := strings.TrimSuffix(strings.TrimPrefix(issuer, srv.URL), "/")
	if strings.Contains(file, "oauth-authorization-server") {
		srv.handle("/.well-known/oauth-authorization-server"+path, jsonAnswer(moved))
	} else {
		srv.handle(path+"/.well-known/openid-configuration", jsonAnswer(moved))
	}
	if jwks, ok := moved["jwks_uri"].(string); ok {
		srv.handle(strings.TrimPrefix(jwks, srv.URL), keySet)
	}
	return issuer, srv
}

// moveURLs returns v with every absolute http(s) URL in it moved to base
// (its scheme and host replaced; path and query kept).
func moveURLs(v any, base string) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range v {
			out[k] = moveURLs(e, base)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = moveURLs(e, base)
		}
		return out
	case string:
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return v
		}
		return base + strings.TrimPrefix(v, u.Scheme+"://"+u.Host)
	}
	return v
}

// TestProviderFixtures checks each real provider's document: the exit
// status, the key findings, and what the Go configuration holds.
func TestProviderFixtures(t *testing.T) {
	usable := []want{{check: "discovery", status: report.Pass}, {check: "issuer", status: report.Pass}, {check: "jwks", status: report.Pass}, {check: "pkce", status: report.Pass, code: "pkce_supported"}}
	noPKCE := want{check: "pkce", status: report.Fail, code: "pkce_not_supported"}
	noCIMD := want{check: "client_id_metadata", status: report.Warn, code: "client_id_metadata_document_not_supported"}
	noDCR := want{check: "registration", status: report.Warn, code: "dynamic_registration_not_supported"}
	byHand := want{check: "client_registration", status: report.Info}
	cases := []struct {
		file       string
		issuerPath string
		exit       int
		wants      []want
		goHas      []string // in the Go configuration
		goLacks    []string
	}{
		{file: "asgardeo-openid-configuration.json", exit: report.ExitFailed,
			wants: []want{{check: "discovery", status: report.Fail, text: "Transpile"}, {check: "metadata", status: report.Fail, code: "invalid_server_metadata", text: "response_types_supported"},
				noPKCE, {check: "issuer", status: report.Pass}, {check: "jwks", status: report.Pass}, {check: "introspection", status: report.Info}},
			goHas: []string{"mcpauth.ServerTypeOIDC", "Transpile: addResponseTypes", "func addResponseTypes"}},
		{file: "auth0-oauth-authorization-server.json", exit: report.ExitWarnings, wants: append(usable, noCIMD, want{check: "mtls", status: report.Info}), goHas: []string{"mcpauth.ServerTypeOAuth"}},
		{file: "auth0-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noCIMD), goHas: []string{"mcpauth.ServerTypeOIDC"}},
		{file: "cognito-2019-openid-configuration.json", exit: report.ExitFailed, wants: []want{noPKCE, noDCR, noCIMD, byHand}},
		{file: "cognito-openid-configuration.json", exit: report.ExitFailed, wants: []want{noPKCE, noDCR, noCIMD, byHand, {check: "jwks", status: report.Pass}}},
		{file: "entra-id-common-openid-configuration.json", issuerPath: "/common/v2.0", exit: report.ExitFailed,
			wants: []want{{check: "discovery", status: report.Fail, text: "names issuer"}, {check: "issuer", status: report.Fail, text: "template"}}},
		{file: "entra-id-openid-configuration.json", exit: report.ExitFailed, wants: []want{noPKCE, noDCR, noCIMD, byHand, {check: "entra_id", status: report.Info, text: "requestedAccessTokenVersion"}}},
		{file: "github-oauth-authorization-server.json", exit: report.ExitWarnings,
			wants: []want{{check: "jwks_uri", status: report.Warn, code: "missing_jwks_uri", text: "VerifierFunc"}, noDCR, noCIMD, byHand, {check: "pkce_s256", status: report.Pass}},
			goHas: []string{"mcpauth.VerifierFunc(verifyToken)", "func verifyToken"}, goLacks: []string{"NewIntrospectionVerifier"}},
		{file: "google-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noDCR, noCIMD)},
		{file: "hydra-oauth-authorization-server.json", exit: report.ExitWarnings, wants: append(usable, noCIMD)},
		{file: "hydra-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noCIMD)},
		{file: "keycloak-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noCIMD, want{check: "introspection", status: report.Info}), goHas: []string{"mcpauth.ServerTypeOIDC"}},
		{file: "logto-oauth-authorization-server.json", exit: report.ExitWarnings, wants: append(usable, noDCR, noCIMD)},
		{file: "logto-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noDCR, noCIMD)},
		{file: "okta-default-oauth-authorization-server.json", exit: report.ExitWarnings, wants: append(usable, noCIMD, want{check: "dpop", status: report.Info})},
		{file: "okta-default-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noCIMD)},
		{file: "okta-org-openid-configuration.json", exit: report.ExitWarnings, wants: append(usable, noCIMD)},
		{file: "workos-authkit-oauth-authorization-server.json", exit: report.ExitWarnings,
			wants: []want{{check: "jwks_uri", status: report.Warn, code: "missing_jwks_uri", text: "introspection"}, noCIMD, {check: "discovery", status: report.Pass}},
			goHas: []string{"mcpauth.NewIntrospectionVerifier", "bearer.Verifier = verifier"}, goLacks: []string{"verifyToken"}},
	}
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) != len(cases) {
		t.Fatalf("%d provider documents for %d expectations (%v)", len(files), len(cases), err)
	}
	for i, f := range files {
		if filepath.Base(f) != cases[i].file {
			t.Fatalf("no expectation for %s (the table is in file order)", filepath.Base(f))
		}
	}
	for _, tt := range cases {
		t.Run(tt.file, func(t *testing.T) {
			issuer, _ := serveFixture(t, tt.file, tt.issuerPath)
			res := runJSON(t, issuer)
			if res.status != tt.exit {
				t.Errorf("exit %d, want %d:\n%s", res.status, tt.exit, findingsText(res.rep))
			}
			expect(t, res.rep, tt.wants...)
			code := section(res.rep, "Go configuration")
			if tt.exit != report.ExitFailed || tt.goHas != nil {
				checkGoSource(t, code)
			}
			for _, s := range tt.goHas {
				if !strings.Contains(code, s) {
					t.Errorf("the Go configuration lacks %q:\n%s", s, code)
				}
			}
			for _, s := range tt.goLacks {
				if strings.Contains(code, s) {
					t.Errorf("the Go configuration has %q:\n%s", s, code)
				}
			}
		})
	}
}
