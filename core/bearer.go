package mcpauth

import (
	"fmt"
	"net/http"
	"slices"
	"sync/atomic"
	"time"
)

// DefaultLeeway is the clock skew tolerated on exp, nbf and iat.
const DefaultLeeway = 60 * time.Second

// BearerOptions configures a bearer middleware. A nil *BearerOptions means
// the defaults: the only resource, the JWT verifier, no required scopes.
type BearerOptions struct {
	// Resource names the protected resource (its identifier). Required when
	// several are configured; "" means the only one.
	Resource string
	// Audiences are the "aud" values accepted; a token must carry at least
	// one. Default: the resource identifier, or in legacy mode
	// [LegacyServer.Audiences] (scheme and host compared case-insensitively,
	// one trailing slash tolerated).
	Audiences []string
	// RequiredScopes must all be granted (through the scope hierarchy too).
	RequiredScopes []string
	// Policy adds scopes per JSON-RPC method, tool, prompt or resource (MCP
	// step-up authorization).
	Policy *ScopePolicy
	// Verifier verifies the token. Nil means the JWT verifier: the key set
	// of the token's (trusted) issuer.
	Verifier Verifier
	// Leeway is the clock skew tolerated on exp, nbf and iat. Zero means
	// [DefaultLeeway]; a negative value means none.
	Leeway time.Duration
	// RequireTokenType requires the JWT header typ "at+jwt" (RFC 9068 §2.1).
	// Off by default, because many providers send "JWT".
	RequireTokenType bool
	// ShowErrorDetails adds a "cause" object (for example the expected and
	// actual issuer) to error bodies. Never enable it in production.
	ShowErrorDetails bool
	// Realm, when set, is sent as the challenges' realm parameter.
	Realm string
	// MaxTokenBytes refuses longer tokens without parsing them. Zero means
	// [DefaultMaxTokenBytes].
	MaxTokenBytes int
	// SkipIssuerCheck and SkipAudienceCheck turn off the issuer and audience
	// checks for a Verifier whose tokens carry no such information (a
	// [VerifierFunc] for opaque tokens, say). Each weakens the guarantees an
	// MCP server must give; use them only when the verifier itself ensures
	// the token was issued by a trusted server for this resource.
	SkipIssuerCheck   bool
	SkipAudienceCheck bool
}

// Bearer is a compiled set of [BearerOptions]: [Bearer.Authenticate]
// decides on a request. [Auth.Middleware] and the framework adapters build
// on it. A Bearer is safe for concurrent use.
type Bearer struct {
	auth      *Auth
	res       *resource
	verifier  Verifier
	req       VerifyRequest
	audiences []string // canonical forms; empty: not checked
	required  []string
	policy    *policy
	maxToken  int
	opts      BearerOptions
	cache     *tokenCache // nil: off, or a verifier other than the JWT one
	profile   verifyProfile

	pathWarned atomic.Bool // the warning of observe.go's warnPath was given
}

// NewBearer compiles opts into a Bearer. It fails (with [ErrInvalidConfig])
// for an unknown resource, a missing one when several exist, invalid
// scopes, or a JWT verifier for a resolved authorization server without a
// jwks_uri.
func (a *Auth) NewBearer(opts *BearerOptions) (*Bearer, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, errNilAuth)
	}
	if opts == nil {
		opts = &BearerOptions{}
	}
	res, err := a.resource(opts.Resource)
	if err != nil {
		return nil, err
	}
	if err := checkScopes("RequiredScopes", opts.RequiredScopes); err != nil {
		return nil, err
	}
	pol, err := opts.Policy.compile()
	if err != nil {
		return nil, err
	}
	b := &Bearer{
		auth:     a,
		res:      res,
		verifier: opts.Verifier,
		required: slices.Clone(opts.RequiredScopes),
		policy:   pol,
		maxToken: opts.MaxTokenBytes,
		opts:     *opts,
	}
	if b.verifier == nil {
		b.verifier = a.jwt
		b.cache = a.tokens
		// Only metadata known at construction is checked here, so that
		// wiring never depends on whether a lazy discovery already ran: a
		// discovered document without jwks_uri is answered 500 (logged) and
		// reported by Auth.Check.
		for _, s := range res.servers {
			if cfg, ok := s.Resolved(); ok && !s.lazy && cfg.Metadata.JWKSURI == "" {
				return nil, fmt.Errorf("%w: authorization server %q has no jwks_uri, so JWTs cannot be verified: use an introspection verifier or a VerifierFunc", ErrInvalidConfig, s.issuer)
			}
		}
	}
	if b.maxToken <= 0 {
		b.maxToken = DefaultMaxTokenBytes
	}
	leeway := opts.Leeway
	if leeway == 0 {
		leeway = DefaultLeeway
	} else if leeway < 0 {
		leeway = 0
	}
	b.req = VerifyRequest{Resource: res.id, AuthServers: res.servers, Leeway: leeway, RequireTokenType: opts.RequireTokenType, Now: a.now, hooks: &a.hooks}
	b.profile = verifyProfile{res: res, leeway: leeway, typ: opts.RequireTokenType}
	auds := opts.Audiences
	if len(auds) == 0 {
		auds = res.audiences
	}
	for _, aud := range auds {
		b.audiences = append(b.audiences, canonicalURL(aud))
	}
	a.bearers.Add(1)
	if b.cache != nil || b.verifier == Verifier(a.jwt) {
		a.jwtBearers.Add(1)
	}
	return b, nil
}

// Middleware returns net/http middleware authenticating each request with
// opts before next sees it: on success next runs with the [AuthInfo] in the
// request's context ([FromContext]); on failure the answer is written with
// [WriteError] and next never runs. It panics if opts are invalid (see
// [Auth.NewBearer]), as a wiring mistake found at start-up; call NewBearer
// first to handle that error yourself.
func (a *Auth) Middleware(opts *BearerOptions) func(http.Handler) http.Handler {
	b, err := a.NewBearer(opts)
	if err != nil {
		panic(fmt.Errorf("mcpauth.Auth.Middleware: %w", err))
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			authed, _, err := b.authenticateRequest(w.Header(), r)
			if err != nil {
				WriteError(w, r, err)
				return
			}
			next.ServeHTTP(w, authed)
		})
	}
}

// Authenticate decides on r: it returns the verified identity, or an
// [*Error] that says how to answer ([WriteError] writes it). In order: the
// scopes r needs (the required scopes plus the policy's, which may read and
// restore the body), the bearer token from the Authorization header, the
// verifier, then the issuer, audience, sender-constraint, expiry and scope
// checks; for a DPoP request, the proof before the verifier, its key
// binding among the checks, and the replay store last. Each call returns a new
// AuthInfo (see [AuthInfo] for what it shares with other requests).
// Authenticate writes no response, so a DPoP client whose nonce is getting
// old is sent a fresh one only by the middleware and the adapters; with
// Authenticate alone it gets a use_dpop_nonce refusal once the nonce expires.
func (b *Bearer) Authenticate(r *http.Request) (*AuthInfo, error) {
	out := new(AuthInfo)
	if err := b.authenticate(nil, r, out); err != nil {
		return nil, err
	}
	return out, nil
}

// authenticateRequest is Authenticate for middleware: on success it also
// returns a shallow copy of r whose context carries the AuthInfo
// ([FromContext]), the request to pass on, and sets on h, the response's
// headers, those a success needs (a fresh DPoP-Nonce). The AuthInfo and
// its context node are allocated together, which saves an allocation per
// request. On failure it returns r itself.
func (b *Bearer) authenticateRequest(h http.Header, r *http.Request) (*http.Request, *AuthInfo, error) {
	ctx := &infoContext{Context: r.Context()}
	if err := b.authenticate(h, r, &ctx.info); err != nil {
		return r, nil, err
	}
	return r.WithContext(ctx), &ctx.info, nil
}

// authenticate is Authenticate, writing the identity into out and the
// success's response headers into h (nil: none), and reporting the
// decision (observe.go).
func (b *Bearer) authenticate(h http.Header, r *http.Request, out *AuthInfo) error {
	var start time.Time
	if b.auth.hooks.OnDecision != nil {
		start = time.Now()
	}
	b.warnPath(r)
	cache, err := b.decide(h, r, out)
	if err != nil {
		b.observe(r, nil, err, cache, start)
		return err
	}
	if b.auth.hooks.OnDecision != nil {
		b.observe(r, out, nil, cache, start)
	}
	return nil
}

// decide decides on r, writing the identity into out and a success's
// response headers into h (when not nil); cache says what the
// verified-token cache did ("hit", "miss" or "").
func (b *Bearer) decide(h http.Header, r *http.Request, out *AuthInfo) (cache string, _ *Error) {
	required := b.required
	var mismatch *Error // headers that disagree with the body: answered once authenticated
	if b.policy != nil {
		var perr *Error
		if required, perr = b.policy.scopesFor(r, b.required); perr != nil {
			if perr.Code != CodeHeaderMismatch {
				return "", b.finish(perr, b.required, false)
			}
			mismatch = perr
		}
	}
	dp := b.res.dpop
	token, isDPoP, code := credentials(r.Header, dp != nil)
	if code != "" {
		return "", b.finish(newError(code, headerDescriptions[code], nil), required, isDPoP)
	}
	if dp != nil && dp.required && !isDPoP {
		return "", b.finish(newError(CodeInvalidToken, "This resource accepts only DPoP-bound access tokens: send \"Authorization: DPoP <token>\" with a DPoP proof.", nil), required, false)
	}
	now := b.auth.now() // one clock read serves the cache, the proof and the expiry check
	var proof *dpopProof
	if isDPoP {
		var e *Error
		if proof, e = dp.proof(r, token, now); e != nil {
			return "", b.finish(e, required, true)
		}
	}
	info, cache, e := b.verify(r.Context(), token, now)
	if e != nil {
		return cache, b.finish(e, required, isDPoP)
	}
	if mismatch != nil {
		// The operation is not known for sure, so its scopes are not
		// checked; the token must still be valid for this resource.
		if e := b.check(info, nil, now, proof); e != nil {
			return cache, b.finish(e, required, isDPoP)
		}
		return cache, b.finish(mismatch, required, isDPoP)
	}
	if e := b.check(info, required, now, proof); e != nil {
		return cache, b.finish(e, required, isDPoP)
	}
	if proof != nil {
		// Last, so that only a request that passed every other check uses
		// up its proof.
		if e := b.remember(r.Context(), dp, proof); e != nil {
			return cache, b.finish(e, required, true)
		}
		if proof.nonceStale && h != nil {
			setNonce(h, dp.nonces.make(now), r.Header.Get("Origin") != "")
		}
	}
	// A copy: verifiers may hand out a cached, shared AuthInfo.
	*out = *info
	out.Resource = b.res.id
	out.hierarchy = b.res.hierarchy
	out.bearer = b
	out.required = required
	if out.Token == "" {
		out.Token = token
	}
	if proof != nil {
		out.DPoPThumbprint = proof.Key.Thumbprint
	}
	return cache, nil
}

var headerDescriptions = map[Code]string{
	CodeMissingAuthHeader:       "An access token is required.",
	CodeMissingBearerToken:      "A Bearer access token is required.",
	CodeInvalidAuthHeaderFormat: "The Authorization header is malformed: expected a single \"Bearer <token>\".",
}

// check applies the issuer, audience, sender-constraint (proof is nil for
// the Bearer scheme), expiry and scope checks.
func (b *Bearer) check(info *AuthInfo, required []string, now time.Time, proof *dpopProof) *Error {
	if !b.opts.SkipIssuerCheck && b.res.server(info.Issuer) == nil {
		return untrustedIssuer(b.res.servers, info.Issuer)
	}
	if !b.opts.SkipAudienceCheck && len(b.audiences) > 0 && !b.audienceOK(info) {
		e := newError(CodeInvalidAudience, "The access token was not issued for this resource.", nil)
		e.details = map[string]any{"expected": b.audiences, "actual": info.Audience}
		return e
	}
	if e := bindingError(info, proof, b.res.dpop); e != nil {
		return e
	}
	if !info.ExpiresAt.IsZero() && !now.Before(info.ExpiresAt.Add(b.req.Leeway)) {
		return newError(CodeInvalidToken, "The access token has expired.", nil)
	}
	if missing := b.res.hierarchy.missing(info.Scopes, required); len(missing) > 0 {
		e := newError(CodeMissingRequiredScopes, "The access token lacks scopes this operation requires.", nil)
		e.MissingScopes = missing
		e.details = map[string]any{"expected": required, "actual": info.Scopes}
		return e
	}
	return nil
}

// audienceOK reports whether the token carries an expected audience, or
// carries none and its client is allowed to omit it.
func (b *Bearer) audienceOK(info *AuthInfo) bool {
	if len(info.Audience) == 0 {
		return info.ClientID != "" && slices.Contains(b.res.noAudClients, info.ClientID)
	}
	for _, aud := range info.Audience {
		for _, want := range b.audiences {
			if aud == want {
				return true
			}
		}
	}
	for _, aud := range info.Audience {
		if slices.Contains(b.audiences, canonicalURL(aud)) {
			return true
		}
	}
	return false
}

// finish adds the rendering context to a refusal of a request that used
// the DPoP scheme or not.
func (b *Bearer) finish(err *Error, required []string, isDPoP bool) *Error {
	e := new(Error)
	*e = *err // a verifier may return a shared *Error; never modify it
	if e.RequiredScopes == nil {
		e.RequiredScopes = required
	}
	e.realm = b.opts.Realm
	e.resourceMetadata = b.res.metadataURL
	e.showDetails = b.opts.ShowErrorDetails
	if b.res.dpop != nil {
		e.dpop = b.res.dpop.challenge
		e.dpopScheme = isDPoP
	}
	return e
}
