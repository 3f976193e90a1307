package mcpauth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// keySnapshot is one fetched key set; it is never modified. Its keys are
// indexed by kid once per fetch, so finding a token's key is one map
// lookup: looking it up through keyfunc/v3 and jwkset scanned the set per
// request, copying each key's JWK structure, and built two wrapped,
// formatted errors for every unknown kid.
type keySnapshot struct {
	all       []snapshotKey          // every usable key, in the set's order
	byKID     map[string]snapshotKey // the first key with each kid
	gen       uint64
	fetchedAt time.Time
}

// snapshotKey is a public key of the set and its JWK "alg" ("" if none).
type snapshotKey struct {
	key any
	alg string
}

// newKeySnapshot indexes keys. Where several keys share a kid, the first
// one is found for it, as a scan of the set finds it.
func newKeySnapshot(keys []jwkset.JWK) *keySnapshot {
	s := &keySnapshot{all: make([]snapshotKey, 0, len(keys)), byKID: make(map[string]snapshotKey, len(keys))}
	for _, j := range keys {
		m := j.Marshal()
		k := snapshotKey{key: publicKey(j.Key()), alg: m.ALG.String()}
		s.all = append(s.all, k)
		if _, taken := s.byKID[m.KID]; !taken {
			s.byKID[m.KID] = k
		}
	}
	return s
}

// publicKey returns the public half of key, or key itself when it is one.
func publicKey(key any) any {
	if k, ok := key.(interface{ Public() crypto.PublicKey }); ok {
		return k.Public()
	}
	return key
}

// find returns the key for tok from the snapshot: by kid when the token
// names one, otherwise every key compatible with its alg. A key whose
// "alg" or type disagrees with the token is never used.
func (s *keySnapshot) find(tok *jwt.Token) (any, error) {
	alg := tok.Method.Alg()
	if kid, hasKid := tok.Header["kid"]; hasKid {
		id, ok := kid.(string)
		if !ok {
			return nil, newError(CodeInvalidToken, "The access token's kid is not a string.", nil)
		}
		k, ok := s.byKID[id]
		if !ok {
			return nil, errUnknownKey
		}
		if k.alg != "" && k.alg != alg {
			return nil, newError(CodeInvalidToken, "The access token's algorithm does not match its key.",
				fmt.Errorf("mcpauth: the key's alg is %q, the token's %q", k.alg, alg))
		}
		if !keyFitsAlg(k.key, alg) {
			return nil, newError(CodeInvalidToken, "The access token's algorithm does not match its key.", nil)
		}
		return k.key, nil
	}
	var found jwt.VerificationKeySet
	for _, k := range s.all {
		if (k.alg == "" || k.alg == alg) && keyFitsAlg(k.key, alg) {
			found.Keys = append(found.Keys, k.key)
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
	k, ok := s.byKID[kid]
	if !ok || (k.alg != "" && k.alg != alg) {
		return false
	}
	pub, ok := k.key.(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(key) && keyFitsAlg(k.key, alg)
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
