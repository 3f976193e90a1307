package jwtview

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// The readers below take the registered claims the way the library reads
// them (core/claims.go), so that what is explained is what the bearer
// middleware will see. They explain; they decide nothing: the verdict is the
// library's own (verdict.go).

// clientIDClaims name the client, by the library's preference: RFC 9068's
// client_id, then azp (Auth0, Keycloak, Entra ID v2.0), appid (Entra ID
// v1.0), cid (Okta).
var clientIDClaims = []string{"client_id", "azp", "appid", "cid"}

// scopeClaims hold the granted scopes, by the library's preference.
var scopeClaims = []string{"scope", "scp", "scopes"}

// maxUnixSeconds is the library's bound on NumericDates (±2^40 seconds).
const maxUnixSeconds = 1 << 40

// StringMember returns m[name] as a string. present is false for an absent
// or null member; ok is false for a member of another type.
func StringMember(m map[string]any, name string) (s string, present, ok bool) {
	v, found := m[name]
	if !found || v == nil {
		return "", false, true
	}
	s, ok = v.(string)
	return s, true, ok
}

// Audience returns "aud" as a list: a string (none when empty) or an
// array of strings. ok is false for any other type.
func Audience(m map[string]any) (aud []string, ok bool) {
	switch a := m["aud"].(type) {
	case nil:
		return nil, true
	case string:
		if a == "" {
			return nil, true
		}
		return []string{a}, true
	case []any:
		out := make([]string, 0, len(a))
		for _, e := range a {
			s, isString := e.(string)
			if !isString {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// Client returns the client the token names and the claim it came from:
// the first non-empty of clientIDClaims. bad names a client claim that is
// not a string (which the library refuses), or is "".
func Client(m map[string]any) (id, from, bad string) {
	for _, name := range clientIDClaims {
		v, present, ok := StringMember(m, name)
		if present && !ok && bad == "" {
			bad = name
		}
		if id == "" && v != "" {
			id, from = v, name
		}
	}
	return id, from, bad
}

// Scopes returns the granted scopes and the claim they came from: "scope"
// (a space-separated string, or an array of such strings), else "scp", else
// "scopes". bad names a scope claim of another type (which the library
// refuses), or is "".
func Scopes(m map[string]any) (scopes []string, from, bad string) {
	for _, name := range scopeClaims {
		v, present := m[name]
		if !present {
			continue
		}
		s, ok := parseScopes(v)
		if !ok {
			if bad == "" {
				bad = name
			}
			continue
		}
		if from == "" {
			scopes, from = s, name
		}
	}
	return scopes, from, bad
}

// parseScopes reads a scope claim: a space-separated string or an array of
// strings, each of which may itself hold several scopes.
func parseScopes(v any) ([]string, bool) {
	switch s := v.(type) {
	case string:
		return strings.Fields(s), true
	case []any:
		out := []string{}
		for _, e := range s {
			str, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, strings.Fields(str)...)
		}
		return out, true
	}
	return nil, false
}

// NumericDate returns the NumericDate claim name (RFC 7519 §2). present is
// false for an absent or null claim; ok is false for a value that is not a
// number within ±2^40 seconds.
func NumericDate(m map[string]any, name string) (t time.Time, present, ok bool) {
	v, found := m[name]
	if !found || v == nil {
		return time.Time{}, false, true
	}
	n, isNumber := v.(json.Number)
	if !isNumber {
		return time.Time{}, true, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.Abs(f) > maxUnixSeconds {
		return time.Time{}, true, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true, true
}
