package mcpauth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Config configures [New]. Set exactly one of ProtectedResources (the MCP
// 2025-06-18 and later resource-server mode) and Legacy (deprecated).
type Config struct {
	// ProtectedResources are the resources this server protects, each with
	// the authorization servers it trusts.
	ProtectedResources []ProtectedResource
	// Legacy is the deprecated authorization-server mode for MCP 2025-03-26
	// clients; see [LegacyServer].
	Legacy *LegacyServer

	// HTTPClient fetches key sets (and introspects, unless an introspection
	// verifier has its own). Nil means a client with a [DefaultFetchTimeout]
	// timeout. Redirects are limited by the library's rules whatever client
	// is given.
	HTTPClient *http.Client
	// AllowInsecureHTTP allows plain-http key-set URLs for hosts that are not
	// loopback.
	AllowInsecureHTTP bool
	// JWKS tunes how key sets are fetched and refreshed.
	JWKS JWKSOptions
	// TokenCache tunes the verified-token cache of the JWT verifier, on by
	// default: see [TokenCacheOptions].
	TokenCache TokenCacheOptions
	// Algorithms are the JWS algorithms the JWT verifier accepts; nil means
	// all it supports: RS256, RS384, RS512, PS256, PS384, PS512, ES256,
	// ES384, ES512 and EdDSA. [New] refuses any other name: never "none",
	// never HMAC (a resource server holds no shared secret, and an HMAC
	// "verified" with a public key is a classic forgery).
	Algorithms []string
	// Logger receives validation findings, fetch failures, every refusal
	// that is the server's failure (5xx) or looks like a configuration
	// mistake (an untrusted issuer, a wrong audience), rate-limited, and
	// warnings about the wiring. Nil means slog.Default().
	Logger *slog.Logger
	// Hooks are called on every decision and outbound fetch, for metrics
	// and traces (see [Hooks]).
	Hooks Hooks

	now func() time.Time // nil means time.Now; set by the package's tests
}

// defaultAlgorithms are the asymmetric JWS algorithms supported: RSA (PKCS
// #1 v1.5 and PSS), ECDSA and EdDSA.
var defaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// algorithms checks and returns the configured algorithms.
func (c *Config) algorithms() ([]string, error) {
	return checkAlgorithms("Config.Algorithms", c.Algorithms, defaultAlgorithms)
}

// JWKSOptions tunes the JSON Web Key Set cache. Zero fields take the defaults.
type JWKSOptions struct {
	// RefreshInterval is how old a key set may grow before it is refetched
	// in the background. Default 10 minutes.
	RefreshInterval time.Duration
	// MinRefreshInterval is the least time between two fetches of one key
	// set, whatever triggers them (an unknown kid, a failed signature, a
	// failed fetch). Default 30 seconds.
	MinRefreshInterval time.Duration
	// FetchTimeout bounds one fetch, and so the longest a request waits for
	// keys. Default 10 seconds.
	FetchTimeout time.Duration
}

// Defaults of [JWKSOptions].
const (
	DefaultJWKSRefreshInterval    = 10 * time.Minute
	DefaultJWKSMinRefreshInterval = 30 * time.Second
)

func (o JWKSOptions) withDefaults() JWKSOptions {
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = DefaultJWKSRefreshInterval
	}
	if o.MinRefreshInterval <= 0 {
		o.MinRefreshInterval = DefaultJWKSMinRefreshInterval
	}
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = DefaultFetchTimeout
	}
	return o
}

func (c *Config) compile() ([]*resource, error) {
	hasResources := len(c.ProtectedResources) > 0
	if hasResources == (c.Legacy != nil) {
		return nil, fmt.Errorf("%w: set exactly one of ProtectedResources and Legacy", ErrInvalidConfig)
	}
	if c.Legacy != nil {
		r, err := compileLegacy(c.Legacy)
		if err != nil {
			return nil, err
		}
		return []*resource{r}, nil
	}
	var out []*resource
	for i := range c.ProtectedResources {
		r, err := compileResource(&c.ProtectedResources[i])
		if err != nil {
			return nil, err
		}
		for _, prev := range out {
			if prev.canonical == r.canonical {
				return nil, fmt.Errorf("%w: the resource %q is configured twice", ErrInvalidConfig, r.id)
			}
			if prev.metadataPath == r.metadataPath {
				return nil, fmt.Errorf("%w: resources %q and %q would share the metadata path %s", ErrInvalidConfig, prev.id, r.id, r.metadataPath)
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func checkAuthServer(s *AuthServer) error {
	if s.issuer == "" {
		return fmt.Errorf("%w: an authorization server has no issuer (a nil ServerConfig, or metadata without issuer)", ErrInvalidConfig)
	}
	u, err := parseIssuer(s.issuer)
	if err != nil {
		return err
	}
	if s.lazy && !s.opts.AllowInsecureHTTP {
		if err := checkURL(u, false); err != nil {
			return fmt.Errorf("%w: issuer %q: its metadata would be fetched over plain http from a host that is not loopback, where anyone on the path could replace it: "+
				"use https, or set DiscoveryOptions.AllowInsecureHTTP (%w)", ErrInvalidConfig, s.issuer, err)
		}
	}
	if !s.lazy {
		if cfg, _ := s.Resolved(); cfg == nil {
			return fmt.Errorf("%w: authorization server %q has no configuration", ErrInvalidConfig, s.issuer)
		}
	}
	return nil
}

// ErrInvalidConfig reports a mistake in the library's own configuration: a
// bad URL, a duplicate resource, an unknown option value.
var ErrInvalidConfig = errors.New("mcpauth: invalid configuration")
