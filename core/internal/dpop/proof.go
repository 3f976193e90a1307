package dpop

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/internal/jsonscan"
)

// MaxProofBytes is the longest proof read; a proof with a 4096-bit RSA key
// is about 2.5 KiB.
const MaxProofBytes = 8 << 10

// Error is a refused proof. Its text is a sentence for the client: it
// never holds anything the client did not send, beyond the server's own
// public URL and rules.
type Error struct{ Description string }

func (e *Error) Error() string { return e.Description }

func errorf(format string, args ...any) *Error {
	return &Error{Description: fmt.Sprintf(format, args...)}
}

// Proof is a DPoP proof JWT whose form and signature are valid.
type Proof struct {
	// Key is the public key of the jwk header, which verified the signature.
	Key *Key
	// Alg is the header's alg.
	Alg string
	// JTI, HTM, HTU, ATH and Nonce are the claims of RFC 9449 §4.2 (ATH
	// and Nonce may be empty).
	JTI, HTM, HTU, ATH, Nonce string
	// IssuedAt is iat.
	IssuedAt time.Time
}

// Parse reads proof, the value of a DPoP header, and checks what does not
// depend on the request (RFC 9449 §4.3, checks 2 to 7): one compact JWS
// whose header has typ dpop+jwt, an alg among algs (which holds asymmetric
// algorithms only), and a public jwk fitting alg that verifies the
// signature; JSON without duplicate members in header and claims; no crit
// header (no extension is understood); and the claims jti, htm, htu and iat
// with their types, plus ath and nonce when present.
func Parse(proof string, algs []string) (*Proof, error) {
	if len(proof) > MaxProofBytes {
		return nil, errorf("The DPoP proof is longer than %d bytes.", MaxProofBytes)
	}
	h64, rest, ok1 := strings.Cut(proof, ".")
	c64, s64, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s64, ".") {
		return nil, errorf("The DPoP proof is not a JWT (three base64url parts separated by dots).")
	}
	header, err := decodePart(h64, "header")
	if err != nil {
		return nil, err
	}
	p := &Proof{}
	if err := p.readHeader(header, algs); err != nil {
		return nil, err
	}
	claims, err := decodePart(c64, "claims")
	if err != nil {
		return nil, err
	}
	if err := p.readClaims(claims); err != nil {
		return nil, err
	}
	sig, derr := b64.DecodeString(s64)
	if derr != nil || len(sig) == 0 {
		return nil, errorf("The DPoP proof's signature is not base64url.")
	}
	method := jwt.GetSigningMethod(p.Alg)
	if p.Alg == "Ed25519" { // RFC 9864: EdDSA with an Ed25519 key, by its fully-specified name
		method = jwt.SigningMethodEdDSA
	}
	if method == nil || method.Verify(proof[:len(h64)+1+len(c64)], sig, p.Key.Public) != nil {
		return nil, errorf("The DPoP proof's signature does not verify with its jwk.")
	}
	return p, nil
}

// decodePart decodes a base64url JSON object without duplicate members.
func decodePart(s, what string) (map[string]any, error) {
	raw, err := b64.DecodeString(s)
	if err != nil {
		return nil, errorf("The DPoP proof's %s is not base64url.", what)
	}
	m, err := jsonscan.DecodeObject(raw)
	if err != nil {
		return nil, errorf("The DPoP proof's %s is not a JSON object with unique members.", what)
	}
	return m, nil
}

func (p *Proof) readHeader(h map[string]any, algs []string) error {
	if typ, _ := h["typ"].(string); !isDPoPType(typ) {
		return errorf("The DPoP proof's typ header is not dpop+jwt.")
	}
	if _, ok := h["crit"]; ok {
		return errorf("The DPoP proof has a crit header, whose extensions this server does not understand.")
	}
	alg, _ := h["alg"].(string)
	if !slices.Contains(algs, alg) {
		return errorf("The DPoP proof's alg is not one of %s.", strings.Join(algs, " "))
	}
	jwk, ok := h["jwk"].(map[string]any)
	if !ok {
		return errorf("The DPoP proof has no jwk header holding its public key.")
	}
	key, err := ParseKey(jwk)
	if err != nil {
		return err
	}
	if !key.fits(alg) {
		return errorf("The DPoP proof's jwk cannot verify its alg %s.", alg)
	}
	p.Key, p.Alg = key, alg
	return nil
}

// isDPoPType compares a typ with dpop+jwt as a media type: case-insensitively,
// with the "application/" prefix optional (RFC 7515 §4.1.9).
func isDPoPType(typ string) bool {
	if len(typ) > len("application/") && strings.EqualFold(typ[:len("application/")], "application/") {
		typ = typ[len("application/"):]
	}
	return strings.EqualFold(typ, "dpop+jwt")
}

func (p *Proof) readClaims(c map[string]any) error {
	var err error
	read := func(name string, required bool) string {
		v, present := c[name]
		s, isString := v.(string)
		if err == nil && ((required && s == "") || (present && !isString)) {
			err = errorf("The DPoP proof's %s claim is missing or not a string.", name)
		}
		return s
	}
	p.JTI, p.HTM, p.HTU = read("jti", true), read("htm", true), read("htu", true)
	p.ATH, p.Nonce = read("ath", false), read("nonce", false)
	if err != nil {
		return err
	}
	iat, ok := c["iat"].(float64)
	if !ok || math.IsNaN(iat) || iat < 0 || iat > 1<<40 {
		return errorf("The DPoP proof's iat claim is missing or not a time.")
	}
	sec, frac := math.Modf(iat)
	p.IssuedAt = time.Unix(int64(sec), int64(frac*1e9))
	return nil
}

// Expect is what the request requires of a proof.
type Expect struct {
	// Method is the request's method (htm, compared exactly).
	Method string
	// URL is the request's URL as [NormalizeURL] returns it (htu).
	URL string
	// AccessToken, when set, must be the one the proof's ath hashes.
	AccessToken string
	// Now and Window bound iat: it must be within Window of Now.
	Now    time.Time
	Window time.Duration
}

// Check applies the checks of RFC 9449 §4.3 that depend on the request:
// htm (8), htu (9), iat (11) and ath (12). Nonces and replays are checked
// by the caller.
func (p *Proof) Check(e Expect) error {
	if p.HTM != e.Method {
		return errorf("The DPoP proof's htm is not this request's method %s.", e.Method)
	}
	if u, err := NormalizeURL(p.HTU); err != nil || u != e.URL {
		return errorf("The DPoP proof's htu is not this request's URL %s.", e.URL)
	}
	if d := e.Now.Sub(p.IssuedAt); d > e.Window || d < -e.Window {
		return errorf("The DPoP proof's iat is not within %s of the server's time.", e.Window)
	}
	if e.AccessToken != "" {
		sum := sha256.Sum256([]byte(e.AccessToken))
		var want [43]byte
		base64.RawURLEncoding.Encode(want[:], sum[:])
		if subtle.ConstantTimeCompare([]byte(p.ATH), want[:]) != 1 {
			return errorf("The DPoP proof's ath is missing or is not the hash of the access token.")
		}
	}
	return nil
}
