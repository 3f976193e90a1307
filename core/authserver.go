package mcpauth

import (
	"context"
	"sync/atomic"
	"time"
)

// AuthServer is an authorization server a protected resource trusts: either
// resolved metadata (fetched beforehand or written by hand) or an issuer whose
// metadata is discovered lazily, on first use.
//
// A lazy AuthServer never blocks its construction on the network: the first
// call to [AuthServer.Config] fetches, concurrent first callers share that one
// fetch, and a failure is not cached, so the next call tries again. With
// [DiscoveryOptions.RefreshInterval] set, metadata older than the interval is
// refetched in the background while the previous metadata stays in use.
//
// An AuthServer is safe for concurrent use. [Auth.Close] closes the
// AuthServers of its configuration; one used on its own is closed with
// [AuthServer.Close].
type AuthServer struct {
	issuer string
	typ    ServerType
	opts   *DiscoveryOptions
	lazy   bool
	now    func() time.Time

	state  atomic.Pointer[serverState]
	flight flight
	bg     *background
}

type serverState struct {
	cfg       *ServerConfig
	fetchedAt time.Time
}

// NewAuthServer returns an AuthServer for resolved metadata: the result of
// [FetchServerConfig], or a [ServerConfig] written by hand for a provider
// without discovery. It never touches the network. The configuration is
// checked by [New].
func NewAuthServer(cfg *ServerConfig) *AuthServer {
	s := &AuthServer{bg: newBackground(), now: time.Now}
	if cfg != nil {
		s.issuer = cfg.Metadata.Issuer
		s.typ = cfg.Type
		s.state.Store(&serverState{cfg: cfg})
	}
	return s
}

// DiscoverAuthServer returns an AuthServer whose metadata is discovered from
// issuer with [FetchServerConfig] on first use. typ "" means [ServerTypeAuto].
// The issuer is checked by [New].
func DiscoverAuthServer(issuer string, typ ServerType, opts *DiscoveryOptions) *AuthServer {
	if typ == "" {
		typ = ServerTypeAuto
	}
	return &AuthServer{issuer: issuer, typ: typ, opts: opts.orDefault(), lazy: true, bg: newBackground(), now: time.Now}
}

// Issuer returns the issuer identifier the server is trusted under.
func (s *AuthServer) Issuer() string { return s.issuer }

// Type returns the discovery type.
func (s *AuthServer) Type() ServerType { return s.typ }

// Resolved returns the metadata if it is known, without fetching.
func (s *AuthServer) Resolved() (*ServerConfig, bool) {
	if st := s.state.Load(); st != nil {
		return st.cfg, true
	}
	return nil, false
}

// Config returns the server's configuration, discovering it first if needed.
// A caller whose ctx ends stops waiting; the fetch goes on for the others.
func (s *AuthServer) Config(ctx context.Context) (*ServerConfig, error) {
	if st := s.state.Load(); st != nil {
		if s.lazy && s.opts.RefreshInterval > 0 && s.now().Sub(st.fetchedAt) >= s.opts.RefreshInterval {
			s.flight.start(s.bg, s.fetch)
		}
		return st.cfg, nil
	}
	call, _ := s.flight.start(s.bg, s.fetch)
	if err := call.wait(ctx); err != nil {
		return nil, err
	}
	if st := s.state.Load(); st != nil {
		return st.cfg, nil
	}
	return nil, errClosed
}

// fetch discovers the metadata and stores it; on failure the previous
// metadata, if any, stays.
func (s *AuthServer) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	cfg, err := FetchServerConfig(ctx, s.issuer, s.typ, s.opts)
	if err != nil {
		return err
	}
	s.state.Store(&serverState{cfg: cfg, fetchedAt: s.now()})
	return nil
}

// Close stops a background refresh in progress and waits for it. Config
// keeps answering with the metadata already known.
func (s *AuthServer) Close() { s.bg.close() }
