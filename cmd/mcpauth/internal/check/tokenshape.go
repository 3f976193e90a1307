package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/jwtview"
	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// Token formats, as read without verification.
const (
	formatJWT    = "jwt"    // a signed JWT (JWS compact serialization)
	formatJWE    = "jwe"    // an encrypted JWT: five parts
	formatOpaque = "opaque" // anything else
)

// maxSectionText bounds the text of the token section (the JSON form has
// every claim).
const maxSectionText = 16 << 10

// decodedToken is an access token read without verifying it: only to say
// what it looks like. The library's bearer middleware decides whether it is
// accepted.
type decodedToken struct {
	// format is formatJWT, formatJWE or formatOpaque.
	format string
	// length is the token's length in bytes.
	length int
	// header and claims are the JWT's, decoded as JSON.
	header, claims map[string]any
	// problem says why a token of three parts is not read as a JWT.
	problem string
}

// decodeToken reads token with jwtview, as mcpauth token does. It never
// fails: what it cannot read is opaque (or, with five parts, a JWE).
func decodeToken(token string) decodedToken {
	d := decodedToken{format: formatOpaque, length: len(token)}
	jwt, err := jwtview.Decode(token)
	var notJWT *jwtview.NotJWTError
	switch {
	case err == nil:
		d.format, d.header, d.claims = formatJWT, jwt.Header, jwt.Claims
	case !errors.As(err, &notJWT):
	case strings.Count(token, ".") == 4:
		d.format = formatJWE
	case notJWT.Part == 0:
		d.problem = "its header is not base64url JSON: " + err.Error()
	case notJWT.Part == 1:
		d.problem = "its payload is not base64url JSON: " + err.Error()
	case notJWT.Part == 2:
		d.problem = "its signature is not base64url: " + err.Error()
	}
	return d
}

// claim returns the string claim name, or "".
func (d decodedToken) claim(name string) string {
	return stringOf(d.claims[name])
}

// audience returns the aud claim as a list (RFC 7519 §4.1.3: a string or
// an array of strings), and whether the token has one.
func (d decodedToken) audience() ([]string, bool) {
	switch v := d.claims["aud"].(type) {
	case string:
		return []string{v}, true
	case []any:
		var out []string
		for _, a := range v {
			if s, ok := a.(string); ok {
				out = append(out, s)
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// section is the decoded token for the report: its header and claims, never
// the token itself (a credential).
func (d decodedToken) section() report.Section {
	s := report.Section{Name: "Access token (decoded, not verified)"}
	data := map[string]any{"format": d.format, "length": d.length}
	switch d.format {
	case formatJWT:
		data["header"], data["claims"] = d.header, d.claims
		h, _ := json.MarshalIndent(d.header, "", "  ")
		c, _ := json.MarshalIndent(d.claims, "", "  ")
		text := "header: " + string(h) + "\nclaims: " + string(c) + "\n"
		if len(text) > maxSectionText {
			text = strings.ToValidUTF8(text[:maxSectionText], "") + "\n…\n"
		}
		s.Text = text
	case formatJWE:
		s.Text = fmt.Sprintf("An encrypted JWT (JWE, five parts) of %d bytes: only its audience can read it.\n", d.length)
	default:
		s.Text = fmt.Sprintf("An opaque token of %d bytes.\n", d.length)
		if d.problem != "" {
			s.Text = fmt.Sprintf("A token of %d bytes in three parts that is not a JWT: %s.\n", d.length, d.problem)
		}
	}
	s.Data = data
	return s
}
