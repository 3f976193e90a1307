package authtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Claims are a token's claims; a key whose value is [Delete] is left out.
type Claims map[string]any

// Delete, as a claim or header value, removes that member from the token.
var Delete = deleteMarker{}

type deleteMarker struct{}

// MintOptions shapes one token. Everything not set takes the server's defaults.
type MintOptions struct {
	// Claims are merged over the defaults (iss, sub, aud when the server has
	// an Audience, iat, exp one hour ahead, jti).
	Claims Claims
	// Header is merged over the default header (alg, typ "at+jwt", kid).
	Header map[string]any
	// Key signs the token; nil means the server's current signing key.
	Key *Key
	// Algorithm signs with this algorithm instead of the key's own
	// ("none" gives an unsigned token; "HS256" signs with SigningKey).
	Algorithm string
	// SigningKey is the key given to the signing method when Algorithm is
	// set (for example the public key's PEM as an HMAC secret).
	SigningKey any
	// Payload, when set, is used verbatim as the claim set (for malformed
	// or duplicate-member payloads); Claims is then ignored.
	Payload []byte
	// Signature, when set, replaces the signature.
	Signature []byte
}

// Mint returns a token signed by the server's current key with the default
// claims overridden by claims.
func (s *Server) Mint(claims Claims) string {
	return s.MintWith(MintOptions{Claims: claims})
}

// MintWith returns a token shaped by opts. It panics only on a signing
// failure, which the options cannot cause with the server's own keys.
func (s *Server) MintWith(opts MintOptions) string {
	key := opts.Key
	if key == nil {
		key = s.SigningKey()
	}
	alg := key.Algorithm
	if opts.Algorithm != "" {
		alg = opts.Algorithm
	}
	header := map[string]any{"alg": alg, "typ": "at+jwt", "kid": key.ID}
	merge(header, opts.Header)
	payload := opts.Payload
	if payload == nil {
		claims := s.defaultClaims()
		merge(claims, opts.Claims)
		payload = mustJSON(claims)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64(mustJSON(header)) + "." + b64(payload)
	sig := opts.Signature
	if sig == nil {
		sig = sign(signing, alg, opts, key)
	}
	return signing + "." + b64(sig)
}

func sign(signing, alg string, opts MintOptions, key *Key) []byte {
	if alg == "none" {
		return nil
	}
	method := jwt.GetSigningMethod(alg)
	if alg == "Ed25519" { // RFC 9864's name for EdDSA with an Ed25519 key
		method = jwt.SigningMethodEdDSA
	}
	if method == nil {
		return []byte("unsigned")
	}
	var k any = key.Private
	if opts.Algorithm != "" && opts.SigningKey != nil {
		k = opts.SigningKey
	}
	sig, err := method.Sign(signing, k)
	if err != nil {
		panic(fmt.Sprintf("authtest: signing with %s: %v", alg, err))
	}
	return sig
}

func (s *Server) defaultClaims() map[string]any {
	now := s.now()
	c := map[string]any{
		"iss":       s.Issuer,
		"sub":       "test-user",
		"client_id": "test-client",
		"iat":       now.Unix(),
		"exp":       now.Add(time.Hour).Unix(),
		"jti":       randomID(),
	}
	if s.opts.Audience != "" {
		c["aud"] = s.opts.Audience
	}
	return c
}

func merge(dst map[string]any, src map[string]any) {
	for k, v := range src {
		if _, del := v.(deleteMarker); del {
			delete(dst, k)
			continue
		}
		dst[k] = v
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("authtest: %v", err))
	}
	return b
}

func randomID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Tamper returns token with changes merged into its claims and its
// signature kept: a forgery that a verifier must refuse. A token that is not
// three dot-separated parts is returned unchanged.
func Tamper(token string, changes Claims) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return token
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return token
	}
	claims := map[string]any{}
	json.Unmarshal(payload, &claims)
	merge(claims, changes)
	parts[1] = base64.RawURLEncoding.EncodeToString(mustJSON(claims))
	return strings.Join(parts, ".")
}
