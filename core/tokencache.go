package mcpauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// TokenCacheOptions tunes the verified-token cache of the JWT verifier. Zero
// fields take the defaults.
//
// A JWT whose signature and claims were verified is remembered, under a
// SHA-256 hash of the token (never the token itself), so that the next
// requests bearing it skip the JSON decoding and the public-key operation.
// An entry is used only by bearer middleware of the same resource with the
// same leeway and token-type requirement, never past the token's exp or
// MaxAge, and only while the key that verified it is still in its issuer's
// key set: once a refresh of the set drops that key, the next request
// verifies the token again (and fails). The issuer, audience, expiry and
// scope checks of the middleware run on every request, cached or not.
//
// The cache serves only the built-in JWT verifier; an
// [IntrospectionVerifier] has its own, and a [VerifierFunc] none.
type TokenCacheOptions struct {
	// Disabled turns the cache off: every request verifies its token.
	Disabled bool
	// MaxEntries bounds the number of cached tokens of an [Auth], all
	// resources together. Default [DefaultTokenCacheMaxEntries].
	MaxEntries int
	// MaxBytes bounds the memory the cached entries take, as estimated from
	// the size of their claims. Default [DefaultTokenCacheMaxBytes].
	MaxBytes int64
	// MaxAge bounds how long a verified token is reused before it is
	// verified again. Default [DefaultTokenCacheMaxAge].
	MaxAge time.Duration
}

// Defaults of [TokenCacheOptions].
const (
	DefaultTokenCacheMaxEntries = 10000
	DefaultTokenCacheMaxBytes   = 32 << 20
	DefaultTokenCacheMaxAge     = 5 * time.Minute
)

func (o TokenCacheOptions) withDefaults() TokenCacheOptions {
	if o.MaxEntries <= 0 {
		o.MaxEntries = DefaultTokenCacheMaxEntries
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultTokenCacheMaxBytes
	}
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultTokenCacheMaxAge
	}
	return o
}

// tokenCache maps verified tokens to their identity. It is split into
// shards, each with its own lock, so that concurrent requests for different
// tokens rarely meet; a hit takes only a shard's read lock.
type tokenCache struct {
	shards []cacheShard
	mask   uint32
	maxAge time.Duration
}

// cacheShard is one part of the cache, padded to its own cache line.
type cacheShard struct {
	mu         sync.RWMutex
	m          map[tokenKey]*tokenEntry
	bytes      int64
	maxEntries int
	maxBytes   int64
	_          [64]byte
}

// tokenKey identifies a token for one verification profile.
type tokenKey struct {
	sum     [sha256.Size]byte
	profile verifyProfile
}

// verifyProfile is what a JWT's verification depends on besides the token:
// the resource (its trusted servers), the leeway and the typ requirement.
type verifyProfile struct {
	res    *resource
	leeway time.Duration
	typ    bool
}

// tokenEntry is a verified token. It is never modified after it is stored,
// except for gen, which follows the key set's generation while the set
// still holds the verifying key.
type tokenEntry struct {
	info    AuthInfo // Token is left empty
	expires time.Time
	ref     keyRef
	gen     atomic.Uint64
	size    int64
}

// verify checks token's form and returns the identity it carries: from the
// verified-token cache when it holds the token, else from the verifier (and
// then remembered). In order, as without a cache: the b64token grammar
// (invalid_auth_header_format), the bearer's length limit, the verifier.
// An entry is only ever stored for a token that passed the grammar check,
// under the hash of its exact bytes, so a hit skips that scan of the token.
func (b *Bearer) verify(ctx context.Context, token string, now time.Time) (*AuthInfo, string, *Error) {
	var k tokenKey
	if b.cache != nil && len(token) <= b.maxToken {
		k = b.cache.key(token, b.profile)
		if e := b.cache.get(ctx, &k, now); e != nil {
			return &e.info, "hit", nil
		}
	}
	if !isB64Token(token) {
		return nil, "", newError(CodeInvalidAuthHeaderFormat, headerDescriptions[CodeInvalidAuthHeaderFormat], nil)
	}
	if len(token) > b.maxToken {
		return nil, "", errorf(CodeInvalidToken, nil, "The access token is longer than %d bytes.", b.maxToken)
	}
	if b.cache == nil {
		info, err := verifyWith(ctx, b.verifier, token, &b.req)
		return info, "", err
	}
	res, err := b.auth.jwt.verify(ctx, token, &b.req)
	if err != nil {
		return nil, "miss", err
	}
	b.cache.put(&k, res.info, res.ref, res.claimBytes, now)
	return res.info, "miss", nil
}

// verifyWith calls v, turning an error that is not an [*Error], or a
// missing identity, into token_verification_failed: a 500, since the
// verifier failed, not the client's token (a client told its token is
// invalid would throw a good token away).
func verifyWith(ctx context.Context, v Verifier, token string, req *VerifyRequest) (*AuthInfo, *Error) {
	info, err := v.Verify(ctx, token, req)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = newError(CodeTokenVerificationFailed, "The access token could not be verified.", err)
		}
		return nil, e
	}
	if info == nil {
		return nil, newError(CodeTokenVerificationFailed, "The access token could not be verified.", errors.New("mcpauth: the verifier returned no identity"))
	}
	return info, nil
}

// newTokenCache returns the cache for o, or nil when it is disabled.
func newTokenCache(o TokenCacheOptions) *tokenCache {
	if o.Disabled {
		return nil
	}
	o = o.withDefaults()
	// Up to 16 shards, each with room for 64 entries and 256 KiB at least,
	// so that small limits stay exact.
	n := 16
	for n > 1 && (o.MaxEntries/n < 64 || o.MaxBytes/int64(n) < 256<<10) {
		n /= 2
	}
	c := &tokenCache{shards: make([]cacheShard, n), mask: uint32(n - 1), maxAge: o.MaxAge}
	for i := range c.shards {
		c.shards[i].m = make(map[tokenKey]*tokenEntry)
		c.shards[i].maxEntries = max(o.MaxEntries/n, 1)
		c.shards[i].maxBytes = o.MaxBytes / int64(n)
	}
	return c
}

// key hashes token for profile p.
func (c *tokenCache) key(token string, p verifyProfile) tokenKey {
	// The hash only reads the token's bytes; viewing them in place spares
	// a copy of the token on every request.
	return tokenKey{sum: sha256.Sum256(unsafe.Slice(unsafe.StringData(token), len(token))), profile: p}
}

func (c *tokenCache) shard(k *tokenKey) *cacheShard {
	return &c.shards[uint32(k.sum[0])&c.mask]
}

// get returns the cached entry for k, or nil when there is none still
// usable at now: unexpired, and its key still in its issuer's key set. A
// hit on a key set due for its periodic refresh starts that refresh, as a
// verification would.
func (c *tokenCache) get(ctx context.Context, k *tokenKey, now time.Time) *tokenEntry {
	s := c.shard(k)
	s.mu.RLock()
	e := s.m[*k]
	s.mu.RUnlock()
	if e == nil || !now.Before(e.expires) {
		return nil
	}
	snap := e.ref.set.snap.Load()
	if snap == nil || !e.keyHeld(snap) {
		return nil
	}
	if now.Sub(snap.fetchedAt) >= e.ref.set.opts.RefreshInterval {
		e.ref.set.refresh(ctx, false)
	}
	return e
}

// keyHeld reports whether snap, the current key set of the entry's issuer,
// still holds the key that verified it. While the set's generation is
// unchanged this is one comparison; after a refresh the key is looked up
// once by kid and compared, and the entry follows the new generation.
func (e *tokenEntry) keyHeld(snap *keySnapshot) bool {
	if snap.gen == e.gen.Load() {
		return true
	}
	if e.ref.key == nil || !snap.holds(e.ref.kid, e.ref.alg, e.ref.key) {
		return false
	}
	e.gen.Store(snap.gen)
	return true
}

// put remembers info, verified at now with the key ref.
func (c *tokenCache) put(k *tokenKey, info *AuthInfo, ref keyRef, claimBytes int, now time.Time) {
	expires := now.Add(c.maxAge)
	if !info.ExpiresAt.IsZero() && info.ExpiresAt.Before(expires) {
		expires = info.ExpiresAt
	}
	if !now.Before(expires) || ref.set == nil {
		return
	}
	e := &tokenEntry{info: *info, expires: expires, ref: ref, size: entrySize(claimBytes)}
	e.info.Token = ""
	e.gen.Store(ref.gen)
	s := c.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.m[*k]; old != nil {
		s.bytes -= old.size
		delete(s.m, *k)
	}
	for len(s.m) > 0 && (len(s.m) >= s.maxEntries || s.bytes+e.size > s.maxBytes) {
		s.evictOne(now)
	}
	if e.size > s.maxBytes {
		return
	}
	s.m[*k] = e
	s.bytes += e.size
}

// evictOne removes one entry: an expired one among the first few the map's
// (randomly started) iteration yields, else the first. Called with s.mu held.
func (s *cacheShard) evictOne(now time.Time) {
	var victim tokenKey
	n := 0
	for k, e := range s.m {
		if n == 0 || !now.Before(e.expires) {
			victim = k
		}
		if n++; n == 8 || !now.Before(e.expires) {
			break
		}
	}
	s.bytes -= s.m[victim].size
	delete(s.m, victim)
}

// entrySize estimates an entry's memory from the length of its claim set's
// JSON. Measured with runtime.MemStats, entries of a 200-byte claim set
// (8 claims) took 1.1 KB each and of a 413-byte one (16 claims) 2.2 KB: the
// estimate, 256 bytes plus five per byte of JSON, is a little above both.
func entrySize(claimBytes int) int64 {
	return 256 + 5*int64(claimBytes)
}
