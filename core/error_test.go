package mcpauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

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
