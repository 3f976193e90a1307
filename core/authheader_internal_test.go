package mcpauth

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// extractBearer is the whole extraction as a request meets it:
// bearerCredentials, then the grammar check of Bearer.verify.
func extractBearer(h http.Header) (string, Code) {
	token, code := bearerCredentials(h)
	if code == "" && !isB64Token(token) {
		return "", CodeInvalidAuthHeaderFormat
	}
	return token, code
}

func TestExtractBearer(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		token  string
		code   Code
	}{
		{"none", nil, "", CodeMissingAuthHeader},
		{"empty value", []string{""}, "", CodeMissingAuthHeader},
		{"bearer", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", ""},
		{"lowercase scheme", []string{"bearer abc"}, "abc", ""},
		{"uppercase scheme", []string{"BEARER abc"}, "abc", ""},
		{"several spaces", []string{"Bearer   abc"}, "abc", ""},
		{"all b64token characters", []string{"Bearer aZ09-._~+/=="}, "aZ09-._~+/==", ""},
		{"padding only at the end", []string{"Bearer ab=c"}, "", CodeInvalidAuthHeaderFormat},
		{"only padding", []string{"Bearer =="}, "", CodeInvalidAuthHeaderFormat},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, "", CodeMissingBearerToken},
		{"scheme only", []string{"Bearer"}, "", CodeMissingBearerToken},
		{"scheme and space", []string{"Bearer "}, "", CodeMissingBearerToken},
		{"no space", []string{"Bearerabc"}, "", CodeMissingBearerToken},
		{"two tokens", []string{"Bearer abc def"}, "", CodeInvalidAuthHeaderFormat},
		{"quote", []string{`Bearer "abc"`}, "", CodeInvalidAuthHeaderFormat},
		{"comma", []string{"Bearer abc,def"}, "", CodeInvalidAuthHeaderFormat},
		{"non-ASCII", []string{"Bearer abcé"}, "", CodeInvalidAuthHeaderFormat},
		{"control character", []string{"Bearer abc\x00"}, "", CodeInvalidAuthHeaderFormat},
		{"two headers", []string{"Bearer abc", "Bearer def"}, "", CodeInvalidAuthHeaderFormat},
		{"two headers, one empty", []string{"Bearer abc", ""}, "", CodeInvalidAuthHeaderFormat},
		{"DPoP scheme", []string{"DPoP abc"}, "", CodeMissingBearerToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.values != nil {
				h["Authorization"] = tt.values
			}
			token, code := extractBearer(h)
			if token != tt.token || code != tt.code {
				t.Fatalf("got %q %q, want %q %q", token, code, tt.token, tt.code)
			}
		})
	}
	long := "Bearer " + strings.Repeat("a", 1<<20)
	if token, code := extractBearer(http.Header{"Authorization": {long}}); code != "" || len(token) != 1<<20 {
		t.Fatal("long token not extracted (the size limit is the middleware's)")
	}
}
