package mcpauth

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/internal/jsonscan"
)

// jwtVerifier verifies JWT access tokens (RFC 9068) with the key set of the
// issuer the token names, after checking that issuer is trusted.
type jwtVerifier struct {
	parser *jwt.Parser
	keys   *keySets
	count  atomic.Int64 // verifications attempted, for tests
}

// newJWTVerifier returns a verifier accepting the algorithms algs (checked
// by [Config]: never none or HMAC).
func newJWTVerifier(algs []string, keys *keySets) *jwtVerifier {
	return &jwtVerifier{
		parser: jwt.NewParser(
			jwt.WithValidMethods(algs),
			jwt.WithoutClaimsValidation(), // checked below, with precise errors
			jwt.WithStrictDecoding(),
		),
		keys: keys,
	}
}

// jwtAttempt carries one verification's state into the key function.
type jwtAttempt struct {
	ctx context.Context
	req *VerifyRequest
	v   *jwtVerifier
	ref keyRef // the key found, once one was
}

// keyRef records which key verified a token, so that the verified-token
// cache can tell when that key leaves its issuer's key set.
type keyRef struct {
	set *keySet
	gen uint64 // generation of the snapshot the key came from
	kid string
	alg string
	key any // nil when the token named no kid (every fitting key was tried)
}

// jwtResult is a verified token and what the verified-token cache keeps of
// its verification.
type jwtResult struct {
	info       *AuthInfo
	ref        keyRef
	claimBytes int // length of the claim set's JSON
}

// Verify parses and verifies token. The token's iss must name a trusted
// server before any key is looked up, so an untrusted issuer never causes
// a request; that server's own key set verifies the signature. A failed
// signature refetches the key set once (rate-limited) and tries again if
// the set changed, for servers that rotate a key under the same kid.
func (v *jwtVerifier) Verify(ctx context.Context, token string, req *VerifyRequest) (*AuthInfo, error) {
	res, err := v.verify(ctx, token, req)
	if err != nil {
		return nil, err
	}
	return res.info, nil
}

// verify is Verify, also telling which key verified the token.
func (v *jwtVerifier) verify(ctx context.Context, token string, req *VerifyRequest) (jwtResult, *Error) {
	v.count.Add(1)
	a := &jwtAttempt{ctx: ctx, req: req, v: v}
	claims := &tokenClaims{}
	_, err := v.parser.ParseWithClaims(token, claims, a.keyfunc)
	if err != nil && errors.Is(err, jwt.ErrTokenSignatureInvalid) && a.ref.set != nil {
		if a.ref.set.refreshAfterFailure(ctx, a.ref.gen) {
			claims = &tokenClaims{}
			a.ref = keyRef{}
			_, err = v.parser.ParseWithClaims(token, claims, a.keyfunc)
		}
	}
	if err != nil {
		return jwtResult{}, jwtError(err)
	}
	if err := checkTimes(claims, req); err != nil {
		return jwtResult{}, err
	}
	if claims.sub == "" {
		return jwtResult{}, newError(CodeInvalidToken, "The access token has no subject (sub).", nil)
	}
	info := &AuthInfo{
		Token:    token,
		Issuer:   claims.iss,
		Subject:  claims.sub,
		ClientID: claims.clientID,
		Audience: claims.aud,
		Scopes:   claims.scopes,
		Claims:   claims.all,
	}
	if claims.exp != nil {
		info.ExpiresAt = *claims.exp
	}
	return jwtResult{info: info, ref: a.ref, claimBytes: claims.size}, nil
}

// keyfunc checks the header and the issuer, then finds the key.
func (a *jwtAttempt) keyfunc(tok *jwt.Token) (any, error) {
	if e := checkHeader(tok.Raw); e != nil {
		return nil, e
	}
	if _, ok := tok.Header["crit"]; ok {
		// RFC 7515 §4.1.11: no extension is understood, so none may be critical.
		return nil, newError(CodeInvalidToken, "The access token has a critical header the server does not understand.", nil)
	}
	claims := tok.Claims.(*tokenClaims)
	if e := checkTokenType(tok.Header["typ"], claims, a.req.RequireTokenType); e != nil {
		return nil, e
	}
	if claims.iss == "" {
		return nil, newError(CodeInvalidToken, "The access token has no issuer (iss).", nil)
	}
	server := a.req.server(claims.iss)
	if server == nil {
		return nil, untrustedIssuer(a.req.AuthServers, claims.iss)
	}
	cfg, err := server.Config(a.ctx)
	if err != nil {
		return nil, serverConfigError(server, err)
	}
	if cfg.Metadata.JWKSURI == "" {
		return nil, newError(CodeServerError, "The authorization server publishes no key set.", ErrInvalidServerMetadata)
	}
	set := a.v.keys.get(claims.iss, cfg.Metadata.JWKSURI)
	res, err := set.key(a.ctx, tok)
	if err != nil {
		return nil, err
	}
	a.ref = keyRef{set: set, gen: res.gen, alg: tok.Method.Alg()}
	if _, several := res.key.(jwt.VerificationKeySet); !several {
		a.ref.key = res.key
		a.ref.kid, _ = tok.Header["kid"].(string)
	}
	return res.key, nil
}

// checkHeader refuses a JOSE header that is not UTF-8 or names a member
// twice (RFC 7519 §7.2, RFC 7515 §4): the JWT library decodes it with
// encoding/json, which replaces invalid bytes and keeps the last duplicate,
// where other decoders keep the first. token is the whole compact token.
func checkHeader(token string) *Error {
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err == nil && utf8.Valid(raw) {
		if _, dup, err := jsonscan.DuplicateMember(raw); err == nil && !dup {
			return nil
		}
	}
	return newError(CodeInvalidToken, "The access token's header is malformed.", nil)
}

// checkTokenType refuses a JWT that says it is not an access token, before
// any key is looked up: a JOSE typ (RFC 7515 §4.1.9, "application/" prefix
// optional, case-insensitive) naming another kind of JWT, such as id+jwt,
// logout+jwt (OpenID Connect Back-Channel Logout), secevent+jwt (RFC 8417),
// dpop+jwt (RFC 9449) or oauth-id-jag+jwt; anything but at+jwt (RFC 9068
// §2.1) when requireAT; and the providers' own markers of other tokens
// ([checkTokenKind]). A typ that is not a string is malformed.
func checkTokenType(typ any, c *tokenClaims, requireAT bool) *Error {
	t, ok := typ.(string)
	if typ != nil && !ok {
		return newError(CodeInvalidToken, "The access token's header is malformed.", nil)
	}
	mt, _, _ := strings.Cut(strings.ToLower(t), ";")
	mt = strings.TrimPrefix(strings.TrimSpace(mt), "application/")
	switch {
	case mt == "at+jwt":
		return nil
	case requireAT:
		return newError(CodeInvalidToken, "The access token's type (typ) is not at+jwt.", nil)
	case strings.HasSuffix(mt, "+jwt"):
		return notAccessToken("typ", t)
	}
	return checkTokenKind(c.all)
}

// checkTokenKind refuses claims (or an introspection answer) whose
// providers' own markers say the token is not an access token: a token_use
// other than "access" (Cognito) or "access_token" (Ory Hydra), or a payload
// typ of a Keycloak ID, refresh, offline or logout token.
func checkTokenKind(all map[string]any) *Error {
	if use, ok := all["token_use"].(string); ok && use != "access" && use != "access_token" {
		return notAccessToken("token_use", use)
	}
	if kind, ok := all["typ"].(string); ok && otherKeycloakTokens[strings.ToLower(kind)] {
		return notAccessToken("typ claim", kind)
	}
	return nil
}

// otherKeycloakTokens are the payload "typ" values of Keycloak's tokens that
// are not access tokens ("Bearer").
var otherKeycloakTokens = map[string]bool{"id": true, "refresh": true, "offline": true, "logout": true, "serialized-id": true}

// notAccessToken refuses a token whose member name says it is another kind.
func notAccessToken(name, value string) *Error {
	e := newError(CodeInvalidToken, "The token is not an access token.", nil)
	e.details = map[string]any{name: value}
	return e
}

// serverConfigError turns a discovery failure into a refusal: 503 when the
// server may recover by itself, 500 when its metadata cannot be used.
// The Retry-After of a 503 is the time left in the server's backoff window
// after a failed discovery (see [AuthServer]), else one second.
func serverConfigError(s *AuthServer, err error) *Error {
	if isTemporary(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		e := newError(CodeTemporarilyUnavailable, "The authorization server cannot be reached right now.", err)
		e.RetryAfter = time.Second
		var retry *retryError
		if errors.As(err, &retry) {
			e.RetryAfter = retry.RetryAfter
		}
		return e
	}
	return newError(CodeServerError, "The authorization server's metadata cannot be used.", err)
}

// untrustedIssuer refuses a token whose issuer is none of servers'. An
// issuer that differs from a trusted one only by a trailing slash is a
// configuration mistake (issuers are compared exactly, RFC 8414 §3.3), and
// the refusal says so.
func untrustedIssuer(servers []*AuthServer, actual string) *Error {
	e := newError(CodeInvalidIssuer, "The access token's issuer is not trusted by this resource.", nil)
	for _, s := range servers {
		if strings.TrimSuffix(s.issuer, "/") == strings.TrimSuffix(actual, "/") {
			e.Description = "The access token's issuer is not trusted by this resource: it differs from the trusted issuer only by a trailing slash, so the configured issuer must be corrected."
		}
	}
	e.details = map[string]any{"expected": issuers(servers), "actual": actual}
	return e
}

func issuers(servers []*AuthServer) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.issuer
	}
	return out
}

// checkTimes applies exp (required), nbf and iat with the leeway.
func checkTimes(c *tokenClaims, req *VerifyRequest) *Error {
	now := req.Now()
	if c.exp == nil {
		return newError(CodeInvalidToken, "The access token has no expiry (exp).", nil)
	}
	if !now.Before(c.exp.Add(req.Leeway)) {
		return newError(CodeInvalidToken, "The access token has expired.", nil)
	}
	if c.nbf != nil && now.Add(req.Leeway).Before(*c.nbf) {
		return newError(CodeInvalidToken, "The access token is not valid yet (nbf).", nil)
	}
	if c.iat != nil && now.Add(req.Leeway).Before(*c.iat) {
		return newError(CodeInvalidToken, "The access token was issued in the future (iat).", nil)
	}
	return nil
}

// jwtError maps a golang-jwt error to a refusal.
func jwtError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		u := newError(CodeTemporarilyUnavailable, "The access token could not be checked in time.", err)
		u.RetryAfter = time.Second
		return u
	}
	if _, ok := asClaimError(err); ok {
		return newError(CodeInvalidToken, "The access token's claims are malformed.", err)
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return newError(CodeInvalidToken, "The access token is malformed.", err)
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return newError(CodeInvalidToken, "The access token's signature is invalid.", err)
	}
	return newError(CodeInvalidToken, "The access token cannot be verified.", err)
}
