package authtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mcp-auth/go/core/internal/dpop"
)

// Proof shapes a DPoP proof (RFC 9449 §4.2) made by [Key.SignProof]: what
// the client of a test sends in the DPoP header.
type Proof struct {
	// Method and URL are the request's, the htm and htu claims.
	Method, URL string
	// AccessToken, when set, is hashed into the ath claim (a request to a
	// resource server sends it; a token request does not).
	AccessToken string
	// Nonce, when set, is the nonce claim: the server's last DPoP-Nonce.
	Nonce string
	// IssuedAt is iat; zero means now.
	IssuedAt time.Time
	// JTI is the jti claim; "" means a random one.
	JTI string
	// Header and Claims are merged over the defaults (typ dpop+jwt, alg,
	// jwk: the key's public JWK; and the claims above): a value of
	// [Delete] removes a member, for proofs a server must refuse.
	Header map[string]any
	Claims Claims
	// Algorithm, when set, is written as alg and signs instead of the
	// key's own ("none" leaves the proof unsigned).
	Algorithm string
	// SigningKey, with Algorithm, is the key given to the signing method
	// instead of the private key (bytes for an HMAC, say).
	SigningKey any
}

// Proof returns a fresh DPoP proof by k for a request with method to url
// carrying accessToken ("" for a token request).
func (k *Key) Proof(method, url, accessToken string) string {
	return k.SignProof(Proof{Method: method, URL: url, AccessToken: accessToken})
}

// SignProof returns the DPoP proof p describes, signed by k.
func (k *Key) SignProof(p Proof) string {
	jwk := k.JWK()
	delete(jwk, "kid")
	delete(jwk, "use")
	delete(jwk, "alg")
	alg := k.Algorithm
	if p.Algorithm != "" {
		alg = p.Algorithm
	}
	header := map[string]any{"typ": "dpop+jwt", "alg": alg, "jwk": jwk}
	merge(header, p.Header)
	iat := p.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	claims := map[string]any{"htm": p.Method, "htu": p.URL, "iat": iat.Unix(), "jti": p.JTI}
	if p.JTI == "" {
		claims["jti"] = randomID()
	}
	if p.AccessToken != "" {
		claims["ath"] = AccessTokenHash(p.AccessToken)
	}
	if p.Nonce != "" {
		claims["nonce"] = p.Nonce
	}
	merge(claims, p.Claims)
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64(mustJSON(header)) + "." + b64(mustJSON(claims))
	return signing + "." + b64(sign(signing, alg, MintOptions{Algorithm: p.Algorithm, SigningKey: p.SigningKey}, k))
}

// AccessTokenHash is a proof's ath for token: the base64url SHA-256 of its
// ASCII bytes (RFC 9449 §4.2).
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Thumbprint returns the JWK SHA-256 thumbprint of k's public key (RFC
// 7638): the cnf.jkt of the tokens bound to it.
func (k *Key) Thumbprint() string {
	jwk := k.JWK()
	var required []string
	switch jwk["kty"] {
	case "RSA":
		required = []string{"e", "kty", "n"}
	case "EC":
		required = []string{"crv", "kty", "x", "y"}
	default:
		required = []string{"crv", "kty", "x"}
	}
	// encoding/json writes map keys sorted, as RFC 7638 §3.2 requires.
	members := map[string]any{}
	for _, m := range required {
		members[m] = jwk[m]
	}
	b, _ := json.Marshal(members)
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Confirmation is the cnf claim of a token bound to k (RFC 9449 §6.1):
// Claims{"cnf": k.Confirmation()}.
func (k *Key) Confirmation() map[string]any {
	return map[string]any{"jkt": k.Thumbprint()}
}

// dpopAlgorithms are the proof algorithms the token endpoint accepts.
var dpopAlgorithms = []string{"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA", "Ed25519"}

// dpopWindow is how far a token request's proof iat may be from now.
const dpopWindow = 5 * time.Minute

// dpopKey checks the DPoP proof of a token request (RFC 9449 §5), if it has
// one: it returns the thumbprint of the key to bind the token to ("" for
// none), or answers 400 invalid_dpop_proof and returns false.
func (s *Server) dpopKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	values := r.Header.Values("DPoP")
	if len(values) == 0 {
		return "", true
	}
	if len(values) > 1 {
		oauthError(w, http.StatusBadRequest, "invalid_dpop_proof", "several DPoP headers")
		return "", false
	}
	p, err := dpop.Parse(values[0], dpopAlgorithms)
	if err == nil {
		var htu string
		htu, err = dpop.NormalizeURL(s.Issuer + "/token")
		if err == nil {
			err = p.Check(dpop.Expect{Method: http.MethodPost, URL: htu, Now: s.now(), Window: dpopWindow})
		}
	}
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_dpop_proof", err.Error())
		return "", false
	}
	return p.Key.Thumbprint, true
}

// DPoPTransport is an http.RoundTripper for a DPoP client in tests: it
// sends Token with the DPoP scheme and a fresh proof by Key of each
// request's method and URL (query and fragment left out) and of the token
// (RFC 9449 §7).
type DPoPTransport struct {
	// Key is the client's key, to which Token is bound.
	Key *Key
	// Token is the DPoP-bound access token.
	Token string
	// Base sends the requests; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip sends a copy of r with the Authorization and DPoP headers set.
func (d *DPoPTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "DPoP "+d.Token)
	r.Header.Set("DPoP", d.Key.Proof(r.Method, r.URL.Scheme+"://"+r.URL.Host+r.URL.EscapedPath(), d.Token))
	base := d.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}
