package mcpauth_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
)

// TestMemoryReplayStore: a key is new once until it expires; expired keys
// are dropped as new ones come, so a full store recovers; a store full of
// unexpired keys refuses rather than forgets.
func TestMemoryReplayStore(t *testing.T) {
	clk := newClock()
	s := mcpauth.NewMemoryReplayStore(32).WithClock(clk.Now)
	ctx := context.Background()
	add := func(key string, ttl time.Duration) (bool, error) { return s.Add(ctx, key, clk.Now().Add(ttl)) }
	if ok, err := add("a", time.Minute); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if ok, err := add("a", time.Minute); ok || err != nil {
		t.Fatalf("a replay was new: %v %v", ok, err)
	}
	clk.Advance(time.Minute)
	if ok, err := add("a", time.Minute); !ok || err != nil {
		t.Fatalf("an expired key was still known: %v %v", ok, err)
	}
	// Fill the store (2 keys per shard) with unexpired keys.
	var full error
	for i := 0; full == nil && i < 10000; i++ {
		_, full = add(strconv.Itoa(i), time.Minute)
	}
	if !errors.Is(full, mcpauth.ErrReplayStoreFull) {
		t.Fatalf("a store over capacity: %v", full)
	}
	if s.Len() > 32 {
		t.Fatalf("%d keys held, capacity 32", s.Len())
	}
	clk.Advance(2 * time.Minute)
	if ok, err := add("after-expiry", time.Minute); !ok || err != nil {
		t.Fatalf("a store whose keys all expired refused a new one: %v %v", ok, err)
	}
	if s.Len() > 32 {
		t.Fatalf("%d keys held", s.Len())
	}
}

// TestMemoryReplayStoreConcurrent: of concurrent Adds of one key, one alone
// is new.
func TestMemoryReplayStoreConcurrent(t *testing.T) {
	s := mcpauth.NewMemoryReplayStore(0)
	for round := range 20 {
		var news atomic.Int64
		var wg sync.WaitGroup
		for range 16 {
			wg.Go(func() {
				if ok, _ := s.Add(context.Background(), "k"+strconv.Itoa(round), time.Now().Add(time.Minute)); ok {
					news.Add(1)
				}
			})
		}
		wg.Wait()
		if news.Load() != 1 {
			t.Fatalf("round %d: %d new", round, news.Load())
		}
	}
}
