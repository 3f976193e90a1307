package redisstore_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/mcp-auth/go/redisstore"
)

// TestAdd: a new key is recorded under the prefix and reported true, a
// recorded one false (whatever expiry the second Add asks for, which does
// not extend the first); a past or zero expiry records nothing.
func TestAdd(t *testing.T) {
	srv := startRedis(t)
	client := srv.Client(t)
	store := redisstore.New(client, nil)
	ctx := t.Context()
	future := func(now time.Time) time.Time { return now.Add(time.Minute) }
	later := func(now time.Time) time.Time { return now.Add(time.Hour) }
	past := func(now time.Time) time.Time { return now.Add(-time.Second) }
	zero := func(time.Time) time.Time { return time.Time{} }
	steps := []struct {
		name    string
		key     string
		expires func(now time.Time) time.Time
		want    bool
	}{
		{"new key", "a", future, true},
		{"same key again: a replay", "a", future, false},
		{"same key with a later expiry: still a replay", "a", later, false},
		{"another key", "b", future, true},
		{"past expiry of a new key: true, nothing recorded", "c", past, true},
		{"past expiry again: still nothing recorded", "c", past, true},
		{"zero expiry of a new key: true, nothing recorded", "d", zero, true},
		{"past expiry of a recorded key: a replay", "a", past, false},
		{"zero expiry of a recorded key: a replay", "b", zero, false},
		{"future expiry of a key seen with a past one", "c", future, true},
	}
	for _, st := range steps {
		got, err := store.Add(ctx, st.key, st.expires(time.Now()))
		if err != nil || got != st.want {
			t.Fatalf("%s: Add(%q) = %v, %v; want %v", st.name, st.key, got, err, st.want)
		}
	}

	keys, err := client.Keys(ctx, "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	if want := []string{"mcpauth:dpop:a", "mcpauth:dpop:b", "mcpauth:dpop:c"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	// DBSIZE counts keys whose expiry Redis has not collected yet: the
	// past and zero expiries left none behind.
	if n, err := client.DBSize(ctx).Result(); err != nil || n != 3 {
		t.Fatalf("DBSIZE = %d, %v; want 3", n, err)
	}
	ttl, err := client.PTTL(ctx, "mcpauth:dpop:a").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Fatalf("PTTL of a = %v, %v; want the first Add's minute (PXAT), not extended", ttl, err)
	}
}

// TestAddExpiry: a record lasts until its expiry, then the key can be
// recorded again.
func TestAddExpiry(t *testing.T) {
	srv := startRedis(t)
	client := srv.Client(t)
	store := redisstore.New(client, nil)
	ctx := t.Context()
	const ttl = 150 * time.Millisecond
	if added, err := store.Add(ctx, "k", time.Now().Add(ttl)); !added || err != nil {
		t.Fatalf("first Add = %v, %v", added, err)
	}
	if left, err := client.PTTL(ctx, "mcpauth:dpop:k").Result(); err != nil || left <= 0 || left > ttl {
		t.Fatalf("PTTL = %v, %v; want at most %v", left, err, ttl)
	}
	if added, err := store.Add(ctx, "k", time.Now().Add(ttl)); added || err != nil {
		t.Fatalf("Add before the expiry = %v, %v; want a replay", added, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		added, err := store.Add(ctx, "k", time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if added {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the record did not expire")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestPrefix: keys carry the configured prefix, and stores with different
// prefixes on one Redis do not see each other's records.
func TestPrefix(t *testing.T) {
	srv := startRedis(t)
	client := srv.Client(t)
	ctx := t.Context()
	tests := []struct {
		name   string
		opts   *redisstore.Options
		stored string
		added  bool
	}{
		{"nil options", nil, "mcpauth:dpop:k", true},
		{"zero options: the default prefix, the record above", &redisstore.Options{}, "mcpauth:dpop:k", false},
		{"custom prefix", &redisstore.Options{Prefix: "app1:replay:"}, "app1:replay:k", true},
		{"another prefix", &redisstore.Options{Prefix: "app2:"}, "app2:k", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := redisstore.New(client, tt.opts)
			added, err := store.Add(ctx, "k", time.Now().Add(time.Minute))
			if err != nil || added != tt.added {
				t.Fatalf("Add = %v, %v; want %v", added, err, tt.added)
			}
			if n, err := client.Exists(ctx, tt.stored).Result(); err != nil || n != 1 {
				t.Fatalf("EXISTS %s = %d, %v", tt.stored, n, err)
			}
		})
	}
}

// TestAddConcurrent: of 50 concurrent Adds of one key, one alone reports
// true, for each of several keys.
func TestAddConcurrent(t *testing.T) {
	srv := startRedis(t)
	store := redisstore.New(srv.Client(t), nil)
	const adders = 50
	for _, key := range []string{"k1", "k2", "k3", "k4", "k5"} {
		var added, failed atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		expires := time.Now().Add(time.Minute)
		for range adders {
			wg.Go(func() {
				<-start
				ok, err := store.Add(t.Context(), key, expires)
				if err != nil {
					failed.Add(1)
					t.Error(err)
				}
				if ok {
					added.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if added.Load() != 1 || failed.Load() != 0 {
			t.Fatalf("%s: %d Adds reported true and %d failed, of %d; want exactly one true", key, added.Load(), failed.Load(), adders)
		}
	}
}

// TestRedisGone: once the server is stopped, Add returns an error that
// says it comes from the store and wraps the cause, well within the
// store's Timeout plus a margin: the client's own error when it gives up
// first (connection refused), else the Timeout's.
func TestRedisGone(t *testing.T) {
	tests := []struct {
		name   string
		client redis.Options
		cause  error
	}{
		{"client with default options: it retries past the Timeout", redis.Options{}, context.DeadlineExceeded},
		{"client without retries", redis.Options{MaxRetries: -1, DialerRetries: 1}, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startRedis(t)
			opts := tt.client
			opts.Addr = srv.Addr
			client := redis.NewClient(&opts)
			t.Cleanup(func() { client.Close() })
			store := redisstore.New(client, nil)
			if _, err := store.Add(t.Context(), "before", time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			srv.Stop()
			start := time.Now()
			added, err := store.Add(t.Context(), "after", time.Now().Add(time.Minute))
			elapsed := time.Since(start)
			if err == nil || added {
				t.Fatalf("Add with Redis stopped = %v, %v; want an error", added, err)
			}
			t.Log(err)
			checkStoreError(t, err)
			if !errors.Is(err, tt.cause) {
				t.Fatalf("%v does not wrap %v", err, tt.cause)
			}
			if limit := redisstore.DefaultTimeout + 5*time.Second; elapsed > limit {
				t.Fatalf("Add took %v, more than %v", elapsed, limit)
			}
		})
	}
}

// TestRedisHangs: a server that accepts connections and never answers
// does not hang Add: it returns an error at its Timeout or the caller's
// deadline, whichever comes first, whether or not the client itself
// respects context deadlines.
func TestRedisHangs(t *testing.T) {
	addr := hangingServer(t)
	tests := []struct {
		name        string
		client      redis.Options
		timeout     time.Duration
		ctxDeadline time.Duration // 0: none
	}{
		{"store Timeout, client with default options", redis.Options{}, 200 * time.Millisecond, 0},
		{"store Timeout, client with ContextTimeoutEnabled", redis.Options{ContextTimeoutEnabled: true}, 200 * time.Millisecond, 0},
		{"caller's deadline first", redis.Options{}, time.Minute, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.client
			opts.Addr = addr
			client := redis.NewClient(&opts)
			t.Cleanup(func() { client.Close() })
			store := redisstore.New(client, &redisstore.Options{Timeout: tt.timeout})
			ctx := t.Context()
			if tt.ctxDeadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctxDeadline)
				defer cancel()
			}
			start := time.Now()
			added, err := store.Add(ctx, "k", time.Now().Add(time.Minute))
			elapsed := time.Since(start)
			if err == nil || added {
				t.Fatalf("Add = %v, %v; want an error", added, err)
			}
			t.Log(err)
			checkStoreError(t, err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%v does not wrap context.DeadlineExceeded", err)
			}
			if elapsed > 5*time.Second {
				t.Fatalf("Add took %v", elapsed)
			}
		})
	}
}

// hangingServer listens on a loopback port, accepts connections and never
// answers; it closes them when t ends.
func hangingServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestNewNilClient: a nil client, untyped or typed, is a wiring mistake
// New reports at once, saying what to pass.
func TestNewNilClient(t *testing.T) {
	tests := []struct {
		name   string
		client redis.UniversalClient
	}{
		{"nil", nil},
		{"nil *redis.Client", (*redis.Client)(nil)},
		{"nil *redis.ClusterClient", (*redis.ClusterClient)(nil)},
		{"nil *redis.Ring", (*redis.Ring)(nil)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.HasPrefix(msg, "redisstore.New: the client is nil: pass ") {
					t.Fatalf("panic %q", msg)
				}
			}()
			redisstore.New(tt.client, nil)
		})
	}
}

// checkStoreError checks that err is the store's, wrapping a cause.
func checkStoreError(t *testing.T, err error) {
	t.Helper()
	if !strings.HasPrefix(err.Error(), "redisstore: ") {
		t.Fatalf("error %q does not start with redisstore:", err)
	}
	if errors.Unwrap(err) == nil {
		t.Fatalf("error %q wraps no cause", err)
	}
}
