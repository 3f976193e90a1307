package mcpauth

import (
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// extractBearer is the whole extraction as a request meets it:
// credentials, then the grammar check of Bearer.verify.
func extractBearer(h http.Header) (string, Code) {
	token, _, code := credentials(h, false)
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

// TestB64TokenTable compares the table-driven grammar check with the
// grammar itself (RFC 6750 §2.1) for every byte, alone, before padding and
// as padding.
func TestB64TokenTable(t *testing.T) {
	inGrammar := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
	}
	for i := range 256 {
		c := byte(i)
		tests := []struct {
			s    string
			want bool
		}{
			{string([]byte{c}), inGrammar(c)},
			{string([]byte{'a', c, '='}), inGrammar(c) || c == '='},
			{string([]byte{'a', '=', c}), c == '='},
		}
		for _, tt := range tests {
			if got := isB64Token(tt.s); got != tt.want {
				t.Errorf("isB64Token(%q) = %v, want %v", tt.s, got, tt.want)
			}
		}
	}
	if isB64Token("") || isB64Token("==") {
		t.Error("a token needs one character before its padding")
	}
}

// bearerOracle is RFC 6750 §2.1 written as a regular expression, independent
// of extractBearer: optional blanks, "Bearer" in any case, one or more
// spaces, a b64token, optional blanks.
var bearerOracle = regexp.MustCompile(`^[ \t]*[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*)[ \t]*$`)

// FuzzExtractBearer checks extractBearer against the grammar: a token is
// returned exactly when the single header value matches it, and it is the
// b64token the value carries.
func FuzzExtractBearer(f *testing.F) {
	f.Fuzz(func(t *testing.T, first, second string, count uint8) {
		h := http.Header{}
		switch count % 3 {
		case 1:
			h["Authorization"] = []string{first}
		case 2:
			h["Authorization"] = []string{first, second}
		}
		token, code := extractBearer(h)
		if (token == "") == (code == "") {
			t.Fatalf("token %q with code %q", token, code)
		}
		switch count % 3 {
		case 0:
			if code != CodeMissingAuthHeader {
				t.Fatalf("no header: code %q", code)
			}
			return
		case 2:
			if code != CodeInvalidAuthHeaderFormat {
				t.Fatalf("two headers: code %q", code)
			}
			return
		}
		m := bearerOracle.FindStringSubmatch(first)
		if m == nil {
			if code == "" {
				t.Fatalf("%q accepted as token %q; the grammar refuses it", first, token)
			}
			if strings.Trim(first, " \t") == "" && code != CodeMissingAuthHeader {
				t.Fatalf("blank header: code %q", code)
			}
			return
		}
		if token != m[1] {
			t.Fatalf("%q: token %q (code %q), want %q", first, token, code, m[1])
		}
	})
}
