package mcpauth

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Auth protects an MCP server: it serves the protected resource metadata
// and builds bearer middleware for its resources. Create one with [New] and
// release it with [Auth.Close]. An Auth is safe for concurrent use.
type Auth struct {
	resources []*resource
	legacy    bool
	jwt       *jwtVerifier
	tokens    *tokenCache // nil when disabled
	bg        *background
	servers   []*AuthServer
	log       *slog.Logger
	now       func() time.Time
	metadata  *metadataHandler
	hooks     Hooks
	logs      logLimiter

	metadataUsed   atomic.Bool // the metadata routes were handed out or served
	metadataWarned atomic.Bool // the warning that they were not was given
	bearers        atomic.Int32
	jwtBearers     atomic.Int32 // bearers using the JWT verifier, for Check
}

// New checks cfg and returns an Auth. It never touches the network and never
// fails because an authorization server is down: lazy servers are
// discovered, and key sets fetched, on first use. Mistakes in the
// configuration (a bad or duplicate resource, the same issuer twice for one
// resource, offline_access advertised, both modes or neither) are errors
// wrapping [ErrInvalidConfig]. Findings of [ValidateServerConfig] about
// resolved authorization servers are logged.
func New(cfg Config) (*Auth, error) {
	resources, err := cfg.compile()
	if err != nil {
		return nil, err
	}
	algs, err := cfg.algorithms()
	if err != nil {
		return nil, err
	}
	a := &Auth{
		resources: resources,
		legacy:    cfg.Legacy != nil,
		bg:        newBackground(),
		log:       cfg.Logger,
		now:       cfg.now,
		hooks:     cfg.Hooks,
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	a.jwt = newJWTVerifier(algs, &keySets{
		opts:  cfg.JWKS.withDefaults(),
		fetch: newFetcher(cfg.HTTPClient, cfg.AllowInsecureHTTP),
		bg:    a.bg,
		log:   a.log,
		now:   a.now,
		hooks: &a.hooks,
	})
	a.tokens = newTokenCache(cfg.TokenCache)
	backoff := cfg.JWKS.withDefaults().MinRefreshInterval
	for _, r := range resources {
		for _, s := range r.servers {
			if err := a.addServer(s, cfg.AllowInsecureHTTP); err != nil {
				return nil, err
			}
			s.tune(serverTuning{now: a.now, backoff: backoff, log: a.log, hooks: a.hooks})
		}
	}
	if l := cfg.Legacy; l != nil && len(l.Audiences) == 0 {
		a.log.Warn("mcpauth: Legacy.InsecureAcceptAnyAudience is set: tokens the authorization server issued for any client or API are accepted", "issuer", l.Server.issuer)
	}
	a.metadata = newMetadataHandler(a)
	return a, nil
}

// addServer records s for Close. Metadata resolved at construction (given
// by hand, or fetched beforehand) must be usable: a document lacking what
// RFC 8414 requires, or a key set that could never be fetched (plain http on
// a host that is not loopback, unless allowInsecure), fails New; its other
// validation findings are logged.
func (a *Auth) addServer(s *AuthServer, allowInsecure bool) error {
	for _, known := range a.servers {
		if known == s {
			return nil
		}
	}
	cfg, ok := s.Resolved()
	if ok && !s.lazy {
		findings := ValidateServerConfig(cfg, nil)
		if fatal := findings.Fatal(false); len(fatal) > 0 {
			return fmt.Errorf("%w: the metadata of authorization server %q cannot be used (%v): a ServerConfig needs what RFC 8414 §2 requires "+
				"(issuer, authorization_endpoint, token_endpoint, response_types_supported)", ErrInvalidConfig, s.issuer, fatal[0].Cause)
		}
		if u := cfg.Metadata.JWKSURI; u != "" {
			if err := checkFetchURL(u, allowInsecure); err != nil {
				return fmt.Errorf("%w: authorization server %q: jwks_uri %q could never be fetched: %w; use https, or set Config.AllowInsecureHTTP", ErrInvalidConfig, s.issuer, u, err)
			}
		}
		logFindings(a.log, s.issuer, findings)
	}
	a.servers = append(a.servers, s)
	return nil
}

func logFindings(log *slog.Logger, issuer string, r ValidationResult) {
	for _, f := range r.Errors {
		log.Warn("mcpauth: authorization server metadata problem", "issuer", issuer, "code", string(f.Code), "description", f.Description)
	}
	for _, f := range r.Warnings {
		log.Info("mcpauth: authorization server metadata note", "issuer", issuer, "code", string(f.Code), "description", f.Description)
	}
}

// Close stops every background goroutine of the Auth (key-set and metadata
// refreshes) and of the AuthServers of its configuration, and waits for
// them. Requests already in flight finish; later ones may fail with 503.
func (a *Auth) Close() error {
	if a == nil {
		return nil
	}
	a.bg.close()
	for _, s := range a.servers {
		s.Close()
	}
	return nil
}

// resource finds a configured resource; "" means the only one.
func (a *Auth) resource(id string) (*resource, error) {
	if a.legacy {
		if id != "" {
			return nil, fmt.Errorf("%w: legacy mode has no resource %q", ErrInvalidConfig, id)
		}
		return a.resources[0], nil
	}
	if id == "" {
		if len(a.resources) == 1 {
			return a.resources[0], nil
		}
		return nil, fmt.Errorf("%w: several resources are configured: name one in BearerOptions.Resource", ErrInvalidConfig)
	}
	c := canonicalURL(id)
	for _, r := range a.resources {
		if r.canonical == c {
			return r, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown resource %q", ErrInvalidConfig, id)
}

// legacyServer returns the authorization server of legacy mode.
func (a *Auth) legacyServer() *AuthServer {
	if !a.legacy {
		return nil
	}
	return a.resources[0].servers[0]
}

// serverConfig resolves s with a bounded wait.
func (a *Auth) serverConfig(ctx context.Context, s *AuthServer) (*ServerConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	return s.Config(ctx)
}
