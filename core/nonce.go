package mcpauth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"time"
)

// DPoPNonceOptions turns on server nonces for DPoP proofs (RFC 9449 §9):
// a proof must carry a nonce this resource issued recently, which limits
// how long a proof made in advance (by malware holding the client's key
// for a while, say) stays usable. A nonce is the time it was issued,
// authenticated with a secret, so replicas sharing the secrets accept each
// other's nonces with no shared state.
type DPoPNonceOptions struct {
	// Secrets authenticate nonces: the first makes new ones, and every one
	// is accepted, so that a secret can be rotated without refusing nonces
	// in flight. Each must be at least 32 random bytes, and every replica
	// must have the same. Required.
	Secrets [][]byte
	// Lifetime is how long a nonce is accepted; zero means
	// [DefaultDPoPNonceLifetime]. Past half of it, a request that succeeds
	// is sent a fresh nonce in its DPoP-Nonce response header.
	Lifetime time.Duration
}

// DefaultDPoPNonceLifetime is the default [DPoPNonceOptions.Lifetime].
const DefaultDPoPNonceLifetime = 5 * time.Minute

// nonceSkew is how far in the future a nonce's time may be: replicas'
// clocks differ a little.
const nonceSkew = time.Minute

const minNonceSecret = 32

// nonces makes and checks a resource's DPoP nonces.
type nonces struct {
	secrets  [][]byte
	lifetime time.Duration
	context  []byte // binds a nonce to its resource
}

func (o *DPoPNonceOptions) compile(resource string) (*nonces, error) {
	if o == nil {
		return nil, nil
	}
	if len(o.Secrets) == 0 {
		return nil, fmt.Errorf("%w: resource %q: DPoP.Nonces.Secrets is empty: give at least one secret of %d random bytes, the same on every replica", ErrInvalidConfig, resource, minNonceSecret)
	}
	n := &nonces{lifetime: o.Lifetime, context: []byte("mcpauth dpop nonce\x00" + resource + "\x00")}
	if n.lifetime <= 0 {
		n.lifetime = DefaultDPoPNonceLifetime
	}
	for i, s := range o.Secrets {
		if len(s) < minNonceSecret {
			return nil, fmt.Errorf("%w: resource %q: DPoP.Nonces.Secrets[%d] is %d bytes long: use at least %d random bytes", ErrInvalidConfig, resource, i, len(s), minNonceSecret)
		}
		n.secrets = append(n.secrets, append([]byte(nil), s...))
	}
	return n, nil
}

// nonceBytes is a nonce's length before base64url: the issue time in
// seconds (8 bytes) and a 16-byte MAC.
const nonceBytes = 8 + 16

// make returns a nonce issued at now.
func (n *nonces) make(now time.Time) string {
	var raw [nonceBytes]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(now.Unix()))
	n.mac(n.secrets[0], raw[:8], raw[8:])
	return base64.RawURLEncoding.EncodeToString(raw[:])
}

func (n *nonces) mac(secret, issued, out []byte) {
	m := hmac.New(sha256.New, secret)
	m.Write(n.context)
	m.Write(issued)
	copy(out, m.Sum(nil))
}

// check reports whether nonce is one of this resource's, unexpired at now,
// and whether it is past half its life (time for a fresh one).
func (n *nonces) check(nonce string, now time.Time) (valid, stale bool) {
	var raw [nonceBytes]byte
	if base64.RawURLEncoding.EncodedLen(nonceBytes) != len(nonce) {
		return false, false
	}
	if _, err := base64.RawURLEncoding.Strict().Decode(raw[:], []byte(nonce)); err != nil {
		return false, false
	}
	var want [16]byte
	for _, s := range n.secrets {
		n.mac(s, raw[:8], want[:])
		if hmac.Equal(want[:], raw[8:]) {
			issued := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
			age := now.Sub(issued)
			return age < n.lifetime && age > -nonceSkew, age >= n.lifetime/2
		}
	}
	return false, false
}
