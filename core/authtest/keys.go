package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
)

// Key is a signing key of the test server: its private half signs tokens,
// its public half is published in the JWKS.
type Key struct {
	// ID is the key's "kid".
	ID string
	// Algorithm is the JWS algorithm it signs with: RS256, ES256 or EdDSA
	// (RS384/RS512/PS256/ES384/ES512 work too).
	Algorithm string
	// Private is the private key (*rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey).
	Private crypto.Signer
	// OmitAlg leaves "alg" out of the published JWK.
	OmitAlg bool
}

// Public returns the public key.
func (k *Key) Public() crypto.PublicKey { return k.Private.Public() }

// NewKey generates a key for alg with the given kid.
func NewKey(kid, alg string) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("authtest: unsupported algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, Algorithm: alg, Private: priv}, nil
}

// JWK returns the public key as a JSON Web Key (RFC 7517, RFC 7518 §6, RFC 8037).
func (k *Key) JWK() map[string]any {
	b64 := base64.RawURLEncoding.EncodeToString
	jwk := map[string]any{"kid": k.ID, "use": "sig"}
	if !k.OmitAlg {
		jwk["alg"] = k.Algorithm
	}
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		jwk["kty"] = "RSA"
		jwk["n"] = b64(pub.N.Bytes())
		jwk["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		size := (pub.Curve.Params().BitSize + 7) / 8
		jwk["kty"] = "EC"
		jwk["crv"] = pub.Curve.Params().Name
		jwk["x"] = b64(pub.X.FillBytes(make([]byte, size)))
		jwk["y"] = b64(pub.Y.FillBytes(make([]byte, size)))
	case ed25519.PublicKey:
		jwk["kty"] = "OKP"
		jwk["crv"] = "Ed25519"
		jwk["x"] = b64(pub)
	}
	return jwk
}
