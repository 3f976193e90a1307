package mcpauth

import (
	"errors"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/internal/jsonscan"
)

// tokenClaims is a JWT's claim set, decoded once: every claim in all, and
// the registered ones typed. Decoding refuses a claim set with a duplicate
// member (which JSON decoders resolve differently) and registered claims of
// the wrong type.
type tokenClaims struct {
	all      map[string]any
	iss, sub string
	aud      []string
	exp      *time.Time
	nbf, iat *time.Time
	clientID string
	scopes   []string
	size     int // length of the JSON text

	times [3]time.Time // what exp, nbf and iat point to, when present
}

// claimError is a malformed claim set.
type claimError struct{ msg string }

func (e *claimError) Error() string { return "mcpauth: " + e.msg }

// UnmarshalJSON decodes the claim set data, which must be UTF-8 (RFC 7519
// §7.2: encoding/json would silently replace invalid bytes).
func (c *tokenClaims) UnmarshalJSON(data []byte) error {
	c.size = len(data)
	if !utf8.Valid(data) {
		return &claimError{"the claim set is not UTF-8"}
	}
	all, err := jsonscan.DecodeObject(data)
	var dup *jsonscan.DuplicateMemberError
	switch {
	case errors.Is(err, jsonscan.ErrSyntax) || errors.Is(err, jsonscan.ErrTooDeep):
		return &claimError{"the claim set is not a JSON object"}
	case errors.As(err, &dup):
		return &claimError{fmt.Sprintf("the claim %q occurs twice", dup.Name)}
	case err != nil:
		return &claimError{"the claim set is not valid JSON"}
	}
	c.all = all
	return c.extract()
}

func (c *tokenClaims) extract() error {
	var err error
	if c.iss, err = stringClaim(c.all, "iss"); err != nil {
		return err
	}
	if c.sub, err = stringClaim(c.all, "sub"); err != nil {
		return err
	}
	if c.aud, err = audienceClaim(c.all["aud"]); err != nil {
		return err
	}
	for i, dst := range [...]**time.Time{&c.exp, &c.nbf, &c.iat} {
		present, err := timeClaim(c.all, [...]string{"exp", "nbf", "iat"}[i], &c.times[i])
		if err != nil {
			return err
		}
		if present {
			*dst = &c.times[i]
		}
	}
	for _, name := range clientIDClaims {
		v, err := stringClaim(c.all, name)
		if err != nil {
			return err
		}
		if c.clientID == "" {
			c.clientID = v
		}
	}
	for _, name := range []string{"scope", "scp", "scopes"} {
		v, present := c.all[name]
		if !present {
			continue
		}
		s, ok := parseScopes(v)
		if !ok {
			return &claimError{fmt.Sprintf("the %q claim is neither a string nor an array of strings", name)}
		}
		if c.scopes == nil {
			c.scopes = s
		}
	}
	if c.scopes == nil {
		c.scopes = []string{}
	}
	return nil
}

func stringClaim(all map[string]any, name string) (string, error) {
	v, ok := all[name]
	if !ok || v == nil {
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", &claimError{fmt.Sprintf("the %q claim is not a string", name)}
	}
	return s, nil
}

func audienceClaim(v any) ([]string, error) {
	switch a := v.(type) {
	case nil:
		return nil, nil
	case string:
		if a == "" {
			return nil, nil
		}
		return []string{a}, nil
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return nil, &claimError{`the "aud" claim holds a value that is not a string`}
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, &claimError{`the "aud" claim is neither a string nor an array of strings`}
}

// clientIDClaims name the client, by preference: RFC 9068's client_id, then
// azp (Auth0, Keycloak, Entra ID v2.0), appid (Entra ID v1.0), cid (Okta).
var clientIDClaims = []string{"client_id", "azp", "appid", "cid"}

// maxUnixSeconds keeps times representable.
const maxUnixSeconds = 1 << 40

// timeClaim stores the NumericDate claim name in dst and reports whether it
// is present.
func timeClaim(all map[string]any, name string, dst *time.Time) (bool, error) {
	v, ok := all[name]
	if !ok || v == nil {
		return false, nil
	}
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.Abs(f) > maxUnixSeconds {
		return false, &claimError{fmt.Sprintf("the %q claim is not a NumericDate", name)}
	}
	sec, frac := math.Modf(f)
	*dst = time.Unix(int64(sec), int64(frac*1e9))
	return true, nil
}

// The jwt.Claims interface; claims are validated by the verifier itself.

func (c *tokenClaims) GetExpirationTime() (*jwt.NumericDate, error) { return numericDate(c.exp), nil }
func (c *tokenClaims) GetIssuedAt() (*jwt.NumericDate, error)       { return numericDate(c.iat), nil }
func (c *tokenClaims) GetNotBefore() (*jwt.NumericDate, error)      { return numericDate(c.nbf), nil }
func (c *tokenClaims) GetIssuer() (string, error)                   { return c.iss, nil }
func (c *tokenClaims) GetSubject() (string, error)                  { return c.sub, nil }
func (c *tokenClaims) GetAudience() (jwt.ClaimStrings, error)       { return c.aud, nil }

func numericDate(t *time.Time) *jwt.NumericDate {
	if t == nil {
		return nil
	}
	return jwt.NewNumericDate(*t)
}

// asClaimError finds a claimError in err.
func asClaimError(err error) (*claimError, bool) {
	var ce *claimError
	ok := errors.As(err, &ce)
	return ce, ok
}
