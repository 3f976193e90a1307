package token

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// resource is the MCP server the tokens are checked for; it is never
// contacted.
const resource = "https://mcp.example.com/mcp"

// result is one run of the command.
type result struct {
	code           int
	stdout, stderr string
}

// runWith runs the command with args, "-" reading in.
func runWith(t *testing.T, in string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(in), &out, &errb)
	return result{code, out.String(), errb.String()}
}

// runJSON runs the command with -json and decodes its report.
func runJSON(t *testing.T, in string, args ...string) (report.Report, result) {
	t.Helper()
	res := runWith(t, in, append([]string{"-json"}, args...)...)
	var r report.Report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("the JSON output does not decode into report.Report: %v\n%s", err, res.stdout)
	}
	if r.ExitStatus != res.code || r.Command != "token" {
		t.Fatalf("JSON report says exit %d, command %q; the command exited %d", r.ExitStatus, r.Command, res.code)
	}
	return r, res
}

// finding returns r's finding named check (the last one).
func finding(r report.Report, check string) (report.Finding, bool) {
	for i := len(r.Findings) - 1; i >= 0; i-- {
		if r.Findings[i].Check == check {
			return r.Findings[i], true
		}
	}
	return report.Finding{}, false
}

// newServer starts a test authorization server minting tokens for resource.
func newServer(t *testing.T) *authtest.Server {
	t.Helper()
	as := authtest.NewServer(&authtest.Options{Audience: resource})
	t.Cleanup(as.Close)
	return as
}

// TestVerdict presents tokens to the library, through the command, and
// checks its verdict, the code, what the client would receive and the advice.
func TestVerdict(t *testing.T) {
	as := newServer(t)
	now := time.Now()
	for _, tt := range []struct {
		name   string
		token  string
		scope  string
		exit   int
		status report.Status
		code   string
		want   []string // in the text output
	}{
		{name: "valid", token: as.Mint(authtest.Claims{"scope": "read write"}), scope: "read",
			exit: report.ExitOK, status: report.Pass,
			want: []string{"the bearer middleware would accept this token", `subject: "test-user"`, `client: "test-client"`, `scopes: "read write"`, "Result: accepted\n"}},
		{name: "expired", token: as.Mint(authtest.Claims{"exp": now.Add(-3*time.Hour - 12*time.Minute).Unix(), "iat": now.Add(-4 * time.Hour).Unix()}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"INFO  exp", "expired 3h12m ago", "The access token has expired.", "HTTP 401", `error="invalid_token"`, "get a new one"}},
		{name: "wrong audience", token: as.Mint(authtest.Claims{"aud": "https://other.example.com/api"}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_audience",
			want: []string{`"expected":["https://mcp.example.com/mcp"]`, `"actual":["https://other.example.com/api"]`, "RFC 8707", "BearerOptions.Audiences", "resource=https://mcp.example.com/mcp"}},
		{name: "another issuer", token: as.Mint(authtest.Claims{"iss": "https://as.other.example"}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_issuer",
			want: []string{`"actual":"https://as.other.example"`, "compared exactly"}},
		{name: "issuer with a trailing slash", token: as.Mint(authtest.Claims{"iss": as.Issuer + "/"}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_issuer",
			want: []string{"trailing slash"}},
		{name: "tampered", token: authtest.Tamper(as.Mint(nil), authtest.Claims{"sub": "admin"}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"signature is invalid", "changed after it was signed", as.Issuer + "/jwks"}},
		{name: "unknown kid", token: as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": "not-published"}}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"signed by an unknown key", `has no key "not-published"`}},
		{name: "alg none", token: as.MintWith(authtest.MintOptions{Algorithm: "none"}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{`alg "none"`, "unsigned", "never accepted", "signature: 0 bytes"}},
		{name: "bound to a DPoP key", token: as.Mint(authtest.Claims{"cnf": map[string]any{"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"INFO  cnf", "bound to a DPoP key", "cannot be used as a bearer token", "needs DPoP", `"Authorization: DPoP <token>"`}},
		{name: "bound to a certificate", token: as.Mint(authtest.Claims{"cnf": map[string]any{"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"mutual TLS", "does not verify"}},
		{name: "missing scope", token: as.Mint(authtest.Claims{"scope": "read"}), scope: "read write",
			exit: report.ExitFailed, status: report.Fail, code: "missing_required_scopes",
			want: []string{"HTTP 403", `"missing_scopes":["write"]`, `lacks "write"`, `scope="read write"`}},
		{name: "scopes from scp", token: as.Mint(authtest.Claims{"scp": []string{"read", "write"}}), scope: "write",
			exit: report.ExitOK, status: report.Pass,
			want: []string{`scopes "read write" (from scp)`}},
		{name: "ID token", token: as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "id+jwt"}}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"not an access token", "ID token", `"cause":{"typ":"id+jwt"}`}},
		{name: "Cognito ID token", token: as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "JWT"}, Claims: authtest.Claims{"token_use": "id"}}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{`token_use "id"`, "not an access token"}},
		{name: "no exp", token: as.Mint(authtest.Claims{"exp": authtest.Delete}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"no expiry (exp)", "must put exp"}},
		{name: "not yet valid", token: as.Mint(authtest.Claims{"nbf": now.Add(time.Hour).Unix()}),
			exit: report.ExitFailed, status: report.Fail, code: "invalid_token",
			want: []string{"not valid yet", "clock"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"-resource", resource, "-issuer", as.Issuer, "-scope", tt.scope, "-"}
			res := runWith(t, tt.token, args...)
			if res.code != tt.exit || res.stderr != "" {
				t.Fatalf("exit %d (want %d), stderr %q\n%s", res.code, tt.exit, res.stderr, res.stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(res.stdout, w) {
					t.Errorf("the output lacks %q:\n%s", w, res.stdout)
				}
			}
			checkNoSecrets(t, tt.token, res.stdout)
			r, _ := runJSON(t, tt.token, args...)
			f, ok := finding(r, "middleware")
			if !ok || f.Status != tt.status || f.Code != tt.code {
				t.Fatalf("middleware finding %+v, want %s %q", f, tt.status, tt.code)
			}
			if tt.status == report.Fail && (!strings.HasPrefix(f.Details[0], "fix: ") || f.Spec == "") {
				t.Errorf("a refusal without a fix or a rule: %+v", f)
			}
		})
	}
}

// checkNoSecrets fails if out holds the token or its signature.
func checkNoSecrets(t *testing.T, token, out string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if strings.Contains(out, token) || (len(parts) == 3 && len(parts[2]) > 8 && strings.Contains(out, parts[2])) {
		t.Errorf("the output holds the token or its signature:\n%s", out)
	}
}

// TestNotAJWT gives values that are not JWTs, with and without the flags.
func TestNotAJWT(t *testing.T) {
	as := newServer(t)
	b64 := base64.RawURLEncoding.EncodeToString
	for _, tt := range []struct {
		name, token, want string
	}{
		{"garbage", "hello", "1 dot-separated part"},
		{"two parts", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", "2 dot-separated parts"},
		{"bad base64", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0=.c2ln", "padding '='"},
		{"standard base64", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0+.c2ln", "standard base64"},
		{"not JSON", b64([]byte(`{"alg":"RS256"}`)) + "." + b64([]byte("not json")) + ".c2ln", "the claim set (part 2) is not a JSON object: it is not JSON"},
		{"JSON but not an object", b64([]byte(`["RS256"]`)) + "." + b64([]byte(`{}`)) + ".c2ln", "the header (part 1) is not a JSON object"},
		{"encrypted", "a.b.c.d.e", "encrypted JWT"},
		{"opaque", "2YotnFZFEjr1zCsicMWpAA", "1 dot-separated part"},
	} {
		for _, verify := range []bool{false, true} {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				args := []string{"-"}
				if verify {
					args = []string{"-resource", resource, "-issuer", as.Issuer, "-"}
				}
				r, res := runJSON(t, tt.token, args...)
				if res.code != report.ExitFailed {
					t.Fatalf("exit %d, want 2", res.code)
				}
				f, ok := finding(r, "jwt")
				if !ok || f.Status != report.Fail || !strings.Contains(f.Summary, "not a JWT") || !strings.Contains(f.Summary, tt.want) ||
					!strings.Contains(strings.Join(f.Details, " "), "introspection") {
					t.Fatalf("jwt finding %+v, want FAIL with %q", f, tt.want)
				}
				if m, _ := finding(r, "middleware"); verify && (m.Status != report.Fail || m.Code == "") {
					t.Errorf("the library's verdict is missing: %+v", m)
				}
				text := runWith(t, tt.token, args...)
				if text.code != report.ExitFailed || !strings.Contains(text.stdout, "FAIL  jwt") {
					t.Errorf("text output, exit %d:\n%s", text.code, text.stdout)
				}
			})
		}
	}
}

// TestDecodeOnly decodes without -resource and -issuer: nothing is verified
// or fetched.
func TestDecodeOnly(t *testing.T) {
	as := newServer(t)
	token := as.MintWith(authtest.MintOptions{Claims: authtest.Claims{"scope": "read", "exp": 4102444800, "iat": 1700000000.25, "big": json.Number("123456789012345678901234567890")}})
	res := runWith(t, "", token)
	if res.code != report.ExitOK {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, w := range []string{
		"INFO  middleware  only decoded: nothing was verified; give -resource and -issuer",
		`"big": 123456789012345678901234567890`, `"iat": 1700000000.25`, `"scope": "read"`,
		"expires in ", "2100-01-01T00:00:00Z", "signature: 256 bytes (not shown)",
		"Result: decoded, not verified\n",
	} {
		if !strings.Contains(res.stdout, w) {
			t.Errorf("the output lacks %q:\n%s", w, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "PASS") || strings.Contains(res.stdout, "FAIL") {
		t.Errorf("decode-only mode judged the token:\n%s", res.stdout)
	}
	checkNoSecrets(t, token, res.stdout)
	if n := as.TotalRequests(); n != 0 {
		t.Errorf("decode-only mode made %d requests to the authorization server", n)
	}

	r, res := runJSON(t, "", token)
	if !strings.Contains(res.stdout, `"big": 123456789012345678901234567890`) {
		t.Errorf("-json changed a number:\n%s", res.stdout)
	}
	for _, f := range r.Findings {
		if f.Status != report.Info {
			t.Errorf("finding %+v is not INFO", f)
		}
	}
	if len(r.Sections) != 1 {
		t.Fatalf("sections %+v", r.Sections)
	}
	data, _ := json.Marshal(r.Sections[0].Data)
	var got struct {
		Header         map[string]any  `json:"header"`
		Claims         json.RawMessage `json:"claims"`
		SignatureBytes int             `json:"signatureBytes"`
	}
	if err := json.Unmarshal(data, &got); err != nil || got.Header["alg"] != "RS256" || got.SignatureBytes != 256 ||
		!bytes.Contains(got.Claims, []byte(`"sub":"test-user"`)) {
		t.Fatalf("section data %s (%v)", data, err)
	}
}

// TestWarnings: what the library accepts but may not for long or elsewhere.
func TestWarnings(t *testing.T) {
	as := newServer(t)
	now := time.Now()
	for _, tt := range []struct {
		name, token, check, want string
	}{
		{"expires soon", as.Mint(authtest.Claims{"exp": now.Add(30 * time.Second).Unix()}), "exp", "expires in "},
		{"expired within the leeway", as.Mint(authtest.Claims{"exp": now.Add(-20 * time.Second).Unix()}), "exp", "still accepted within the library's 60s clock leeway"},
		{"typ JWT", as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "JWT"}}), "typ", "RequireTokenType"},
		{"no typ", as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": authtest.Delete}}), "typ", `"at+jwt"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, res := runJSON(t, tt.token, "-resource", resource, "-issuer", as.Issuer, "-")
			if res.code != report.ExitWarnings || !strings.HasPrefix(r.Result, "accepted with warnings") {
				t.Fatalf("exit %d, result %q", res.code, r.Result)
			}
			f, _ := finding(r, tt.check)
			if f.Status != report.Warn || !strings.Contains(f.Summary, tt.want) {
				t.Errorf("finding %+v, want WARN with %q", f, tt.want)
			}
			if m, _ := finding(r, "middleware"); m.Status != report.Pass {
				t.Errorf("middleware %+v", m)
			}
		})
	}
}

// TestAuthorizationServerDown: the library cannot reach the server, which
// is not the token's fault.
func TestAuthorizationServerDown(t *testing.T) {
	as := newServer(t)
	token := as.Mint(nil)
	as.Stop()
	r, res := runJSON(t, token, "-resource", resource, "-issuer", as.Issuer, "-timeout", "5s", "-")
	f, _ := finding(r, "middleware")
	if res.code != report.ExitFailed || f.Status != report.Fail || f.Code != "temporarily_unavailable" {
		t.Fatalf("exit %d, finding %+v", res.code, f)
	}
	details := strings.Join(f.Details, "\n")
	for _, w := range []string{"HTTP 503", "Retry-After: ", "could not be reached (", "-issuer " + as.Issuer, `"error_code":"temporarily_unavailable"`} {
		if !strings.Contains(details, w) {
			t.Errorf("details lack %q:\n%s", w, details)
		}
	}
	if strings.Contains(details, "WWW-Authenticate") {
		t.Errorf("a 503 carries no challenge:\n%s", details)
	}
}

// TestStdin reads the token from standard input, through Run.
func TestStdin(t *testing.T) {
	as := newServer(t)
	token := as.Mint(nil)
	saved := stdin
	t.Cleanup(func() { stdin = saved })
	for _, in := range []string{token, "\n  " + token + "\r\n", "Bearer " + token + "\n"} {
		stdin = strings.NewReader(in)
		var out, errb bytes.Buffer
		code := Run(context.Background(), []string{"-", "-resource", resource, "-issuer", as.Issuer}, &out, &errb)
		if code != report.ExitOK || !strings.Contains(out.String(), "PASS  middleware") {
			t.Fatalf("%q: exit %d\n%s%s", in, code, out.String(), errb.String())
		}
	}
}

// TestUsage: a wrong command line is answered on stderr with status 64.
func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		args []string
		want string
	}{
		{"no token", "", nil, "no token"},
		{"two tokens", "", []string{"a.b.c", "d.e.f"}, "one token expected"},
		{"resource alone", "", []string{"-resource", resource, "a.b.c"}, "go together"},
		{"issuer alone", "", []string{"-issuer", "https://as.example.com", "a.b.c"}, "go together"},
		{"unknown flag", "", []string{"a.b.c", "-nope"}, "not defined"},
		{"bad type", "", []string{"-type", "saml", "a.b.c"}, "want auto, oauth or oidc"},
		{"bad timeout", "", []string{"-timeout", "0s", "a.b.c"}, "must be positive"},
		{"empty stdin", " \n", []string{"-"}, "standard input holds no token"},
		{"empty argument", "", []string{" "}, "the token is empty"},
		{"stdin too long", strings.Repeat("a", maxInput+1), []string{"-"}, "more than"},
		{"resource refused by the library", "", []string{"-resource", "ftp://mcp.example.com", "-issuer", "https://as.example.com", "a.b.c"}, "the library refuses this configuration"},
		{"plain-http issuer off loopback", "", []string{"-resource", resource, "-issuer", "http://as.example.com", "a.b.c"}, "the library refuses this configuration"},
		{"invalid scope", "", []string{"-resource", resource, "-issuer", "https://as.example.com", "-scope", `a"b`, "a.b.c"}, "the library refuses this configuration"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := runWith(t, tt.in, tt.args...)
			if res.code != report.ExitUsage || res.stdout != "" || !strings.Contains(res.stderr, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want 64 and %q", res.code, res.stdout, res.stderr, tt.want)
			}
		})
	}
	res := runWith(t, "", "-h")
	if res.code != report.ExitOK || !strings.Contains(res.stdout, "shell history") || !strings.Contains(res.stdout, "-resource URL") {
		t.Fatalf("-h: exit %d\n%s", res.code, res.stdout)
	}
}
