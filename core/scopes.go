package mcpauth

import (
	"fmt"
	"slices"
	"strings"
)

// ScopeHierarchy declares broader scopes that imply narrower ones, as the
// MCP specification (2026-07-28) requires servers to honour: each key
// implies every scope in its list, transitively.
//
//	mcpauth.ScopeHierarchy{
//		"todos:admin": {"todos:read", "todos:write"},
//		"todos:write": {"todos:create", "todos:delete"},
//	}
type ScopeHierarchy map[string][]string

// scopeHierarchy is a compiled ScopeHierarchy: for each broad scope, every
// scope it implies. A nil *scopeHierarchy implies nothing.
type scopeHierarchy struct {
	implies map[string]map[string]bool
}

// compile computes the transitive closure of h.
func (h ScopeHierarchy) compile() (*scopeHierarchy, error) {
	if len(h) == 0 {
		return nil, nil
	}
	out := &scopeHierarchy{implies: make(map[string]map[string]bool, len(h))}
	for broad, narrow := range h {
		if !validScopeToken(broad) {
			return nil, fmt.Errorf("%w: scope hierarchy: %q is not a valid scope", ErrInvalidConfig, broad)
		}
		seen := map[string]bool{}
		queue := slices.Clone(narrow)
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			if !validScopeToken(s) {
				return nil, fmt.Errorf("%w: scope hierarchy: %q is not a valid scope", ErrInvalidConfig, s)
			}
			if seen[s] || s == broad {
				continue
			}
			seen[s] = true
			queue = append(queue, h[s]...)
		}
		out.implies[broad] = seen
	}
	return out, nil
}

// granted reports whether need is among scopes or implied by one of them.
func (h *scopeHierarchy) granted(scopes []string, need string) bool {
	for _, s := range scopes {
		if s == need {
			return true
		}
	}
	if h == nil {
		return false
	}
	for _, s := range scopes {
		if h.implies[s][need] {
			return true
		}
	}
	return false
}

// missing returns the scopes of need that scopes do not grant.
func (h *scopeHierarchy) missing(scopes, need []string) []string {
	var out []string
	for _, n := range need {
		if !h.granted(scopes, n) {
			out = append(out, n)
		}
	}
	return out
}

// parseScopes turns a claim value into scopes: a space-separated string or
// an array of strings. ok is false for any other type.
func parseScopes(v any) (scopes []string, ok bool) {
	switch s := v.(type) {
	case string:
		return strings.Fields(s), true
	case []any:
		out := make([]string, 0, len(s))
		for _, e := range s {
			str, isStr := e.(string)
			if !isStr {
				return nil, false
			}
			out = append(out, strings.Fields(str)...)
		}
		return out, true
	case []string:
		return s, true
	}
	return nil, false
}

// unionScopes appends to dst the scopes of add not already in it.
func unionScopes(dst []string, add ...string) []string {
	for _, s := range add {
		if !slices.Contains(dst, s) {
			dst = append(dst, s)
		}
	}
	return dst
}

// checkScopes validates configured scopes: each a valid scope-token.
func checkScopes(where string, scopes []string) error {
	for _, s := range scopes {
		if !validScopeToken(s) {
			return fmt.Errorf("%w: %s: %q is not a valid scope", ErrInvalidConfig, where, s)
		}
	}
	return nil
}
