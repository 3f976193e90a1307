package check

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

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

// decodeToken reads token. It never fails: what it cannot read is opaque.
func decodeToken(token string) decodedToken {
	d := decodedToken{format: formatOpaque, length: len(token)}
	parts := strings.Split(token, ".")
	switch len(parts) {
	case 5:
		d.format = formatJWE
		return d
	case 3:
	default:
		return d
	}
	header, err := decodeSegment(parts[0])
	if err != nil {
		d.problem = "its header is not base64url JSON: " + err.Error()
		return d
	}
	claims, err := decodeSegment(parts[1])
	if err != nil {
		d.problem = "its payload is not base64url JSON: " + err.Error()
		return d
	}
	d.format, d.header, d.claims = formatJWT, header, claims
	return d
}

// decodeSegment decodes one base64url part of a JWT holding a JSON object.
func decodeSegment(s string) (map[string]any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, errors.New("bad base64url")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return nil, errors.New("not a JSON object")
	}
	return obj, nil
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
