// Package jwtview reads a JWT without trusting it: its parts decoded, its
// registered claims read the way the library reads them (core/claims.go),
// for the mcpauth subcommands to explain what a token says. Nothing here
// decides whether a token is accepted: the library's bearer does.
package jwtview

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// JWT is a compact JWS split and decoded without verifying anything:
// what the token says about itself, which nobody may trust before its
// signature has been checked.
type JWT struct {
	// Header and Claims are the JOSE header and the claim set, their
	// numbers kept as written (json.Number).
	Header, Claims map[string]any
	// RawHeader and RawClaims are the JSON texts exactly as encoded in the
	// token, for display.
	RawHeader, RawClaims []byte
	// SignatureLen is the length in bytes of the decoded signature; the
	// signature itself is never shown.
	SignatureLen int
	// HeaderDups and ClaimDups name the top-level members that occur more
	// than once (RFC 7519 §7.2 forbids them).
	HeaderDups, ClaimDups []string
}

// NotJWTError says why a value is not a JWT, in words for people.
type NotJWTError struct {
	// Part is the part that could not be read: 0 the header, 1 the claim
	// set, 2 the signature; -1 when the value does not have three parts.
	Part   int
	reason string
}

// Error returns the reason.
func (e *NotJWTError) Error() string { return e.reason }

// partNames are the three parts of a compact JWS, for messages.
var partNames = [3]string{"the header (part 1)", "the claim set (part 2)", "the signature (part 3)"}

// Decode splits token into its three base64url parts and decodes the
// header and the claims as JSON objects. It verifies nothing. The error is
// a *NotJWTError saying what is wrong.
func Decode(token string) (*JWT, error) {
	parts := strings.Split(token, ".")
	switch n := len(parts); {
	case n == 5:
		return nil, &NotJWTError{-1, "it has five dot-separated parts: it looks like an encrypted JWT (JWE, RFC 7516), which only its recipient can decrypt; resource servers expect a signed JWT (three parts)"}
	case n != 3:
		return nil, &NotJWTError{-1, fmt.Sprintf("it has %s, where a JWT has three, base64url-encoded and separated by dots (header.claims.signature)", report.Plural(n, "dot-separated part"))}
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.Strict().DecodeString(p)
		if err != nil {
			return nil, &NotJWTError{i, fmt.Sprintf("%s is not unpadded base64url (RFC 7515 §2): %s", partNames[i], base64Problem(p, err))}
		}
		raw[i] = b
	}
	d := &JWT{RawHeader: raw[0], RawClaims: raw[1], SignatureLen: len(raw[2])}
	var err error
	if d.Header, d.HeaderDups, err = decodeObject(raw[0]); err != nil {
		return nil, &NotJWTError{0, fmt.Sprintf("%s is not a JSON object: %v", partNames[0], err)}
	}
	if d.Claims, d.ClaimDups, err = decodeObject(raw[1]); err != nil {
		return nil, &NotJWTError{1, fmt.Sprintf("%s is not a JSON object: %v", partNames[1], err)}
	}
	return d, nil
}

// base64Problem describes why p is not unpadded base64url.
func base64Problem(p string, err error) string {
	var corrupt base64.CorruptInputError
	if errors.As(err, &corrupt) && int(corrupt) < len(p) {
		c := p[corrupt]
		switch {
		case c == '=':
			return fmt.Sprintf("padding '=' at offset %d (JWTs leave it out)", int(corrupt))
		case c == '+' || c == '/':
			return fmt.Sprintf("%q at offset %d belongs to standard base64, not base64url (which uses '-' and '_')", c, int(corrupt))
		case c < 0x20 || c >= 0x7f:
			return fmt.Sprintf("byte 0x%02x at offset %d", c, int(corrupt))
		}
		return fmt.Sprintf("%q at offset %d", c, int(corrupt))
	}
	return err.Error()
}

// decodeObject decodes data, which must be one JSON object in UTF-8, keeping
// numbers as written, and returns the names of the top-level members that
// occur more than once (the last value wins here; other decoders keep the
// first, which is why the library refuses such tokens).
func decodeObject(data []byte) (map[string]any, []string, error) {
	if !utf8.Valid(data) {
		return nil, nil, errors.New("it is not UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, jsonProblem(err)
	}
	if tok != json.Delim('{') {
		return nil, nil, fmt.Errorf("it is JSON but not an object (it starts with %s)", describeToken(tok))
	}
	out := map[string]any{}
	var dups []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, jsonProblem(err)
		}
		name, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, nil, jsonProblem(err)
		}
		if _, seen := out[name]; seen && !slices.Contains(dups, name) {
			dups = append(dups, name)
		}
		out[name] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, nil, jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, errors.New("more data follows the object")
	}
	return out, dups, nil
}

// jsonProblem words a JSON decoding error.
func jsonProblem(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("it is empty or cut short")
	}
	return fmt.Errorf("it is not JSON (%v)", err)
}

// describeToken names the first JSON token of a value that is not an object.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

// PrettyJSON indents a JSON text as it is, keeping its member order and
// numbers; data that cannot be indented is shown as a Go-quoted string.
func PrettyJSON(data []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, data, "", "  "); err != nil {
		return fmt.Sprintf("%q", data)
	}
	return b.String()
}
