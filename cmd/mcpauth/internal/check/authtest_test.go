package check

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// The client and resource of the authtest runs.
const (
	clientID     = "mcp-client"
	clientSecret = "s3cret"
	resourceURL  = "http://127.0.0.1:3001/mcp"
)

// newAS starts an authtest server with the test client, which also
// advertises client ID metadata documents, so that a run against it can
// pass everything.
func newAS(t *testing.T, opts authtest.Options) *authtest.Server {
	t.Helper()
	opts.Clients = append(opts.Clients, authtest.Client{ID: clientID, Secret: clientSecret})
	opts.Scopes = []string{"read", "write"}
	edit := opts.Metadata
	opts.Metadata = func(doc map[string]any) {
		doc["client_id_metadata_document_supported"] = true
		if edit != nil {
			edit(doc)
		}
	}
	as := authtest.NewServer(&opts)
	t.Cleanup(as.Close)
	return as
}

// withCredentials are the command-line flags of a token request.
func withCredentials(issuer string, more ...string) []string {
	return append([]string{issuer, "-client-id", clientID, "-client-secret", clientSecret}, more...)
}

// mintAtTokenEndpoint makes the token endpoint of as answer with a token
// minted with opts, to shape what a provider issues.
func mintAtTokenEndpoint(as *authtest.Server, opts authtest.MintOptions) {
	as.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPost || r.URL.Path != as.Path("/token") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": as.MintWith(opts), "token_type": "Bearer", "expires_in": 3600})
		return true
	})
}

// TestAuthtestUsable checks a server that does everything right: every
// finding passes or informs, and the library accepts the token.
func TestAuthtestUsable(t *testing.T) {
	as := newAS(t, authtest.Options{Path: "/tenant"})
	res := runJSON(t, withCredentials(as.Issuer, "-resource", resourceURL, "-scope", "read")...)
	if res.status != report.ExitOK {
		t.Fatalf("exit %d:\n%s", res.status, findingsText(res.rep))
	}
	expect(t, res.rep,
		want{check: "discovery", status: report.Pass}, want{check: "issuer", status: report.Pass},
		want{check: "jwks", status: report.Pass, text: "key-1"}, want{check: "dpop", status: report.Info},
		want{check: "token", status: report.Pass}, want{check: "token_type", status: report.Pass},
		want{check: "token_issuer", status: report.Pass}, want{check: "token_audience", status: report.Pass},
		want{check: "acceptance", status: report.Pass, text: `client "mcp-client", scopes ["read"]`})
	if n := res.rep.Count(report.Warn) + res.rep.Count(report.Fail); n != 0 {
		t.Errorf("%d warnings or failures:\n%s", n, findingsText(res.rep))
	}
	code := section(res.rep, "Go configuration")
	checkGoSource(t, code)
	for _, s := range []string{`const resource = "http://127.0.0.1:3001/mcp"`, `mux.Handle("/mcp"`, `http.ListenAndServe("127.0.0.1:3001"`, "mcpauth.ServerTypeOAuth"} {
		if !strings.Contains(code, s) {
			t.Errorf("the Go configuration lacks %q:\n%s", s, code)
		}
	}
	if tok := section(res.rep, "Access token (decoded, not verified)"); !strings.Contains(tok, `"aud": "http://127.0.0.1:3001/mcp"`) {
		t.Errorf("token section:\n%s", tok)
	}
}

// TestAuthtestTokenQuirks shapes the tokens of the token endpoint as real
// providers do, and checks the quirk reported, the library's verdict, and
// the configuration printed.
func TestAuthtestTokenQuirks(t *testing.T) {
	const guidAud = "6e74172b-be56-4843-9ff4-e66a39bb12e3"
	past := time.Now().Add(-time.Hour).Unix()
	for _, tt := range []struct {
		name  string
		mint  authtest.MintOptions
		exit  int
		wants []want
		goHas []string
	}{
		{name: "no aud (Cognito, Keycloak)", mint: authtest.MintOptions{Claims: authtest.Claims{"client_id": clientID}}, exit: report.ExitWarnings,
			wants: []want{{check: "token_audience", status: report.Warn, text: "NoAudienceClientIDs"}, {check: "token_audience", status: report.Warn, text: "resource indicator"},
				{check: "acceptance", status: report.Warn, code: "invalid_audience", text: `NoAudienceClientIDs = ["mcp-client"]`}},
			goHas: []string{`NoAudienceClientIDs: []string{"mcp-client"}`}},
		{name: "GUID aud (Entra ID)", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": guidAud, "azp": clientID}}, exit: report.ExitWarnings,
			wants: []want{{check: "token_audience", status: report.Warn, text: "is a GUID"}, {check: "acceptance", status: report.Warn, code: "invalid_audience", text: "Audiences"}},
			goHas: []string{`Audiences: []string{"` + guidAud + `"}`}},
		{name: "api:// aud", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": "api://todo-api"}}, exit: report.ExitWarnings,
			wants: []want{{check: "token_audience", status: report.Warn, text: "application ID URI"}}, goHas: []string{`Audiences: []string{"api://todo-api"}`}},
		{name: "scp (Okta, Entra ID)", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL, "scp": []string{"read"}}}, exit: report.ExitOK,
			wants: []want{{check: "token_scope", status: report.Info, text: "scp"}, {check: "acceptance", status: report.Pass, text: `scopes ["read"]`}}},
		{name: "typ JWT", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL}, Header: map[string]any{"typ": "JWT"}}, exit: report.ExitOK,
			wants: []want{{check: "token_type", status: report.Info, text: "RequireTokenType"}, {check: "acceptance", status: report.Pass}}},
		{name: "Entra ID v1 iss", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL, "iss": "https://sts.windows.net/" + guidAud + "/"}}, exit: report.ExitFailed,
			wants: []want{{check: "token_issuer", status: report.Fail, code: "invalid_issuer", text: "requestedAccessTokenVersion"}, {check: "acceptance", status: report.Fail, code: "invalid_issuer"}}},
		{name: "DPoP-bound", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL, "cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}}, exit: report.ExitFailed,
			wants: []want{{check: "token_binding", status: report.Warn, text: "DPoP"}, {check: "acceptance", status: report.Fail, code: "invalid_token"}},
			goHas: []string{"DPoP: &mcpauth.DPoPOptions{}"}},
		{name: "expired", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL, "exp": past, "iat": past - 60}}, exit: report.ExitFailed,
			wants: []want{{check: "acceptance", status: report.Fail, code: "invalid_token", text: "expired"}}},
		{name: "no scopes", mint: authtest.MintOptions{Claims: authtest.Claims{"aud": resourceURL}}, exit: report.ExitOK,
			wants: []want{{check: "token_scope", status: report.Info, text: "no scopes"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := newAS(t, authtest.Options{})
			mintAtTokenEndpoint(as, tt.mint)
			res := runJSON(t, withCredentials(as.Issuer, "-resource", resourceURL)...)
			if res.status != tt.exit {
				t.Errorf("exit %d, want %d:\n%s", res.status, tt.exit, findingsText(res.rep))
			}
			expect(t, res.rep, tt.wants...)
			code := section(res.rep, "Go configuration")
			checkGoSource(t, code)
			for _, s := range tt.goHas {
				if !strings.Contains(code, s) {
					t.Errorf("the Go configuration lacks %q:\n%s", s, code)
				}
			}
		})
	}
}

// TestAuthtestOpaqueTokens checks opaque tokens: without -resource authtest
// issues one, which is introspected; with OpaqueTokens, the configuration
// uses introspection.
func TestAuthtestOpaqueTokens(t *testing.T) {
	t.Run("no resource", func(t *testing.T) {
		as := newAS(t, authtest.Options{})
		res := runJSON(t, withCredentials(as.Issuer)...)
		expect(t, res.rep, want{check: "token_format", status: report.Info, text: "-resource"},
			want{check: "acceptance", status: report.Pass, text: "audience aside"})
		if res.status != report.ExitOK {
			t.Errorf("exit %d:\n%s", res.status, findingsText(res.rep))
		}
		if code := section(res.rep, "Go configuration"); strings.Contains(code, "Introspection") {
			t.Errorf("introspection configured for a server that issues JWTs for resources:\n%s", code)
		}
	})
	t.Run("opaque for the resource", func(t *testing.T) {
		as := newAS(t, authtest.Options{OpaqueTokens: true})
		res := runJSON(t, withCredentials(as.Issuer, "-resource", resourceURL)...)
		expect(t, res.rep, want{check: "token_format", status: report.Info, text: "introspection"},
			want{check: "acceptance", status: report.Pass, text: "introspected"})
		if code := section(res.rep, "Go configuration"); !strings.Contains(code, "mcpauth.NewIntrospectionVerifier") {
			t.Errorf("no introspection in:\n%s", code)
		}
	})
}

// TestAuthtestTokenRefused checks token endpoint errors and garbage.
func TestAuthtestTokenRefused(t *testing.T) {
	t.Run("wrong secret", func(t *testing.T) {
		as := newAS(t, authtest.Options{})
		res := runJSON(t, as.Issuer, "-client-id", clientID, "-client-secret", "wrong")
		expect(t, res.rep, want{check: "token", status: report.Fail, text: "invalid_client"})
		if res.status != report.ExitFailed {
			t.Errorf("exit %d", res.status)
		}
	})
	for name, answer := range map[string]string{
		"not JSON":       "<html>oops</html>",
		"no token":       `{"token_type":"Bearer"}`,
		"three garbage":  `{"access_token":"a.b.c","token_type":"Bearer"}`,
		"wrong types":    `{"access_token":42}`,
		"control chars":  `{"error":"bad\u001b[31m","error_description":"\u001b[2J"}`,
		"trailing bytes": `{"access_token":"x"} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			as := newAS(t, authtest.Options{})
			as.SetIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				if r.URL.Path != as.Path("/token") {
					return false
				}
				if name == "control chars" {
					w.WriteHeader(http.StatusBadRequest)
				}
				w.Write([]byte(answer))
				return true
			})
			args := withCredentials(as.Issuer, "-resource", resourceURL)
			if text := run(t, args...); strings.ContainsAny(text.stdout, "\x1b\x00") {
				t.Errorf("control characters reach the terminal:\n%q", text.stdout)
			}
			res := runJSON(t, args...)
			if name == "three garbage" {
				expect(t, res.rep, want{check: "token_format", status: report.Info, text: "three parts"})
				return
			}
			expect(t, res.rep, want{check: "token", status: report.Fail})
		})
	}
}

// TestMetadataQuirks checks the quirks read from metadata, each reported
// only when the document shows it.
func TestMetadataQuirks(t *testing.T) {
	as := newAS(t, authtest.Options{Metadata: func(doc map[string]any) {
		doc["protected_resources"] = []string{"https://other.example/mcp"}
		doc["require_pushed_authorization_requests"] = true
		doc["tls_client_certificate_bound_access_tokens"] = true
		doc["grant_types_supported"] = []string{"authorization_code"}
		doc["token_endpoint_auth_methods_supported"] = []string{"private_key_jwt"}
		doc["cloud_instance_name"] = "microsoftonline.com"
		delete(doc, "dpop_signing_alg_values_supported")
		delete(doc, "introspection_endpoint")
	}})
	res := runJSON(t, withCredentials(as.Issuer, "-resource", resourceURL)...)
	expect(t, res.rep,
		want{check: "protected_resources", status: report.Warn, text: "https://other.example/mcp"},
		want{check: "par", status: report.Warn}, want{check: "mtls", status: report.Info},
		want{check: "client_credentials", status: report.Info, text: "grant_types_supported"},
		want{check: "client_credentials", status: report.Info, text: "client_secret_basic"},
		want{check: "entra_id", status: report.Info, text: "cloud_instance_name"})
	absent(t, res.rep, "dpop", report.Info)
	absent(t, res.rep, "introspection", report.Info)
	absent(t, res.rep, "client_registration", report.Info)
}
