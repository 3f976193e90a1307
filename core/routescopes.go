package mcpauth

import (
	"errors"
	"net/http"
)

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
		return newError(CodeServerError, "The server is misconfigured.", errNoBearer)
	}
	b := info.bearer
	required := unionScopes(append([]string(nil), info.required...), scopes...)
	if missing := b.res.hierarchy.missing(info.Scopes, required); len(missing) > 0 {
		e := newError(CodeMissingRequiredScopes, "The access token lacks scopes this operation requires.", nil)
		e.MissingScopes = missing
		e.details = map[string]any{"expected": required, "actual": info.Scopes}
		return b.finish(e, required)
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
