package mcpauth

import (
	"context"
	"fmt"
	"log/slog"
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
	})
	a.tokens = newTokenCache(cfg.TokenCache)
	backoff := cfg.JWKS.withDefaults().MinRefreshInterval
	for _, r := range resources {
		for _, s := range r.servers {
			s.tune(a.now, backoff)
			a.addServer(s)
		}
	}
	if l := cfg.Legacy; l != nil && len(l.Audiences) == 0 {
		a.log.Warn("mcpauth: Legacy.InsecureAcceptAnyAudience is set: tokens the authorization server issued for any client or API are accepted", "issuer", l.Server.issuer)
	}
	a.metadata = newMetadataHandler(a)
	return a, nil
}

// addServer records s for Close and logs the validation findings of
// resolved metadata.
func (a *Auth) addServer(s *AuthServer) {
	for _, known := range a.servers {
		if known == s {
			return
		}
	}
	a.servers = append(a.servers, s)
	if cfg, ok := s.Resolved(); ok {
		logFindings(a.log, s.issuer, ValidateServerConfig(cfg, nil))
	}
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
