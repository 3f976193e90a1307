package mcpauth

import (
	"net/http"
	"strings"
)

// DefaultMaxTokenBytes is the default limit on a bearer token's length;
// longer tokens are refused without being parsed.
const DefaultMaxTokenBytes = 16 << 10

// credentials reads the access token from the Authorization header (RFC
// 6750 §2.1, RFC 9449 §7.1; the query string and the body are never read).
// It returns the token and whether its scheme is DPoP (else Bearer, when
// acceptDPoP is false), or the code of the refusal:
//
//   - no Authorization header: missing_auth_header;
//   - another scheme, or a scheme without a token: missing_bearer_token;
//   - several Authorization headers: invalid_auth_header_format.
//
// The scheme is matched case-insensitively. A token breaking the b64token
// grammar (see [isB64Token]) is refused with invalid_auth_header_format too,
// by [Bearer.verify], which can skip that scan for a token it has cached.
func credentials(h http.Header, acceptDPoP bool) (token string, isDPoP bool, _ Code) {
	values := h["Authorization"]
	switch len(values) {
	case 0:
		return "", false, CodeMissingAuthHeader
	case 1:
	default:
		return "", false, CodeInvalidAuthHeaderFormat
	}
	v := strings.Trim(values[0], " \t")
	if v == "" {
		return "", false, CodeMissingAuthHeader
	}
	scheme, rest, _ := strings.Cut(v, " ")
	isDPoP = acceptDPoP && strings.EqualFold(scheme, "DPoP")
	if !isDPoP && !strings.EqualFold(scheme, "Bearer") {
		return "", false, CodeMissingBearerToken
	}
	token = strings.TrimLeft(rest, " ")
	if token == "" {
		return "", isDPoP, CodeMissingBearerToken
	}
	return token, isDPoP, ""
}

// isB64Token reports whether s matches RFC 6750's
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
// It runs on every request over the whole token, so it tests each byte
// with one table lookup.
func isB64Token(s string) bool {
	i := 0
	for i < len(s) && b64TokenChars[s[i]] {
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

// b64TokenChars marks the characters of b64token before its "=" padding.
var b64TokenChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~+/" {
		t[c] = true
	}
	return t
}()
