package mcpauth

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	_ "crypto/sha256" // SHA-256 for crypto.Hash
	_ "crypto/sha512" // SHA-384 and SHA-512 for crypto.Hash
	"fmt"
	"math/big"
	"unicode/utf8"

	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/authtest"
)

// The JWT fuzz targets verify tokens against fixed keys (testdata/fuzz-keys.pem)
// at a fixed time, so that the valid tokens among the checked-in seeds stay
// valid. The key set is served from memory: no network.
const (
	fuzzIssuer   = "https://as.fuzz.example"
	fuzzResource = "https://mcp.fuzz.example/mcp"
)

var fuzzNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// fuzzRig is a JWT bearer over the fixed keys.
type fuzzRig struct {
	bearer    *Bearer
	keys      []*authtest.Key // kid "rsa" (RS*/PS*), "ec" (ES256), "ed" (EdDSA)
	originals []string        // valid tokens, one per key and algorithm
}

// newFuzzRig builds the bearer (fixed clock, in-memory key set) and mints
// one valid token per key and algorithm.
func newFuzzRig(tb testing.TB) *fuzzRig {
	tb.Helper()
	keys := loadFuzzKeys(tb)
	jwks, err := json.Marshal(map[string]any{"keys": []any{keys[0].JWK(), keys[1].JWK(), keys[2].JWK()}})
	if err != nil {
		tb.Fatal(err)
	}
	serve := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		status := http.StatusNotFound
		if r.URL.String() == fuzzIssuer+"/jwks" {
			status = http.StatusOK
		}
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(jwks)), Request: r}, nil
	})
	auth, err := New(Config{
		ProtectedResources: []ProtectedResource{{
			Metadata: ProtectedResourceMetadata{Resource: fuzzResource},
			AuthServers: []*AuthServer{NewAuthServer(&ServerConfig{Metadata: AuthorizationServerMetadata{
				Issuer: fuzzIssuer, JWKSURI: fuzzIssuer + "/jwks", ResponseTypesSupported: []string{"code"},
				AuthorizationEndpoint: fuzzIssuer + "/authorize", TokenEndpoint: fuzzIssuer + "/token",
			}})},
		}},
		HTTPClient: &http.Client{Transport: serve},
		Logger:     slog.New(slog.DiscardHandler),
		now:        func() time.Time { return fuzzNow },
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { auth.Close() })
	b, err := auth.NewBearer(nil)
	if err != nil {
		tb.Fatal(err)
	}
	r := &fuzzRig{bearer: b, keys: keys}
	for _, s := range []struct {
		key *authtest.Key
		alg string
	}{{keys[0], "RS256"}, {keys[0], "PS384"}, {keys[1], "ES256"}, {keys[2], "EdDSA"}} {
		r.originals = append(r.originals, fuzzMint(tb, s.key, s.alg, nil, nil))
	}
	return r
}

// loadFuzzKeys reads the fixed RSA, P-256 and Ed25519 keys.
func loadFuzzKeys(tb testing.TB) []*authtest.Key {
	data, err := os.ReadFile("testdata/fuzz-keys.pem")
	if err != nil {
		tb.Fatal(err)
	}
	var keys []*authtest.Key
	for _, id := range []struct{ kid, alg string }{{"rsa", "RS256"}, {"ec", "ES256"}, {"ed", "EdDSA"}} {
		var block *pem.Block
		if block, data = pem.Decode(data); block == nil {
			tb.Fatal("testdata/fuzz-keys.pem: missing key")
		}
		priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			tb.Fatal(err)
		}
		// The RSA key's JWK names no algorithm, so RS* and PS* tokens both use it.
		keys = append(keys, &authtest.Key{ID: id.kid, Algorithm: id.alg, Private: priv.(crypto.Signer), OmitAlg: id.kid == "rsa"})
	}
	return keys
}

// fuzzMint signs a token with key and alg; header and claims override the
// defaults (a nil value removes a member).
func fuzzMint(tb testing.TB, key *authtest.Key, alg string, header, claims map[string]any) string {
	h := map[string]any{"alg": alg, "typ": "at+jwt", "kid": key.ID}
	c := map[string]any{"iss": fuzzIssuer, "sub": "fuzz-user", "aud": fuzzResource, "scope": "read",
		"iat": fuzzNow.Unix(), "exp": fuzzNow.Add(time.Hour).Unix()}
	override(h, header)
	override(c, claims)
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(c)
	signing := b64url(hb) + "." + b64url(cb)
	sig, err := jwt.GetSigningMethod(alg).Sign(signing, key.Private)
	if err != nil {
		tb.Fatal(err)
	}
	return signing + "." + b64url(sig)
}

// override sets the members of src on dst; a nil value removes the member.
func override(dst, src map[string]any) {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
		} else {
			dst[k] = v
		}
	}
}

var b64url = base64.RawURLEncoding.EncodeToString

// accept runs what the bearer middleware runs on a token once it has been
// extracted: the verifier, then the issuer, audience, expiry and scope
// checks. Every refusal must be an *Error.
func (r *fuzzRig) accept(t *testing.T, token string) (*AuthInfo, *Error) {
	info, err := r.bearer.verifier.Verify(context.Background(), token, &r.bearer.req)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("refusal %v is not an *Error", err)
		}
		return nil, e
	}
	if e := r.bearer.check(info, nil, r.bearer.auth.now(), nil); e != nil {
		return nil, e
	}
	return info, nil
}

// FuzzVerifyJWT verifies arbitrary tokens: never a panic, every refusal a
// 401, and nothing accepted that the independent check (independentlyValid, below)
// does not find validly signed by a trusted key and issued by the trusted
// issuer.
func FuzzVerifyJWT(f *testing.F) {
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, token string) {
		info, e := r.accept(t, token)
		if e != nil {
			if e.StatusCode() != http.StatusUnauthorized {
				t.Fatalf("refused with %d (%v), want 401", e.StatusCode(), e)
			}
			return
		}
		if err := independentlyValid(token, r.keys); err != nil {
			t.Fatalf("accepted %q: %v", token, err)
		}
		if info.Issuer != fuzzIssuer || info.Subject == "" {
			t.Fatalf("accepted with issuer %q, subject %q", info.Issuer, info.Subject)
		}
	})
}

// FuzzVerifyMutatedJWT edits the bytes of a valid token (each edit is four
// bytes: operation, position high and low byte, value) and requires its
// refusal unless the edited token decodes to the very same header, payload
// and signature. With no edit, the token must be accepted.
func FuzzVerifyMutatedJWT(f *testing.F) {
	r := newFuzzRig(f)
	f.Fuzz(func(t *testing.T, pick uint8, edits []byte) {
		orig := r.originals[int(pick)%len(r.originals)]
		tok := []byte(orig)
		for ; len(edits) >= 4; edits = edits[4:] {
			pos, val := int(edits[1])<<8|int(edits[2]), edits[3]
			switch edits[0] % 3 {
			case 0: // replace
				if len(tok) > 0 {
					tok[pos%len(tok)] = val
				}
			case 1: // delete
				if len(tok) > 0 {
					pos %= len(tok)
					tok = append(tok[:pos], tok[pos+1:]...)
				}
			case 2: // insert
				pos %= len(tok) + 1
				tok = append(tok[:pos], append([]byte{val}, tok[pos:]...)...)
			}
		}
		_, e := r.accept(t, string(tok))
		if string(tok) == orig && e != nil {
			t.Fatalf("the unedited token is refused: %v", e)
		}
		if e != nil {
			if e.StatusCode() != http.StatusUnauthorized {
				t.Fatalf("refused with %d (%v), want 401", e.StatusCode(), e)
			}
			return
		}
		if !sameSegments(string(tok), orig) {
			t.Fatalf("accepted the edited token %q (from %q)", tok, orig)
		}
	})
}

// sameSegments reports whether two tokens decode to the same header,
// payload and signature bytes.
func sameSegments(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	if len(pa) != 3 || len(pb) != 3 {
		return false
	}
	for i := range pa {
		da, erra := base64.RawURLEncoding.DecodeString(pa[i])
		db, errb := base64.RawURLEncoding.DecodeString(pb[i])
		if erra != nil || errb != nil || !bytes.Equal(da, db) {
			return false
		}
	}
	return true
}

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
