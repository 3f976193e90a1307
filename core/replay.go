package mcpauth

import (
	"container/heap"
	"context"
	"errors"
	"hash/maphash"
	"sync"
	"time"
)

// ReplayStore remembers the DPoP proofs a resource accepted, so that each
// is accepted once (RFC 9449 §11.1). Replicas behind a load balancer must
// share one (module redisstore keeps it in Redis); a single process can use
// the in-memory [MemoryReplayStore], the default.
type ReplayStore interface {
	// Add records key until at least expires. It reports true when key was
	// not recorded yet (or its record had expired), and false, with a nil
	// error, when it was: a replay. It must be atomic: of concurrent Adds
	// of one key, one alone reports true. An error means the store could
	// not answer; see [DPoPOptions.AcceptOnReplayStoreError].
	Add(ctx context.Context, key string, expires time.Time) (bool, error)
}

// DefaultReplayStoreEntries is the capacity of the default
// [MemoryReplayStore].
const DefaultReplayStoreEntries = 1 << 18

// ErrReplayStoreFull is the error of a [MemoryReplayStore] asked to record
// a key while it holds its capacity of unexpired ones.
var ErrReplayStoreFull = errors.New("mcpauth: the replay store is full")

const replayShards = 16

// MemoryReplayStore is a [ReplayStore] in this process's memory: bounded,
// with expired keys dropped as new ones arrive. A record costs about 110
// bytes. The keys are spread over 16 shards of a sixteenth of the capacity
// each; a shard holding its share of unexpired keys refuses to record more
// ([ErrReplayStoreFull]) rather than forget one that could then be
// replayed. It is safe for concurrent use.
type MemoryReplayStore struct {
	seed   maphash.Seed
	shards [replayShards]replayShard
	now    func() time.Time
}

type replayShard struct {
	mu      sync.Mutex
	max     int
	expires map[string]int64 // key → expiry, unix nanoseconds
	queue   expiryHeap
}

// NewMemoryReplayStore returns a store holding at most capacity unexpired
// keys; 0 or less means [DefaultReplayStoreEntries].
func NewMemoryReplayStore(capacity int) *MemoryReplayStore {
	if capacity <= 0 {
		capacity = DefaultReplayStoreEntries
	}
	s := &MemoryReplayStore{seed: maphash.MakeSeed(), now: time.Now}
	for i := range s.shards {
		s.shards[i].max = max(capacity/replayShards, 1)
		s.shards[i].expires = map[string]int64{}
	}
	return s
}

// Add records key until expires (see [ReplayStore]).
func (s *MemoryReplayStore) Add(_ context.Context, key string, expires time.Time) (bool, error) {
	sh := &s.shards[maphash.String(s.seed, key)%replayShards]
	now := s.now().UnixNano()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.dropExpired(now)
	if exp, ok := sh.expires[key]; ok && exp > now {
		return false, nil
	}
	if len(sh.expires) >= sh.max {
		return false, ErrReplayStoreFull
	}
	exp := expires.UnixNano()
	sh.expires[key] = exp
	heap.Push(&sh.queue, expiryEntry{key: key, expires: exp})
	return true, nil
}

// Len returns the number of keys recorded, expired ones not yet dropped
// included.
func (s *MemoryReplayStore) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.expires)
		sh.mu.Unlock()
	}
	return n
}

// dropExpired forgets the keys expired at now.
func (sh *replayShard) dropExpired(now int64) {
	for len(sh.queue) > 0 && sh.queue[0].expires <= now {
		e := heap.Pop(&sh.queue).(expiryEntry)
		if sh.expires[e.key] == e.expires { // not re-added since
			delete(sh.expires, e.key)
		}
	}
}

type expiryEntry struct {
	key     string
	expires int64
}

// expiryHeap orders entries by expiry, the soonest first.
type expiryHeap []expiryEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires < h[j].expires }
func (h expiryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expiryHeap) Push(x any)        { *h = append(*h, x.(expiryEntry)) }
func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
