package mcpauth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for crypto.Hash
	_ "crypto/sha512" // SHA-384 and SHA-512 for crypto.Hash
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/mcp-auth/go/core/authtest"
)

// independentlyValid is the fuzz targets' oracle for "validly signed by a
// trusted key and issued by the trusted issuer", written without the JWT
// library the verifier uses: the compact serialization split by hand, the
// header and payload UTF-8 JSON objects without duplicate members (RFC 7519
// §7.2), "iss" the trusted issuer, and the signature checked with the
// standard library's RSA, ECDSA and Ed25519 against each trusted key.
func independentlyValid(token string, keys []*authtest.Key) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return errors.New("not three segments")
	}
	var raw [3][]byte
	for i, p := range parts {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			return fmt.Errorf("segment %d: %v", i, err)
		}
		raw[i] = b
	}
	var header, claims map[string]any
	for _, seg := range []struct {
		name string
		data []byte
		dst  *map[string]any
	}{{"header", raw[0], &header}, {"payload", raw[1], &claims}} {
		if !utf8.Valid(seg.data) {
			return fmt.Errorf("%s is not UTF-8", seg.name)
		}
		if dup := duplicateName(seg.data); dup != "" {
			return fmt.Errorf("%s has the member %q twice, or is not a JSON object", seg.name, dup)
		}
		if err := json.Unmarshal(seg.data, seg.dst); err != nil || *seg.dst == nil {
			return fmt.Errorf("%s is not a JSON object", seg.name)
		}
	}
	if claims["iss"] != fuzzIssuer {
		return fmt.Errorf("issuer %v", claims["iss"])
	}
	alg, _ := header["alg"].(string)
	signed := []byte(parts[0] + "." + parts[1])
	for _, k := range keys {
		if signatureOK(alg, k.Public(), signed, raw[2]) {
			return nil
		}
	}
	return fmt.Errorf("no trusted key verifies the %q signature", alg)
}

// signatureOK checks a JWS signature (RFC 7518 §3) with the standard library.
func signatureOK(alg string, pub crypto.PublicKey, signed, sig []byte) bool {
	hashes := map[string]crypto.Hash{"256": crypto.SHA256, "384": crypto.SHA384, "512": crypto.SHA512}
	if alg == "EdDSA" {
		k, ok := pub.(ed25519.PublicKey)
		return ok && ed25519.Verify(k, signed, sig)
	}
	if len(alg) != 5 {
		return false
	}
	hash, ok := hashes[alg[2:]]
	if !ok {
		return false
	}
	h := hash.New()
	h.Write(signed)
	digest := h.Sum(nil)
	switch alg[:2] {
	case "RS":
		k, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(k, hash, digest, sig) == nil
	case "PS":
		k, ok := pub.(*rsa.PublicKey)
		return ok && rsa.VerifyPSS(k, hash, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto}) == nil
	case "ES":
		curves := map[string]elliptic.Curve{"256": elliptic.P256(), "384": elliptic.P384(), "512": elliptic.P521()}
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k.Curve != curves[alg[2:]] {
			return false
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		if len(sig) != 2*size {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:size]), new(big.Int).SetBytes(sig[size:])
		return ecdsa.Verify(k, digest, r, s)
	}
	return false
}

// duplicateName returns the first member name of the JSON object data that
// occurs twice, or "{" when data is not one JSON object. It walks the
// object with encoding/json's tokenizer, not the library's scanner.
func duplicateName(data []byte) string {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "{"
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		name, isName := tok.(string)
		if err != nil || !isName {
			return "{"
		}
		if seen[name] {
			return name
		}
		seen[name] = true
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return "{"
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return "{"
	}
	if _, err := dec.Token(); err != io.EOF {
		return "{"
	}
	return ""
}
