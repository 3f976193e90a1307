package mcpauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Code is the fine-grained reason a request was refused: the identity of an
// [*Error], compared with == on Error.Code or through [errors.Is] (a Code is
// an error too). The codes of the MCP Auth reference libraries are kept; on
// the wire, challenges carry the RFC 6750 code ("invalid_token", …) and the
// JSON body carries this one as "error_code".
type Code string

// The refusal codes.
const (
	// CodeMissingAuthHeader: no Authorization header (401, no error in the challenge).
	CodeMissingAuthHeader Code = "missing_auth_header"
	// CodeMissingBearerToken: another scheme, or "Bearer" with no token (401, no error).
	CodeMissingBearerToken Code = "missing_bearer_token"
	// CodeInvalidAuthHeaderFormat: a token breaking RFC 6750's b64token
	// grammar, or several Authorization headers (400 invalid_request).
	CodeInvalidAuthHeaderFormat Code = "invalid_auth_header_format"
	// CodeInvalidToken: malformed, badly signed, expired or not yet valid,
	// a required claim missing, or over the size limit (401 invalid_token).
	CodeInvalidToken Code = "invalid_token"
	// CodeInvalidIssuer: the token's issuer is not trusted for this resource (401 invalid_token).
	CodeInvalidIssuer Code = "invalid_issuer"
	// CodeInvalidAudience: the token was not issued for this resource (401 invalid_token).
	CodeInvalidAudience Code = "invalid_audience"
	// CodeMissingRequiredScopes: the token lacks scopes the operation needs
	// (403 insufficient_scope).
	CodeMissingRequiredScopes Code = "missing_required_scopes"
	// CodeTokenVerificationFailed: a verifier failed in an unexpected way
	// (an error that is not an *Error, or no identity): the server failed,
	// not the client's token (500 server_error, no challenge, logged).
	CodeTokenVerificationFailed Code = "token_verification_failed"
	// CodeInvalidRequest: the request body is one the scope policy refuses to
	// guess about (400 invalid_request), such as a JSON-RPC message with
	// duplicate or case-variant members.
	CodeInvalidRequest Code = "invalid_request"
	// CodeRequestTooLarge: the request body is over the scope policy's
	// limit, so the operation cannot be known (413, no challenge).
	CodeRequestTooLarge Code = "request_too_large"
	// CodeServerError: the library's configuration or an authorization
	// server's metadata cannot be used (500, no challenge).
	CodeServerError Code = "server_error"
	// CodeHeaderMismatch: the request's Mcp-Method or Mcp-Name header (MCP
	// 2026-07-28, SEP-2243) disagrees with its body, is given twice, or
	// names a message the body does not hold (400, no challenge, and a
	// JSON-RPC error body with code -32020 instead of an OAuth one). Checked
	// by the scope policy, after authentication.
	CodeHeaderMismatch Code = "header_mismatch"
	// CodeTemporarilyUnavailable: an authorization server or key set could
	// not be reached, so the token cannot be checked now (503, no
	// challenge, Retry-After).
	CodeTemporarilyUnavailable Code = "temporarily_unavailable"
	// CodeInvalidDPoPProof: the DPoP proof is missing, malformed, badly
	// signed, for another request, outside its time window, or replayed
	// (401 invalid_dpop_proof, RFC 9449 §7.1).
	CodeInvalidDPoPProof Code = "invalid_dpop_proof"
	// CodeUseDPoPNonce: the DPoP proof lacks the server's current nonce
	// (401 use_dpop_nonce with a DPoP-Nonce header to use, RFC 9449 §9).
	CodeUseDPoPNonce Code = "use_dpop_nonce"
)

// knownCodes are the codes of [Error]; any other is answered as a 500.
var knownCodes = map[Code]bool{
	CodeMissingAuthHeader: true, CodeMissingBearerToken: true, CodeInvalidAuthHeaderFormat: true,
	CodeInvalidToken: true, CodeInvalidIssuer: true, CodeInvalidAudience: true,
	CodeMissingRequiredScopes: true, CodeTokenVerificationFailed: true, CodeInvalidRequest: true,
	CodeRequestTooLarge: true, CodeServerError: true, CodeTemporarilyUnavailable: true, CodeHeaderMismatch: true,
	CodeInvalidDPoPProof: true, CodeUseDPoPNonce: true,
}

// Error returns the code itself. It makes a Code an error, so that a
// refusal can be recognised by its code with [errors.Is]:
// errors.Is(err, mcpauth.CodeInvalidAudience).
func (c Code) Error() string { return string(c) }

// Error is a refused request: what went wrong, how to answer it (status,
// challenge, JSON body) and why (a wrapped cause, never sent to clients
// unless error details are enabled). Every refusal of [Bearer.Authenticate]
// is an *Error; [WriteError] renders it, and so does each framework adapter.
type Error struct {
	// Code is the fine-grained reason.
	Code Code
	// Description is a human-readable sentence for the client. It is written
	// by this library (or a verifier) and never holds a cause's text.
	Description string
	// RequiredScopes are all the scopes the operation needs: the challenge's
	// "scope" parameter.
	RequiredScopes []string
	// MissingScopes are the required scopes the token lacks (403 only).
	MissingScopes []string
	// RetryAfter is when to try again (503 only).
	RetryAfter time.Duration
	// Cause is the underlying error, for logs and [errors.Is]/[errors.As].
	Cause error

	// Details are shown to clients as "cause" when error details are on.
	details map[string]any
	// Rendering context, set by the Bearer that refused the request.
	realm            string
	resourceMetadata string
	showDetails      bool
	rpcID            []byte         // the JSON-RPC id a header mismatch answers
	dpop             *dpopChallenge // the resource accepts DPoP
	dpopScheme       bool           // the request used the DPoP scheme
	nonce            string         // a DPoP-Nonce to send
}

// newError returns an Error with code, description and cause.
func newError(code Code, description string, cause error) *Error {
	return &Error{Code: code, Description: description, Cause: cause}
}

// Error describes the refusal, including the cause for logs.
func (e *Error) Error() string {
	msg := "mcpauth: " + string(e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is e's [Code].
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// StatusCode returns the HTTP status of the refusal: 400, 401, 403, 413, 500 or 503.
func (e *Error) StatusCode() int {
	switch e.Code {
	case CodeInvalidAuthHeaderFormat, CodeInvalidRequest, CodeHeaderMismatch:
		return http.StatusBadRequest
	case CodeMissingRequiredScopes:
		return http.StatusForbidden
	case CodeRequestTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeServerError, CodeTokenVerificationFailed:
		return http.StatusInternalServerError
	case CodeTemporarilyUnavailable:
		return http.StatusServiceUnavailable
	}
	if !knownCodes[e.Code] {
		return http.StatusInternalServerError
	}
	return http.StatusUnauthorized
}

// oauthCode returns the error code for the wire: the RFC 6750 §3.1 code
// ("invalid_request", "invalid_token", "insufficient_scope"), "" when no
// credentials were sent, or "server_error" / "temporarily_unavailable" /
// "invalid_request" for the refusals that carry no challenge.
func (e *Error) oauthCode() string {
	switch e.Code {
	case CodeMissingAuthHeader, CodeMissingBearerToken:
		return ""
	case CodeInvalidAuthHeaderFormat, CodeInvalidRequest, CodeRequestTooLarge, CodeHeaderMismatch:
		return "invalid_request"
	case CodeMissingRequiredScopes:
		return "insufficient_scope"
	case CodeTemporarilyUnavailable:
		return "temporarily_unavailable"
	case CodeInvalidToken, CodeInvalidIssuer, CodeInvalidAudience:
		return "invalid_token"
	case CodeInvalidDPoPProof, CodeUseDPoPNonce:
		return string(e.Code)
	}
	return "server_error"
}

// hasChallenge reports whether the refusal carries a WWW-Authenticate challenge.
func (e *Error) hasChallenge() bool {
	if e.Code == CodeHeaderMismatch {
		return false // a protocol error, not an authorization one
	}
	switch e.StatusCode() {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// challenge returns the WWW-Authenticate value, or "" for refusals without
// a challenge (413, 500, 503): a Bearer challenge (RFC 6750 §3), then, when
// the resource accepts DPoP, a DPoP challenge (RFC 9449 §7.1), or the DPoP
// challenge alone when DPoP is required. The error and its description go
// in the challenge of the scheme the request used (DPoP for a DPoP proof's
// error); each challenge carries, in this order and each only when it
// applies: realm, error, error_description, scope, resource_metadata, and
// for DPoP algs.
func (e *Error) challenge() string {
	if !e.hasChallenge() {
		return ""
	}
	if e.dpop == nil {
		return e.schemeChallenge("Bearer", true)
	}
	inDPoP := e.dpopScheme || e.dpop.required || e.Code == CodeInvalidDPoPProof || e.Code == CodeUseDPoPNonce
	dp := e.schemeChallenge("DPoP", inDPoP)
	if e.dpop.required {
		return dp
	}
	return e.schemeChallenge("Bearer", !inDPoP) + ", " + dp
}

// schemeChallenge is one challenge of scheme, with the error when withError.
func (e *Error) schemeChallenge(scheme string, withError bool) string {
	c := challenge{scheme: scheme}
	c.param("realm", e.realm)
	if code := e.oauthCode(); code != "" && withError {
		c.param("error", code)
		c.param("error_description", sanitizeDescription(e.Description))
	}
	c.param("scope", joinScopes(e.RequiredScopes))
	c.param("resource_metadata", e.resourceMetadata)
	if scheme == "DPoP" {
		c.param("algs", e.dpop.algs)
	}
	return c.String()
}

// errorBody is the JSON body of a refusal.
type errorBody struct {
	Error         string         `json:"error,omitempty"`
	Description   string         `json:"error_description,omitempty"`
	Code          Code           `json:"error_code"`
	MissingScopes []string       `json:"missing_scopes,omitempty"`
	Cause         map[string]any `json:"cause,omitempty"`
}

// MarshalJSON returns the JSON body, for frameworks that render errors
// themselves. A header mismatch is a JSON-RPC error response (code -32020,
// the request's id); every other refusal an OAuth error body: "error" exactly when the challenge has one (and for 413/500/503), "error_description", "error_code",
// "missing_scopes" on 403, and "cause" only when error details are enabled.
func (e *Error) MarshalJSON() ([]byte, error) {
	if e.Code == CodeHeaderMismatch {
		return e.rpcError()
	}
	b := errorBody{Error: e.oauthCode(), Description: e.Description, Code: e.Code}
	if e.Code == CodeMissingRequiredScopes {
		b.MissingScopes = e.MissingScopes
	}
	if e.showDetails {
		b.Cause = e.detailMap()
	}
	return json.Marshal(b)
}

func (e *Error) detailMap() map[string]any {
	if len(e.details) > 0 {
		return e.details
	}
	if e.Cause != nil {
		return map[string]any{"message": e.Cause.Error()}
	}
	return nil
}

// writeHeaders sets the refusal's response headers on h: WWW-Authenticate
// for 400/401/403, DPoP-Nonce for use_dpop_nonce, Retry-After for 503, and,
// when the request carried an Origin header (isCORS), those it sets added
// to Access-Control-Expose-Headers so browser-based clients can read them.
func (e *Error) writeHeaders(h http.Header, isCORS bool) {
	if c := e.challenge(); c != "" {
		h.Set("WWW-Authenticate", c)
		if isCORS {
			h.Add("Access-Control-Expose-Headers", "WWW-Authenticate")
		}
	}
	if e.nonce != "" {
		setNonce(h, e.nonce, isCORS)
	}
	if e.Code == CodeTemporarilyUnavailable {
		h.Set("Retry-After", strconv.Itoa(retryAfterSeconds(e.RetryAfter)))
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
}

// retryAfterSeconds rounds d up to whole seconds, at least 1.
func retryAfterSeconds(d time.Duration) int {
	s := int((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// asError returns err as an *Error: itself if it is one (or wraps one),
// otherwise a 500 server_error whose cause is err.
func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return newError(CodeServerError, "The server could not process the request.", err)
}

// WriteError writes err as the response to r: status, headers and JSON body.
// An error that is not an [*Error] becomes a 500 server_error whose text is
// not sent.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := asError(err)
	e.writeHeaders(w.Header(), r != nil && r.Header.Get("Origin") != "")
	body, merr := e.MarshalJSON()
	if merr != nil {
		body = []byte(`{"error":"server_error","error_code":"server_error"}`)
	}
	w.WriteHeader(e.StatusCode())
	if r == nil || r.Method != http.MethodHead {
		w.Write(body)
	}
}

// errorf builds an Error whose description is formatted.
func errorf(code Code, cause error, format string, args ...any) *Error {
	return newError(code, fmt.Sprintf(format, args...), cause)
}

// rpcError is the JSON-RPC error response of a header mismatch.
func (e *Error) rpcError() ([]byte, error) {
	id := json.RawMessage("null")
	if len(e.rpcID) > 0 && json.Valid(e.rpcID) {
		id = e.rpcID
	}
	return json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{headerMismatchCode, e.Description}})
}
