package mcpauth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
)

// keySet is one authorization server's JSON Web Key Set, fetched and
// refreshed by the library itself (keyfunc/v3 only looks keys up in it):
//
//   - the first fetch happens on first use, never at construction;
//   - a set older than RefreshInterval is refetched in the background;
//   - an unknown kid and a failed signature trigger a refetch that the
//     request waits for, bounded by FetchTimeout and its own context;
//   - all fetches, whatever triggers them, are at least MinRefreshInterval
//     apart, and concurrent triggers share one fetch;
//   - when a fetch fails, the keys already known stay in use.
type keySet struct {
	issuer string
	url    string
	opts   JWKSOptions
	fetch  *fetcher
	bg     *background
	log    *slog.Logger
	now    func() time.Time
	hooks  *Hooks

	snap   atomic.Pointer[keySnapshot]
	flight flight

	mu          sync.Mutex
	lastAttempt time.Time // start of the last fetch
	lastErr     error     // error of the last fetch, nil on success
}

// keySnapshot is one fetched key set; it is never modified.
type keySnapshot struct {
	kf        keyfunc.Keyfunc
	keys      []jwkset.JWK
	gen       uint64
	fetchedAt time.Time
}

// lookupResult is the key chosen for a token.
type lookupResult struct {
	key any
	gen uint64
}

// errUnknownKey is the cause when no key of the set matches the token.
var errUnknownKey = errors.New("mcpauth: no key of the issuer's key set matches the token")

// key returns the public key for tok, fetching or refetching the set when
// needed and allowed. An unknown key gives invalid_token, unless the refetch
// it triggered failed: then the token cannot be checked now (503).
func (k *keySet) key(ctx context.Context, tok *jwt.Token) (lookupResult, error) {
	snap := k.snap.Load()
	if snap == nil {
		if err := k.refresh(ctx, true); err != nil {
			return lookupResult{}, err
		}
		if snap = k.snap.Load(); snap == nil {
			return lookupResult{}, k.unavailable(errClosed, k.retryAfter())
		}
	} else if k.now().Sub(snap.fetchedAt) >= k.opts.RefreshInterval {
		k.refresh(ctx, false) // in the background; the current keys answer
	}
	key, err := snap.find(tok)
	if errors.Is(err, errUnknownKey) {
		// Perhaps a rotation: refetch if allowed, and look again.
		if rerr := k.refresh(ctx, true); rerr != nil {
			return lookupResult{}, rerr
		}
		snap = k.snap.Load()
		key, err = snap.find(tok)
	}
	if errors.Is(err, errUnknownKey) {
		return lookupResult{}, newError(CodeInvalidToken, "The access token was signed by an unknown key.", err)
	}
	return lookupResult{key: key, gen: snap.gen}, err
}

// refreshAfterFailure refetches the set after a signature failure with a
// key of generation gen, and reports whether a newer set is now in use.
func (k *keySet) refreshAfterFailure(ctx context.Context, gen uint64) bool {
	if snap := k.snap.Load(); snap != nil && snap.gen != gen {
		return true
	}
	k.refresh(ctx, true)
	snap := k.snap.Load()
	return snap != nil && snap.gen != gen
}

// refresh starts (or joins) a fetch if one is allowed now. With wait, it
// waits for the fetch and returns a temporarily_unavailable *Error when it
// failed or none was allowed and no keys are known; otherwise it returns nil
// at once.
func (k *keySet) refresh(ctx context.Context, wait bool) error {
	k.mu.Lock()
	now := k.now()
	var call *flightCall
	if k.flight.running() {
		call, _ = k.flight.start(k.bg, k.doFetch)
	} else if k.lastAttempt.IsZero() || now.Sub(k.lastAttempt) >= k.opts.MinRefreshInterval {
		k.lastAttempt = now
		call, _ = k.flight.start(k.bg, k.doFetch)
	}
	retryAt := k.lastAttempt.Add(k.opts.MinRefreshInterval)
	lastErr := k.lastErr
	k.mu.Unlock()
	if !wait {
		return nil
	}
	if call == nil {
		if k.snap.Load() != nil && lastErr == nil {
			return nil
		}
		return k.unavailable(lastErr, retryAt.Sub(now))
	}
	wctx, cancel := context.WithTimeout(ctx, k.opts.FetchTimeout)
	defer cancel()
	err := call.wait(wctx)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return k.unavailable(err, k.retryAfter())
}

func (k *keySet) retryAfter() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lastAttempt.Add(k.opts.MinRefreshInterval).Sub(k.now())
}

func (k *keySet) unavailable(cause error, retry time.Duration) *Error {
	e := newError(CodeTemporarilyUnavailable, "The authorization server's keys cannot be fetched right now.", cause)
	e.RetryAfter = retry
	return e
}

// doFetch fetches and parses the key set and installs it.
func (k *keySet) doFetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, k.opts.FetchTimeout)
	defer cancel()
	start := time.Now()
	body, err := k.fetch.do(ctx, http.MethodGet, k.url, nil, nil)
	if k.hooks.OnFetch != nil {
		defer func() {
			k.hooks.OnFetch(ctx, Fetch{Kind: FetchKeySet, Issuer: k.issuer, URL: k.url, Err: err, Duration: time.Since(start)})
		}()
	}
	if err == nil {
		var snap *keySnapshot
		if snap, err = k.parse(body); err == nil {
			if old := k.snap.Load(); old != nil {
				snap.gen = old.gen + 1
			}
			snap.fetchedAt = k.now()
			k.snap.Store(snap)
		}
	}
	k.mu.Lock()
	k.lastErr = err
	k.mu.Unlock()
	if err != nil {
		k.log.Warn("mcpauth: key set fetch failed; known keys stay in use", "issuer", k.issuer, "url", k.url, "error", err)
	}
	return err
}

// parse decodes a JWK Set, keeping the public signing keys it can use and
// skipping the others (encryption keys, symmetric keys, unknown types).
func (k *keySet) parse(body []byte) (*keySnapshot, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || doc.Keys == nil {
		return nil, &FetchError{URL: k.url, StatusCode: http.StatusOK, Err: fmt.Errorf("%w: not a JWK Set", ErrNotJSON)}
	}
	keys := make([]jwkset.JWK, 0, len(doc.Keys))
	for _, raw := range doc.Keys {
		var m jwkset.JWKMarshal
		if json.Unmarshal(raw, &m) != nil || m.KTY == jwkset.KtyOct || (m.USE != "" && m.USE != jwkset.UseSig) {
			continue
		}
		// Private members, x5u and the like are ignored: only the public key is read.
		m.D, m.P, m.Q, m.DP, m.DQ, m.QI, m.OTH, m.K, m.X5U = "", "", "", "", "", "", nil, "", ""
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			k.log.Debug("mcpauth: skipping a key the library cannot use", "issuer", k.issuer, "kid", m.KID, "error", err)
			continue
		}
		keys = append(keys, jwk)
	}
	storage := jwkset.NewMemoryStorage()
	if err := storage.KeyReplaceAll(context.Background(), keys); err != nil {
		return nil, err
	}
	kf, err := keyfunc.New(keyfunc.Options{Storage: storage})
	if err != nil {
		return nil, err
	}
	return &keySnapshot{kf: kf, keys: keys}, nil
}

// find returns the key for tok from the snapshot: by kid through keyfunc
// when the token names one, otherwise every key compatible with its alg. A
// key whose "alg" or type disagrees with the token is never used.
func (s *keySnapshot) find(tok *jwt.Token) (any, error) {
	alg := tok.Method.Alg()
	if kid, hasKid := tok.Header["kid"]; hasKid {
		if _, ok := kid.(string); !ok {
			return nil, newError(CodeInvalidToken, "The access token's kid is not a string.", nil)
		}
		key, err := s.kf.Keyfunc(tok)
		if err != nil {
			if errors.Is(err, jwkset.ErrKeyNotFound) {
				return nil, errUnknownKey
			}
			return nil, newError(CodeInvalidToken, "The access token's algorithm does not match its key.", err)
		}
		if !keyFitsAlg(key, alg) {
			return nil, newError(CodeInvalidToken, "The access token's algorithm does not match its key.", nil)
		}
		return key, nil
	}
	var found jwt.VerificationKeySet
	for _, j := range s.keys {
		if a := j.Marshal().ALG.String(); a != "" && a != alg {
			continue
		}
		if keyFitsAlg(j.Key(), alg) {
			found.Keys = append(found.Keys, j.Key())
		}
	}
	if len(found.Keys) == 0 {
		return nil, errUnknownKey
	}
	return found, nil
}

// holds reports whether the snapshot still has the key kid, equal to key
// and usable with alg, as find would return it for such a token.
func (s *keySnapshot) holds(kid, alg string, key any) bool {
	for _, j := range s.keys {
		m := j.Marshal()
		if m.KID != kid {
			continue
		}
		if a := m.ALG.String(); a != "" && a != alg {
			return false
		}
		pub, ok := j.Key().(interface{ Equal(crypto.PublicKey) bool })
		return ok && pub.Equal(key) && keyFitsAlg(j.Key(), alg)
	}
	return false
}

// keyFitsAlg reports whether key is of the type and curve alg needs.
func keyFitsAlg(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		switch alg {
		case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
			return true
		}
	case *ecdsa.PublicKey:
		switch alg {
		case "ES256":
			return k.Curve == elliptic.P256()
		case "ES384":
			return k.Curve == elliptic.P384()
		case "ES512":
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == "EdDSA"
	}
	return false
}

// keySets holds one keySet per issuer and key-set URL.
type keySets struct {
	opts  JWKSOptions
	fetch *fetcher
	bg    *background
	log   *slog.Logger
	now   func() time.Time
	hooks *Hooks

	mu   sync.Mutex
	sets map[[2]string]*keySet
}

func (ks *keySets) get(issuer, url string) *keySet {
	ks.mu.Lock()
	defer ks.mu.Unlock()
	id := [2]string{issuer, url}
	if s := ks.sets[id]; s != nil {
		return s
	}
	if ks.sets == nil {
		ks.sets = make(map[[2]string]*keySet)
	}
	s := &keySet{issuer: issuer, url: url, opts: ks.opts, fetch: ks.fetch, bg: ks.bg, log: ks.log, now: ks.now, hooks: ks.hooks}
	ks.sets[id] = s
	return s
}
