package mcpauth

import (
	"context"
	"time"
)

// Verifier turns a bearer token into the identity it carries. The library
// has three: the JWT verifier (the default, used when
// [BearerOptions.Verifier] is nil), [IntrospectionVerifier] (RFC 7662) and
// [VerifierFunc] (a function of the caller's).
//
// A Verifier reports a refused token with an [*Error] (for example
// invalid_token, or temporarily_unavailable when a server it needs is
// down); any other error, or a nil identity, means the verifier itself
// failed: 500 token_verification_failed (error "server_error"), logged with
// the error, which clients never see. After
// it succeeds, the bearer middleware still checks the issuer, audience,
// expiry and scopes of the [AuthInfo] it returned.
type Verifier interface {
	Verify(ctx context.Context, token string, req *VerifyRequest) (*AuthInfo, error)
}

// VerifyRequest tells a Verifier what the bearer middleware expects.
type VerifyRequest struct {
	// Resource is the resource identifier ("" in legacy mode).
	Resource string
	// AuthServers are the trusted authorization servers.
	AuthServers []*AuthServer
	// Leeway is the clock skew tolerated on exp, nbf and iat.
	Leeway time.Duration
	// RequireTokenType requires the JWT header typ "at+jwt" (RFC 9068 §2.1).
	RequireTokenType bool
	// Now is the current time.
	Now func() time.Time

	hooks *Hooks // the Auth's, for the built-in verifiers' fetches
}

// server returns the trusted AuthServer for issuer, or nil.
func (r *VerifyRequest) server(issuer string) *AuthServer {
	for _, s := range r.AuthServers {
		if s.issuer == issuer {
			return s
		}
	}
	return nil
}

// VerifierFunc is a Verifier made of a function, for opaque tokens or any
// scheme of the caller's. The issuer, audience, expiry and scope checks
// still apply to the AuthInfo it returns unless turned off in
// [BearerOptions] (SkipIssuerCheck, SkipAudienceCheck).
type VerifierFunc func(ctx context.Context, token string) (*AuthInfo, error)

// Verify calls f.
func (f VerifierFunc) Verify(ctx context.Context, token string, _ *VerifyRequest) (*AuthInfo, error) {
	return f(ctx, token)
}
