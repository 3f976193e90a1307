package mcpauth_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/authtest"
)

// Hostile tokens: every case is refused with the exact status and challenge,
// the protected handler never runs, and nothing in a token makes the
// library contact a server of the attacker's choosing.

// hostileCase is one hostile token and the answer it must get.
type hostileCase struct {
	name      string
	token     string
	status    int
	challenge string
}

// refuseAll sends each case's token and checks the answer and that the
// handler never ran.
func refuseAll(t *testing.T, r *rig, cases []hostileCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := r.calls.Load()
			expect(t, r.bearer(tc.token), tc.status, tc.challenge)
			if r.calls.Load() != before {
				t.Fatal("the protected handler ran")
			}
		})
	}
}

// invalidToken is the 401 challenge of an invalid_token refusal.
func invalidToken(description string) string {
	return challengeFor("invalid_token", description, "")
}

// signRaw signs header and payload exactly as given, with key.
func signRaw(t *testing.T, key *authtest.Key, header, payload []byte) string {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	signing := b64(header) + "." + b64(payload)
	sig, err := jwt.GetSigningMethod(key.Algorithm).Sign(signing, key.Private)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + b64(sig)
}

// rawClaims is a valid claim set of r's server as JSON, with extra (raw
// JSON members, each starting with a comma) spliced in.
func rawClaims(r *rig, extra string) []byte {
	return fmt.Appendf(nil, `{"iss":%q,"sub":"test-user","aud":%q,"exp":%d%s}`,
		r.as.Issuer, resourceID, r.clock.Now().Add(time.Hour).Unix(), extra)
}

// countingServer is an httptest server of the attacker's that counts the
// requests it gets and answers each with body.
func countingServer(t *testing.T, body []byte) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestHostileKeyHeaders(t *testing.T) {
	r := newRig(t, rigOptions{})
	attacker, err := authtest.NewKey("evil", "RS256")
	if err != nil {
		t.Fatal(err)
	}
	evilJWKS, _ := json.Marshal(map[string]any{"keys": []any{attacker.JWK()}})
	evil, evilHits := countingServer(t, evilJWKS)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: r.as.Issuer},
		NotBefore: r.clock.Now().Add(-time.Hour), NotAfter: r.clock.Now().Add(time.Hour)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, attacker.Public(), attacker.Private)
	if err != nil {
		t.Fatal(err)
	}
	forge := func(header map[string]any) string {
		return r.as.MintWith(authtest.MintOptions{Key: attacker, Header: header})
	}
	unknownKey := invalidToken("The access token was signed by an unknown key.")
	badSignature := invalidToken("The access token's signature is invalid.")
	refuseAll(t, r, []hostileCase{
		{"jku to the attacker's key set", forge(map[string]any{"jku": evil.URL + "/jwks"}), 401, unknownKey},
		{"jku with the trusted kid", forge(map[string]any{"jku": evil.URL + "/jwks", "kid": "key-1"}), 401, badSignature},
		{"x5u to the attacker's certificate", forge(map[string]any{"x5u": evil.URL + "/cert.pem"}), 401, unknownKey},
		{"x5u with the trusted kid", forge(map[string]any{"x5u": evil.URL + "/cert.pem", "kid": "key-1"}), 401, badSignature},
		{"x5c with the attacker's certificate", forge(map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(cert)}}), 401, unknownKey},
		{"x5c without kid", forge(map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(cert)}, "kid": authtest.Delete}), 401, badSignature},
		{"jwk embedding the signing key", forge(map[string]any{"jwk": attacker.JWK()}), 401, unknownKey},
		{"jwk embedding the signing key, no kid", forge(map[string]any{"jwk": attacker.JWK(), "kid": authtest.Delete}), 401, badSignature},
		{"every key header at once", forge(map[string]any{"jku": evil.URL, "x5u": evil.URL, "jwk": attacker.JWK(), "kid": "key-1"}), 401, badSignature},
	})
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the attacker's server got %d requests", n)
	}
	if n := r.jwksRequests(); n != 1 {
		t.Errorf("%d fetches of the trusted key set, want 1", n)
	}
}

func TestHostileKid(t *testing.T) {
	r := newRig(t, rigOptions{})
	junk := strings.Repeat(`../\%00ÿ!`, 1024) // 10 KiB
	withKid := func(kid string) string {
		return r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": kid}})
	}
	unknownKey := invalidToken("The access token was signed by an unknown key.")
	refuseAll(t, r, []hostileCase{
		{"10 KiB of junk", withKid(junk), 401, unknownKey},
		{"absolute path", withKid("/etc/passwd"), 401, unknownKey},
		{"backslash traversal", withKid(`..\..\windows\win.ini`), 401, unknownKey},
		{"file URL", withKid("file:///etc/passwd"), 401, unknownKey},
		{"traversal back to the real kid", withKid("x/../key-1"), 401, unknownKey},
		{"URL-encoded traversal", withKid("..%2f..%2fkey-1"), 401, unknownKey},
		{"trailing NUL", withKid("key-1\x00"), 401, unknownKey},
		{"another case", withKid("KEY-1"), 401, unknownKey},
		{"empty", withKid(""), 401, unknownKey},
	})
	if n := r.jwksRequests(); n != 1 {
		t.Errorf("%d fetches of the key set, want 1 (refetches are rate-limited)", n)
	}
}

func TestUntrustedIssuerNoNetwork(t *testing.T) {
	// Discovery is lazy here, so any network use before the issuer check
	// would show as a metadata request.
	r := newRig(t, rigOptions{lazy: true})
	evil, evilHits := countingServer(t, []byte(`{}`))
	iss := r.as.Issuer
	untrusted := invalidToken("The access token's issuer is not trusted by this resource.")
	malformed := invalidToken("The access token's claims are malformed.")
	withIss := func(v any) string { return r.as.Mint(authtest.Claims{"iss": v}) }
	refuseAll(t, r, []hostileCase{
		{"the attacker's server", withIss(evil.URL), 401, untrusted},
		{"trailing slash", withIss(iss + "/"), 401, untrusted},
		{"upper case", withIss(strings.ToUpper(iss)), 401, untrusted},
		{"longer path", withIss(iss + "/evil"), 401, untrusted},
		{"user information", withIss("http://" + strings.TrimPrefix(iss, "http://") + "@" + strings.TrimPrefix(evil.URL, "http://")), 401, untrusted},
		{"leading space", withIss(" " + iss), 401, untrusted},
		{"trailing NUL", withIss(iss + "\x00"), 401, untrusted},
		{"issuer in an array", withIss([]string{iss}), 401, malformed},
		{"issuer as a number", withIss(1), 401, malformed},
	})
	if n := r.as.TotalRequests(); n != 0 {
		t.Errorf("the trusted server got %d requests", n)
	}
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the attacker's server got %d requests", n)
	}
}
