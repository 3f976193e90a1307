// Package redisstore keeps MCP Auth's DPoP replay records in Redis, so that
// every replica of a resource server refuses a proof that any of them has
// accepted.
//
// A DPoP proof (RFC 9449) may be used once: a resource remembers the proofs
// it accepted until they are too old to be accepted anyway, and refuses one
// it has seen (RFC 9449 §11.1). The default
// [mcpauth.MemoryReplayStore] remembers them in one process; replicas behind
// a load balancer do not share it, so a proof captured in transit and sent
// to another replica would be accepted a second time. A [Store] on one Redis
// (or one Redis Cluster, or a Sentinel-managed failover group) is shared by
// all of them:
//
//	client := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	store := redisstore.New(client, nil)
//	... mcpauth.ProtectedResource{..., DPoP: &mcpauth.DPoPOptions{ReplayStore: store}}
//
// Each record is one key, written by one atomic command, SET key 1 NX PXAT
// expiry (Redis 6.2 or later), and Redis drops it when it expires.
//
// When Redis cannot answer within [Options.Timeout], Add returns an error
// and [mcpauth.DPoPOptions.AcceptOnReplayStoreError] decides: off (the
// default), the request is answered 503 temporarily_unavailable with
// Retry-After; on, the proof is accepted on its time window alone. Either
// way the failure is logged.
package redisstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	mcpauth "github.com/mcp-auth/go/core"
)

// DefaultPrefix is the default [Options.Prefix].
const DefaultPrefix = "mcpauth:dpop:"

// DefaultTimeout is the default [Options.Timeout].
const DefaultTimeout = time.Second

// Options configures [New]. A nil *Options, or a zero field, means the
// defaults.
type Options struct {
	// Prefix is put before every key the store writes, so that its
	// records do not collide with the other data of the Redis it shares;
	// "" means [DefaultPrefix]. Resources that must not see each other's
	// proofs use different prefixes. In a Redis Cluster, a prefix with a
	// hash tag ("{dpop}:") puts every record in one slot: leave tags out
	// to spread them.
	Prefix string
	// Timeout bounds one Add, so that a Redis that hangs never hangs a
	// request; zero or less means [DefaultTimeout]. The caller's context
	// deadline applies as well. Add returns when it passes, whatever the
	// client's own timeouts; the command itself is abandoned at once only
	// by a client with ContextTimeoutEnabled, and otherwise within the
	// client's ReadTimeout.
	Timeout time.Duration
}

// Store is an [mcpauth.ReplayStore] in Redis, shared by every replica
// that uses the same Redis and [Options.Prefix]. Each record is a key of
// about 60 bytes (some 150 bytes of Redis memory, with its expiry), kept
// until the proof could not be accepted anyway: its iat plus
// [mcpauth.DPoPOptions.ProofWindow] (five minutes by default). Redis must not
// evict these keys before they expire (a maxmemory-policy of noeviction,
// or enough memory): a record evicted early lets its proof be replayed.
// Replication being asynchronous, a failover can lose the latest records
// too. A Store is safe for concurrent use.
type Store struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	expired error // the cause of an Add cut short by timeout
}

var _ mcpauth.ReplayStore = (*Store)(nil)

// New returns a store on client: a *redis.Client, *redis.ClusterClient,
// failover client (redis.NewFailoverClient) or *redis.Ring, or what
// redis.NewUniversalClient returns. The store does not close client. It
// panics if client is nil, a wiring mistake found at start-up.
func New(client redis.UniversalClient, opts *Options) *Store {
	if isNil(client) {
		panic("redisstore.New: the client is nil: pass a go-redis client, such as redis.NewClient(&redis.Options{Addr: \"localhost:6379\"})")
	}
	s := &Store{client: client, prefix: DefaultPrefix, timeout: DefaultTimeout}
	if opts != nil {
		if opts.Prefix != "" {
			s.prefix = opts.Prefix
		}
		if opts.Timeout > 0 {
			s.timeout = opts.Timeout
		}
	}
	s.expired = fmt.Errorf("the store's Timeout of %s passed: %w", s.timeout, context.DeadlineExceeded)
	return s
}

// isNil reports whether client is nil, or a nil pointer to one of
// go-redis's clients.
func isNil(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case nil:
		return true
	case *redis.Client:
		return c == nil
	case *redis.ClusterClient:
		return c == nil
	case *redis.Ring:
		return c == nil
	}
	return false
}

// result is the answer of one command.
type result struct {
	added bool
	err   error
}

// Add records key until at least expires (see [mcpauth.ReplayStore]): it
// reports true when Redis did not hold key, false when it did (a replay).
// The record is written by SET prefix+key 1 NX PXAT expires, one atomic
// command, so that of concurrent Adds of one key, on any replica, one alone
// reports true. An expiry not after now (the zero time included) records
// nothing, since the record would have expired already: Add then only
// reports whether key is held.
//
// Add returns within [Options.Timeout] or the deadline of ctx, whichever
// comes first; its errors start with "redisstore:" and wrap the cause.
func (s *Store) Add(ctx context.Context, key string, expires time.Time) (bool, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, s.timeout, s.expired)
	defer cancel()
	// go-redis sets its socket deadlines from ctx only on a client with
	// ContextTimeoutEnabled, from its ReadTimeout (5 s by default)
	// otherwise: wait for the command here, where ctx bounds the wait.
	done := make(chan result, 1) // the command's goroutine never blocks on it
	go func() {
		added, err := s.add(ctx, s.prefix+key, expires)
		done <- result{added, err}
	}()
	select {
	case r := <-done:
		return r.added, r.err
	case <-ctx.Done():
		select {
		case r := <-done: // answered just in time
			return r.added, r.err
		default:
		}
		return false, fmt.Errorf("redisstore: Redis did not answer: %w", context.Cause(ctx))
	}
}

// add runs the command for key (already prefixed). A past expiry is not
// written: Redis refuses a PXAT of zero or less (the zero time is far
// below), keeps a key with a later past one in memory until its expiry
// cycle finds it, and a SET without an expiry would keep the key forever.
func (s *Store) add(ctx context.Context, key string, expires time.Time) (bool, error) {
	if !expires.After(time.Now()) {
		n, err := s.client.Exists(ctx, key).Result()
		if err != nil {
			return false, fmt.Errorf("redisstore: EXISTS: %w", err)
		}
		return n == 0, nil
	}
	err := s.client.Do(ctx, "SET", key, "1", "NX", "PXAT", unixMilliCeil(expires)).Err()
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, redis.Nil): // NX: the key is held
		return false, nil
	}
	return false, fmt.Errorf("redisstore: SET NX PXAT: %w", err)
}

// unixMilliCeil is t in Unix milliseconds, rounded up so that a record
// lasts at least until t.
func unixMilliCeil(t time.Time) int64 {
	ms := t.UnixMilli()
	if t.After(time.UnixMilli(ms)) {
		ms++
	}
	return ms
}
