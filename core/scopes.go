package mcpauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
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

// wiringLogs rate-limits the log lines of wiring mistakes found without an
// Auth (and so without its logger) at hand.
var wiringLogs logLimiter

// errNoBearer is the cause when a scope check finds no authenticated request.
var errNoBearer = errors.New("mcpauth: scope check without bearer authentication before it")

// CheckScopes checks that info, as set by a bearer middleware, grants scopes
// too: the per-route requirement of a route or group behind that middleware.
// It returns nil, or an [*Error] to answer with: 403 insufficient_scope whose
// challenge names every scope the request needs (the middleware's and
// these), in the middleware's challenge context. A nil info (no bearer
// middleware ran) is a 500 server_error: a wiring mistake.
func CheckScopes(info *AuthInfo, scopes ...string) error {
	if info == nil || info.bearer == nil {
		if ok, suppressed := wiringLogs.allow("no bearer", time.Now()); ok {
			slog.Default().Error("mcpauth: a per-route scope check (RequireScopes, CheckScopes) ran without a bearer middleware before it: "+
				"mount Auth.Middleware, or the adapter's BearerAuth, in front of it; requests are answered 500 meanwhile", "scopes", scopes, "suppressed", suppressed)
		}
		return newError(CodeServerError, "The server is misconfigured.", errNoBearer)
	}
	b := info.bearer
	required := unionScopes(append([]string(nil), info.required...), scopes...)
	if missing := b.res.hierarchy.missing(info.Scopes, required); len(missing) > 0 {
		e := newError(CodeMissingRequiredScopes, "The access token lacks scopes this operation requires.", nil)
		e.MissingScopes = missing
		e.details = map[string]any{"expected": required, "actual": info.Scopes}
		return b.finish(e, required, info.DPoPThumbprint != "")
	}
	return nil
}

// RequireScopes returns net/http middleware (for use after a bearer
// middleware, on a route or group) that requires scopes in addition to the
// bearer middleware's own, answering with [CheckScopes]' error.
func RequireScopes(scopes ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			info, _ := FromContext(r.Context())
			if err := CheckScopes(info, scopes...); err != nil {
				WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}
