package mcpauth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Hooks are functions the library calls on its events, for an application's
// own metrics, traces and logs (module otelauth turns them into
// OpenTelemetry instruments and span attributes). Each is optional. Hooks
// run on the goroutine of the request or fetch they report, so they must be
// fast and safe for concurrent use, and must not modify what they are given.
type Hooks struct {
	// OnDecision is called once for every request a bearer middleware (or
	// [Bearer.Authenticate]) decides on, accepted or refused, with the
	// request's context (and so its trace span).
	OnDecision func(ctx context.Context, d Decision)
	// OnFetch is called after each outbound fetch: a discovery of an
	// authorization server's metadata (one call per round of well-known
	// URLs), a key set, an introspection.
	OnFetch func(ctx context.Context, f Fetch)
}

// Decision is the outcome of one request's authentication.
type Decision struct {
	// Resource is the resource identifier ("" in legacy mode).
	Resource string
	// Info is the verified identity, or nil when the request was refused.
	Info *AuthInfo
	// Err is the refusal, or nil when the request was accepted.
	Err *Error
	// Duration is the time the decision took, reading the body for the
	// scope policy included.
	Duration time.Duration
	// TokenCache is "hit" or "miss" when the verified-token cache was
	// consulted, else "" (no token, another verifier, the cache off).
	TokenCache string
}

// FetchKind names what an outbound fetch was for.
type FetchKind string

// The kinds of [Fetch].
const (
	FetchDiscovery     FetchKind = "discovery"
	FetchKeySet        FetchKind = "jwks"
	FetchIntrospection FetchKind = "introspection"
)

// Fetch is one outbound fetch of the library.
type Fetch struct {
	// Kind is what was fetched.
	Kind FetchKind
	// Issuer is the authorization server's issuer ("" when unknown).
	Issuer string
	// URL is the URL fetched; the issuer for a discovery round.
	URL string
	// Err is the failure, or nil.
	Err error
	// Duration is the time the fetch took.
	Duration time.Duration
}

// logInterval is the least time between two log lines of one kind (a code
// for a resource and issuer), so that an outage or a flood of bad tokens
// cannot flood the log; the lines in between are counted in the next one.
const logInterval = 10 * time.Second

// logLimiter lets one log line of each kind through per logInterval. Kinds
// are made of configuration (codes, resources), never of what a request
// carries, so their number is bounded.
type logLimiter struct {
	mu    sync.Mutex
	kinds map[string]*logKind
}

type logKind struct {
	last       time.Time
	suppressed int
}

// allow reports whether a line of kind may be logged at now, and how many
// were suppressed since the last one.
func (l *logLimiter) allow(kind string, now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.kinds == nil {
		l.kinds = map[string]*logKind{}
	}
	k := l.kinds[kind]
	if k == nil {
		k = &logKind{}
		l.kinds[kind] = k
	}
	if !k.last.IsZero() && now.Sub(k.last) < logInterval {
		k.suppressed++
		return false, 0
	}
	n := k.suppressed
	k.last, k.suppressed = now, 0
	return true, n
}

// observe reports a decision: to the hooks, and to the log when the refusal
// is the server's failure (5xx) or looks like a configuration mistake (an
// untrusted issuer, a wrong audience), rate-limited. It also gives the
// one-time wiring warnings.
func (b *Bearer) observe(r *http.Request, info *AuthInfo, err *Error, cache string, start time.Time) {
	a := b.auth
	if a.hooks.OnDecision != nil {
		a.hooks.OnDecision(r.Context(), Decision{Resource: b.res.id, Info: info, Err: err, Duration: time.Since(start), TokenCache: cache})
	}
	if err == nil {
		return
	}
	if err.StatusCode() == http.StatusUnauthorized && err.resourceMetadata != "" && !a.metadataUsed.Load() && !a.metadataWarned.Swap(true) {
		a.log.Warn("mcpauth: challenges point clients at the protected resource metadata, but its routes were never set up: "+
			"mount Auth.MetadataHandler() at /.well-known/ (or call the adapter's RegisterMetadata)",
			"resource", b.res.id, "resource_metadata", err.resourceMetadata)
	}
	level := slog.LevelWarn
	switch {
	case err.StatusCode() >= 500:
		level = slog.LevelError
	case err.Code == CodeInvalidIssuer || err.Code == CodeInvalidAudience:
	default:
		return
	}
	b.logRefusal(r.Context(), level, "mcpauth: request refused", err)
}

// logRefusal logs err with msg at level, rate-limited by its code and
// resource.
func (b *Bearer) logRefusal(ctx context.Context, level slog.Level, msg string, err *Error) {
	a := b.auth
	// The kind is made of the code and the resource only: never of what the
	// request carries, such as the token's issuer.
	ok, suppressed := a.logs.allow(string(err.Code)+" "+b.res.id, a.now())
	if !ok {
		return
	}
	attrs := []any{"code", string(err.Code), "resource", b.res.id, "description", err.Description}
	if err.Cause != nil {
		attrs = append(attrs, "cause", err.Cause.Error())
	}
	for k, v := range err.details {
		attrs = append(attrs, k, clip(v))
	}
	if suppressed > 0 {
		attrs = append(attrs, "suppressed", suppressed)
	}
	a.log.Log(ctx, level, msg, attrs...)
}

// warnPath warns once when an MCP request reaches the bearer at a path
// other than the resource identifier's: clients (the TypeScript SDK among
// them) refuse a server whose metadata names another resource.
func (b *Bearer) warnPath(r *http.Request) {
	if b.res.path == "" || b.pathWarned.Load() || r.Method != http.MethodPost ||
		strings.TrimSuffix(r.URL.Path, "/") == b.res.path || !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		return
	}
	if !b.pathWarned.Swap(true) {
		b.auth.log.Warn("mcpauth: an MCP request reached the bearer middleware at a path other than the resource identifier's: "+
			"clients compare the resource in the metadata with the URL they use, so set ProtectedResourceMetadata.Resource to the public URL of this endpoint "+
			"(ignore this if a proxy rewrites the path)", "path", r.URL.Path, "resource", b.res.id)
	}
}

// clip shortens what a request may have made long (a token's claims) for a log line.
func clip(v any) any {
	const max = 256
	switch s := v.(type) {
	case string:
		if len(s) > max {
			return s[:max] + "…"
		}
	case []string:
		if len(s) > 8 {
			return append(s[:8:8], "…")
		}
	}
	return v
}
