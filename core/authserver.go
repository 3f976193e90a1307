package mcpauth

import (
	"context"
	"errors"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// MaxDiscoveryBackoff caps the wait after failed discoveries of an
// authorization server's metadata (see [AuthServer]).
const MaxDiscoveryBackoff = 5 * time.Minute

// AuthServer is an authorization server a protected resource trusts: either
// resolved metadata (fetched beforehand or written by hand) or an issuer whose
// metadata is discovered lazily, on first use.
//
// A lazy AuthServer never blocks its construction on the network: the first
// call to [AuthServer.Config] fetches, concurrent first callers share that one
// fetch, and a failure is not kept: a later call tries again, but not before
// a backoff window has passed, so that neither an outage nor a flood of
// requests naming the issuer makes the library hammer it. The first window
// is the key sets' minimum refresh interval ([JWKSOptions.MinRefreshInterval],
// 30 seconds by default; [DefaultJWKSMinRefreshInterval] for an AuthServer
// used without [New]); it doubles with each failure in a row, up to
// [MaxDiscoveryBackoff]. Calls within a window get the last failure again,
// with the time left (which the bearer middleware sends as Retry-After),
// and the first call after it starts one fetch that all concurrent callers
// share. With [DiscoveryOptions.RefreshInterval] set, metadata older than
// the interval is refetched in the background, under the same backoff,
// while the previous metadata stays in use.
//
// An AuthServer is safe for concurrent use. [Auth.Close] closes the
// AuthServers of its configuration; one used on its own is closed with
// [AuthServer.Close].
type AuthServer struct {
	issuer string
	typ    ServerType
	opts   *DiscoveryOptions
	lazy   bool

	state  atomic.Pointer[serverState]
	flight flight
	bg     *background
	tuning atomic.Pointer[serverTuning]

	mu       sync.Mutex // guards the failure record, and starting fetches
	failures int        // discoveries failed in a row
	retryAt  time.Time  // end of the backoff window
	lastErr  error      // the last failure
}

// serverTuning is what an [Auth] gives the servers of its configuration.
type serverTuning struct {
	now     func() time.Time
	backoff time.Duration // the first backoff window
	log     *slog.Logger
	hooks   Hooks
}

// tune sets the clock, the first backoff window, the logger and the hooks.
func (s *AuthServer) tune(t serverTuning) { s.tuning.Store(&t) }

// tuned returns the tuning, or the defaults of an AuthServer used on its own.
func (s *AuthServer) tuned() *serverTuning {
	if t := s.tuning.Load(); t != nil {
		return t
	}
	return &serverTuning{now: time.Now, backoff: DefaultJWKSMinRefreshInterval, log: slog.Default()}
}

func (s *AuthServer) now() time.Time { return s.tuned().now() }

// retryError is a failed discovery with the time until the next attempt is
// allowed, which the bearer middleware sends as Retry-After.
type retryError struct {
	Err        error
	RetryAfter time.Duration
}

// Error describes the failure and when it will be retried.
func (e *retryError) Error() string {
	return e.Err.Error() + " (next attempt in " + e.RetryAfter.Round(time.Second).String() + ")"
}

// Unwrap returns the failure.
func (e *retryError) Unwrap() error { return e.Err }

// Temporary reports whether the failure may pass by itself.
func (e *retryError) Temporary() bool { return isTemporary(e.Err) }

type serverState struct {
	cfg       *ServerConfig
	fetchedAt time.Time
}

// NewAuthServer returns an AuthServer for resolved metadata: the result of
// [FetchServerConfig], or a [ServerConfig] written by hand for a provider
// without discovery. It never touches the network. The configuration is
// checked by [New].
func NewAuthServer(cfg *ServerConfig) *AuthServer {
	s := &AuthServer{bg: newBackground()}
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
	return &AuthServer{issuer: issuer, typ: typ, opts: opts.orDefault(), lazy: true, bg: newBackground()}
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
// Within the backoff window after a failed discovery the failure is returned
// again, without a fetch, with the time until the next attempt.
func (s *AuthServer) Config(ctx context.Context) (*ServerConfig, error) {
	if st := s.state.Load(); st != nil {
		if s.lazy && s.opts.RefreshInterval > 0 && s.now().Sub(st.fetchedAt) >= s.opts.RefreshInterval {
			s.startFetch(true) // in the background; the known metadata answers
		}
		return st.cfg, nil
	}
	call, err := s.startFetch(false)
	if err != nil {
		return nil, err
	}
	if call != nil {
		if err := call.wait(ctx); err != nil {
			return nil, err
		}
	}
	if st := s.state.Load(); st != nil {
		return st.cfg, nil
	}
	return nil, errClosed
}

// startFetch starts a discovery (a refresh of known metadata with
// refresh), or joins the one in progress, unless the last one failed less
// than a backoff window ago: then it returns that failure with the time
// left. A nil call and error mean the metadata became known meanwhile.
func (s *AuthServer) startFetch(refresh bool) (*flightCall, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.flight.running() {
		if !refresh && s.state.Load() != nil {
			return nil, nil
		}
		if left := s.retryAt.Sub(s.now()); s.failures > 0 && left > 0 {
			return nil, &retryError{Err: s.lastErr, RetryAfter: left}
		}
	}
	call, _ := s.flight.start(s.bg, s.fetch)
	return call, nil
}

// fetch discovers the metadata and stores it; on failure the previous
// metadata, if any, stays, and the next attempt waits for the backoff
// window, which the returned *retryError gives.
// Each attempt is reported to the OnFetch hook; a failure is logged, and
// so are the validation findings of metadata first resolved or changed.
func (s *AuthServer) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, DefaultFetchTimeout)
	defer cancel()
	t := s.tuned()
	start := time.Now()
	cfg, err := FetchServerConfig(ctx, s.issuer, s.typ, s.opts)
	if t.hooks.OnFetch != nil {
		t.hooks.OnFetch(ctx, Fetch{Kind: FetchDiscovery, Issuer: s.issuer, URL: s.issuer, Err: err, Duration: time.Since(start)})
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if errors.Is(err, context.Canceled) && s.bg.ctx.Err() != nil {
			return errClosed
		}
		s.failures++
		window := s.backoff()
		s.retryAt, s.lastErr = s.now().Add(window), err
		t.log.Warn("mcpauth: the authorization server's metadata could not be discovered", "issuer", s.issuer, "error", err.Error(),
			"failures", s.failures, "next_attempt_in", window.String())
		return &retryError{Err: err, RetryAfter: window}
	}
	s.failures = 0
	prev := s.state.Load()
	s.state.Store(&serverState{cfg: cfg, fetchedAt: s.now()})
	if prev == nil || !reflect.DeepEqual(prev.cfg.Metadata, cfg.Metadata) {
		logFindings(t.log, s.issuer, ValidateServerConfig(cfg, nil))
	}
	return nil
}

// backoff is the window after s.failures failures in a row: the first
// window doubled for each failure after the first, at most
// MaxDiscoveryBackoff (and never below the first window).
func (s *AuthServer) backoff() time.Duration {
	t := s.tuned()
	w := t.backoff
	for i := 1; i < s.failures && w < MaxDiscoveryBackoff; i++ {
		w *= 2
	}
	return max(min(w, MaxDiscoveryBackoff), t.backoff)
}

// Close stops a background refresh in progress and waits for it. Config
// keeps answering with the metadata already known.
func (s *AuthServer) Close() { s.bg.close() }
