package mcpauth

import (
	"context"
	"errors"
	"fmt"
)

// errNilAuth is the wiring mistake of using an *Auth that New did not return.
var errNilAuth = errors.New("the *mcpauth.Auth is nil: create it with mcpauth.New and check the error New returns")

// Check resolves every authorization server of the configuration now,
// discovering the lazy ones, fetches the key sets that JWT verification will
// need, and returns every problem it finds, joined (nil when there is
// none): metadata that cannot be discovered or used, no jwks_uri, a key set
// that cannot be fetched or holds no usable key. Each problem names its
// issuer and says what to fix. The findings of [ValidateServerConfig] that
// concern clients only are logged, not returned.
//
// Call it at startup and log what it returns, rather than refuse to start:
// an authorization server that is merely down now is retried by the
// requests that need it. Check returns when ctx ends, with what it found so
// far. It also fills the caches, so the first requests need not wait.
func (a *Auth) Check(ctx context.Context) error {
	if a == nil {
		return fmt.Errorf("%w: mcpauth.Auth.Check: %w", ErrInvalidConfig, errNilAuth)
	}
	jwt := a.bearers.Load() == 0 || a.jwtBearers.Load() > 0
	var problems []error
	for _, s := range a.servers {
		if err := a.checkServer(ctx, s, jwt); err != nil {
			problems = append(problems, fmt.Errorf("authorization server %q: %w", s.issuer, err))
		}
	}
	return errors.Join(problems...)
}

// checkServer resolves s and, with jwt, fetches its key set.
func (a *Auth) checkServer(ctx context.Context, s *AuthServer, jwt bool) error {
	cfg, err := s.Config(ctx)
	if err != nil {
		return fmt.Errorf("its metadata cannot be discovered: %w (check the issuer URL and that the server is reachable)", err)
	}
	if !jwt {
		return nil
	}
	if cfg.Metadata.JWKSURI == "" {
		return errors.New("its metadata has no jwks_uri, so JWT access tokens cannot be verified: verify tokens by introspection (NewIntrospectionVerifier) or with a VerifierFunc")
	}
	set := a.jwt.keys.get(s.issuer, cfg.Metadata.JWKSURI)
	if err := set.refresh(ctx, true); err != nil {
		var e *Error
		if errors.As(err, &e) && e.Cause != nil {
			err = e.Cause
		}
		return fmt.Errorf("its key set %s cannot be fetched: %w", cfg.Metadata.JWKSURI, err)
	}
	if snap := set.snap.Load(); snap == nil || len(snap.keys) == 0 {
		return fmt.Errorf("its key set %s holds no usable signing key", cfg.Metadata.JWKSURI)
	}
	return nil
}
