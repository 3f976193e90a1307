package mcpauth

import "time"

// Verifications returns how many tokens the JWT verifier of a has verified
// (cache hits are not verifications).
func Verifications(a *Auth) int64 { return a.jwt.count.Load() }

// CachedTokens returns the number of entries of a's verified-token cache
// and their estimated size in bytes.
func CachedTokens(a *Auth) (entries int, bytes int64) {
	if a.tokens == nil {
		return 0, 0
	}
	for i := range a.tokens.shards {
		s := &a.tokens.shards[i]
		s.mu.RLock()
		entries += len(s.m)
		bytes += s.bytes
		s.mu.RUnlock()
	}
	return entries, bytes
}

// EntrySize is the estimated size of a cache entry whose claim set's JSON
// has n bytes.
func EntrySize(n int) int64 { return entrySize(n) }

// WithClock returns c with the clock now, for tests that move time.
func (c Config) WithClock(now func() time.Time) Config {
	c.now = now
	return c
}

// WithClock returns c with the clock now, for tests that move time.
func (c IntrospectionConfig) WithClock(now func() time.Time) IntrospectionConfig {
	c.now = now
	return c
}

// WithClock returns s reading the time from now, for tests that move time.
func (s *MemoryReplayStore) WithClock(now func() time.Time) *MemoryReplayStore {
	s.now = now
	return s
}
