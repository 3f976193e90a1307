package mcpauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/mcp-auth/go/core/authtest"
)

const rm = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"

func rendered(e *Error, realm string, scopes ...string) *Error {
	e.RequiredScopes = scopes
	e.realm = realm
	e.resourceMetadata = rm
	return e
}

func TestChallengeGolden(t *testing.T) {
	tests := []struct {
		name   string
		err    *Error
		status int
		want   string
	}{
		{"no credentials", rendered(newError(CodeMissingAuthHeader, "An access token is required.", nil), "", "read", "write"), 401,
			`Bearer scope="read write", resource_metadata="` + rm + `"`},
		{"another scheme", rendered(newError(CodeMissingBearerToken, "x", nil), ""), 401,
			`Bearer resource_metadata="` + rm + `"`},
		{"invalid token", rendered(newError(CodeInvalidToken, "The access token has expired.", nil), "", "read"), 401,
			`Bearer error="invalid_token", error_description="The access token has expired.", scope="read", resource_metadata="` + rm + `"`},
		{"invalid issuer", rendered(newError(CodeInvalidIssuer, "untrusted", nil), ""), 401,
			`Bearer error="invalid_token", error_description="untrusted", resource_metadata="` + rm + `"`},
		{"malformed request", rendered(newError(CodeInvalidAuthHeaderFormat, "bad header", nil), "", "read"), 400,
			`Bearer error="invalid_request", error_description="bad header", scope="read", resource_metadata="` + rm + `"`},
		{"insufficient scope", rendered(newError(CodeMissingRequiredScopes, "more scopes", nil), "", "read", "create:todos"), 403,
			`Bearer error="insufficient_scope", error_description="more scopes", scope="read create:todos", resource_metadata="` + rm + `"`},
		{"realm first", rendered(newError(CodeInvalidToken, "d", nil), `my "realm"`, "a"), 401,
			`Bearer realm="my \"realm\"", error="invalid_token", error_description="d", scope="a", resource_metadata="` + rm + `"`},
		{"description sanitized", rendered(newError(CodeInvalidToken, "a \"quoted\" \\ path\n\x01é", nil), ""), 401,
			`Bearer error="invalid_token", error_description="a 'quoted' / path????", resource_metadata="` + rm + `"`},
		{"offline_access never in a challenge", rendered(newError(CodeMissingRequiredScopes, "d", nil), "", "offline_access", "read"), 403,
			`Bearer error="insufficient_scope", error_description="d", scope="read", resource_metadata="` + rm + `"`},
		{"legacy: no resource_metadata", &Error{Code: CodeInvalidToken, Description: "d"}, 401,
			`Bearer error="invalid_token", error_description="d"`},
		{"legacy no credentials: bare scheme", &Error{Code: CodeMissingAuthHeader}, 401, `Bearer`},
		{"server error: no challenge", rendered(newError(CodeServerError, "d", nil), "", "read"), 500, ""},
		{"unavailable: no challenge", rendered(newError(CodeTemporarilyUnavailable, "d", nil), "", "read"), 503, ""},
		{"too large: no challenge", rendered(newError(CodeRequestTooLarge, "d", nil), ""), 413, ""},
		{"ambiguous body", rendered(newError(CodeInvalidRequest, "d", nil), ""), 400,
			`Bearer error="invalid_request", error_description="d", resource_metadata="` + rm + `"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.StatusCode(); got != tt.status {
				t.Errorf("status %d, want %d", got, tt.status)
			}
			got := tt.err.challenge()
			if got != tt.want {
				t.Fatalf("challenge\n got %s\nwant %s", got, tt.want)
			}
			if got == "" {
				return
			}
			// The independent RFC 9110 parser reads back the same values.
			c, err := authtest.ParseChallenge(got)
			if err != nil {
				t.Fatalf("does not parse: %v", err)
			}
			if c.Scheme != "Bearer" {
				t.Errorf("scheme %q", c.Scheme)
			}
			if v, ok := c.Get("realm"); tt.err.realm != "" && (!ok || v != tt.err.realm) {
				t.Errorf("realm %q", v)
			}
			if v, _ := c.Get("error"); v != tt.err.oauthCode() {
				t.Errorf("error %q, want %q", v, tt.err.oauthCode())
			}
			if v, ok := c.Get("error_description"); ok && v != sanitizeDescription(tt.err.Description) {
				t.Errorf("description %q", v)
			}
		})
	}
}

func TestSanitizeDescription(t *testing.T) {
	for in, want := range map[string]string{
		"plain text.":       "plain text.",
		`say "hi"`:          "say 'hi'",
		`C:\path`:           "C:/path",
		"tab\tnewline\n":    "tab?newline?",
		"\x7f\x00":          "??",
		"naïve":             "na??ve",
		"":                  "",
		"~!#$%&'()*+,-./:;": "~!#$%&'()*+,-./:;",
	} {
		got := sanitizeDescription(in)
		if got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
		for i := 0; i < len(got); i++ {
			if !descriptionChar(got[i]) {
				t.Errorf("sanitize(%q) kept %#x", in, got[i])
			}
		}
	}
}

func TestErrorBody(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"no credentials: no error member", newError(CodeMissingAuthHeader, "An access token is required.", nil),
			`{"error_description":"An access token is required.","error_code":"missing_auth_header"}`},
		{"invalid token", newError(CodeInvalidIssuer, "bad iss", nil),
			`{"error":"invalid_token","error_description":"bad iss","error_code":"invalid_issuer"}`},
		{"missing scopes", &Error{Code: CodeMissingRequiredScopes, Description: "d", MissingScopes: []string{"write"}},
			`{"error":"insufficient_scope","error_description":"d","error_code":"missing_required_scopes","missing_scopes":["write"]}`},
		{"server error hides cause", newError(CodeServerError, "d", errorString("secret internals")),
			`{"error":"server_error","error_description":"d","error_code":"server_error"}`},
		{"unavailable", newError(CodeTemporarilyUnavailable, "d", nil),
			`{"error":"temporarily_unavailable","error_description":"d","error_code":"temporarily_unavailable"}`},
		{"details shown", &Error{Code: CodeInvalidIssuer, Description: "d", details: map[string]any{"expected": []string{"a"}, "actual": "b"}, showDetails: true},
			`{"error":"invalid_token","error_description":"d","error_code":"invalid_issuer","cause":{"actual":"b","expected":["a"]}}`},
		{"cause message when details are on", &Error{Code: CodeInvalidToken, Description: "d", Cause: errorString("why"), showDetails: true},
			`{"error":"invalid_token","error_description":"d","error_code":"invalid_token","cause":{"message":"why"}}`},
	}
	for _, tt := range tests {
		b, err := json.Marshal(tt.err)
		if err != nil || string(b) != tt.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tt.name, b, err, tt.want)
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestWriteError(t *testing.T) {
	t.Run("503 with Retry-After", func(t *testing.T) {
		e := newError(CodeTemporarilyUnavailable, "down", nil)
		e.RetryAfter = 2500 * time.Millisecond
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("GET", "/", nil), e)
		if rec.Code != 503 || rec.Header().Get("Retry-After") != "3" || rec.Header().Get("WWW-Authenticate") != "" {
			t.Fatalf("%d %v", rec.Code, rec.Header())
		}
	})
	t.Run("Retry-After at least 1", func(t *testing.T) {
		rec := httptest.NewRecorder()
		WriteError(rec, nil, newError(CodeTemporarilyUnavailable, "down", nil))
		if rec.Header().Get("Retry-After") != "1" {
			t.Fatalf("%v", rec.Header())
		}
	})
	t.Run("CORS exposes the challenge", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/mcp", nil)
		r.Header.Set("Origin", "https://app.example.com")
		rec := httptest.NewRecorder()
		rec.Header().Set("Access-Control-Expose-Headers", "Mcp-Session-Id")
		WriteError(rec, r, rendered(newError(CodeInvalidToken, "d", nil), ""))
		got := rec.Header().Values("Access-Control-Expose-Headers")
		if len(got) != 2 || got[1] != "WWW-Authenticate" {
			t.Fatalf("expose %v", got)
		}
	})
	t.Run("no Origin, no expose", func(t *testing.T) {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("GET", "/", nil), rendered(newError(CodeInvalidToken, "d", nil), ""))
		if rec.Header().Get("Access-Control-Expose-Headers") != "" {
			t.Fatal("exposed without Origin")
		}
	})
	t.Run("plain error is a 500 without its text", func(t *testing.T) {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("GET", "/", nil), errorString("db password is hunter2"))
		if rec.Code != 500 || strings.Contains(rec.Body.String(), "hunter2") || rec.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("HEAD has no body", func(t *testing.T) {
		rec := httptest.NewRecorder()
		WriteError(rec, httptest.NewRequest("HEAD", "/", nil), rendered(newError(CodeMissingAuthHeader, "d", nil), ""))
		if rec.Code != 401 || rec.Body.Len() != 0 {
			t.Fatalf("%d %q", rec.Code, rec.Body)
		}
	})
}

func TestErrorIsAndAs(t *testing.T) {
	var err error = newError(CodeInvalidAudience, "d", errorString("cause"))
	if !errorsIs(err, CodeInvalidAudience) || errorsIs(err, CodeInvalidIssuer) {
		t.Error("code matching")
	}
	if !errorsIs(fmt.Errorf("wrapped: %w", err), CodeInvalidAudience) {
		t.Error("code matching through a wrapper")
	}
	if asError(err).Code != CodeInvalidAudience || asError(errorString("x")).Code != CodeServerError {
		t.Error("asError")
	}
	if (&Error{Code: "made_up"}).StatusCode() != http.StatusInternalServerError {
		t.Error("unknown code must be a 500")
	}
	if CodeInvalidToken.Error() != "invalid_token" {
		t.Error("a code's error text is the code")
	}
	for code := range knownCodes {
		e := &Error{Code: code}
		if !errorsIs(e, code) {
			t.Errorf("%s is not its code", code)
		}
		if e.StatusCode() == 0 || e.oauthCode() == "" && e.StatusCode() != 401 {
			t.Errorf("%s: status %d code %q", code, e.StatusCode(), e.oauthCode())
		}
	}
}
