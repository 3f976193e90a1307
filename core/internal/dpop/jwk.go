// Package dpop checks DPoP proofs (RFC 9449): the proof JWT and its public
// key, the JWK thumbprint (RFC 7638) binding a token to that key, and the
// comparison of a proof's htu with a request's URL (RFC 3986 §6). Package
// mcpauth decides with it on requests, and package authtest on token
// requests; neither exports it.
package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
)

// b64 decodes base64url without padding, refusing any other spelling, so
// that one key has one encoding and so one thumbprint.
var b64 = base64.RawURLEncoding.Strict()

// MinRSABits is the smallest RSA modulus accepted in a proof's key.
const MinRSABits = 2048

// privateMembers are the JWK members of private keys (RFC 7518 §6.2.2,
// §6.3.2; RFC 8037 §2): a proof's key must carry none of them.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// Key is a proof's public key with its thumbprint.
type Key struct {
	// Public is an *ecdsa.PublicKey, *rsa.PublicKey or ed25519.PublicKey.
	Public crypto.PublicKey
	// Thumbprint is the base64url JWK SHA-256 thumbprint (RFC 7638), the
	// value of a bound token's cnf.jkt (RFC 9449 §6.1).
	Thumbprint string
	// kty and crv say which algorithms the key can verify.
	kty, crv string
}

// ParseKey reads the public JWK of a proof's jwk header. It refuses a
// symmetric key, a private key, an unknown key type or curve, members that
// are not base64url strings, EC points off their curve and RSA moduli under
// [MinRSABits].
func ParseKey(jwk map[string]any) (*Key, error) {
	for _, m := range privateMembers {
		if _, ok := jwk[m]; ok {
			return nil, errorf("The DPoP proof's jwk holds a private key (%q); it must be the public key.", m)
		}
	}
	kty, _ := jwk["kty"].(string)
	switch kty {
	case "EC":
		return parseEC(jwk)
	case "RSA":
		return parseRSA(jwk)
	case "OKP":
		return parseOKP(jwk)
	}
	return nil, errorf("The DPoP proof's jwk has an unsupported key type (kty must be EC, RSA or OKP).")
}

// member returns the base64url member name of jwk, decoded.
func member(jwk map[string]any, name string) (string, []byte, error) {
	s, ok := jwk[name].(string)
	if !ok || s == "" {
		return "", nil, errorf("The DPoP proof's jwk lacks the member %q.", name)
	}
	b, err := b64.DecodeString(s)
	if err != nil {
		return "", nil, errorf("The DPoP proof's jwk member %q is not base64url.", name)
	}
	return s, b, nil
}

var curves = map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}

func parseEC(jwk map[string]any) (*Key, error) {
	crv, _ := jwk["crv"].(string)
	curve, ok := curves[crv]
	if !ok {
		return nil, errorf("The DPoP proof's jwk has an unsupported curve (crv must be P-256, P-384 or P-521).")
	}
	xs, x, err := member(jwk, "x")
	if err != nil {
		return nil, err
	}
	ys, y, err := member(jwk, "y")
	if err != nil {
		return nil, err
	}
	size := (curve.Params().BitSize + 7) / 8
	if len(x) != size || len(y) != size {
		return nil, errorf("The DPoP proof's jwk coordinates are not %d bytes long, as %s requires.", size, crv)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(append(append(point, 4), x...), y...)
	pub, perr := ecdsa.ParseUncompressedPublicKey(curve, point)
	if perr != nil {
		return nil, errorf("The DPoP proof's jwk is not a point on %s.", crv)
	}
	return &Key{Public: pub, kty: "EC", crv: crv,
		Thumbprint: thumbprint(`{"crv":"` + crv + `","kty":"EC","x":"` + xs + `","y":"` + ys + `"}`)}, nil
}

func parseRSA(jwk map[string]any) (*Key, error) {
	ns, n, err := member(jwk, "n")
	if err != nil {
		return nil, err
	}
	es, e, err := member(jwk, "e")
	if err != nil {
		return nil, err
	}
	if n[0] == 0 || e[0] == 0 {
		return nil, errorf("The DPoP proof's jwk has an RSA member with leading zero bytes.")
	}
	mod := new(big.Int).SetBytes(n)
	if mod.BitLen() < MinRSABits {
		return nil, errorf("The DPoP proof's RSA key is shorter than %d bits.", MinRSABits)
	}
	if len(e) > 4 {
		return nil, errorf("The DPoP proof's RSA exponent is too large.")
	}
	exp := 0
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, errorf("The DPoP proof's RSA exponent is not an odd number of at least 3.")
	}
	return &Key{Public: &rsa.PublicKey{N: mod, E: exp}, kty: "RSA",
		Thumbprint: thumbprint(`{"e":"` + es + `","kty":"RSA","n":"` + ns + `"}`)}, nil
}

func parseOKP(jwk map[string]any) (*Key, error) {
	if crv, _ := jwk["crv"].(string); crv != "Ed25519" {
		return nil, errorf("The DPoP proof's jwk has an unsupported curve (an OKP key must be Ed25519).")
	}
	xs, x, err := member(jwk, "x")
	if err != nil {
		return nil, err
	}
	if len(x) != ed25519.PublicKeySize {
		return nil, errorf("The DPoP proof's Ed25519 key is not %d bytes long.", ed25519.PublicKeySize)
	}
	return &Key{Public: ed25519.PublicKey(x), kty: "OKP", crv: "Ed25519",
		Thumbprint: thumbprint(`{"crv":"Ed25519","kty":"OKP","x":"` + xs + `"}`)}, nil
}

// thumbprint hashes the canonical JSON of a key's required members (RFC
// 7638 §3: lexicographic order, no whitespace). The members were checked to
// be base64url or a known curve name, so none needs escaping.
func thumbprint(canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// fits reports whether the key can verify alg (RFC 7518 §3.1, RFC 8037 §3.1).
func (k *Key) fits(alg string) bool {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		return k.kty == "RSA"
	case alg == "ES256":
		return k.crv == "P-256"
	case alg == "ES384":
		return k.crv == "P-384"
	case alg == "ES512":
		return k.crv == "P-521"
	case alg == "EdDSA", alg == "Ed25519":
		return k.kty == "OKP"
	}
	return false
}
