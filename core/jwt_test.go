package mcpauth_test

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// TestTokenType: a JWT that says it is not an access token is refused,
// whatever the options, before any key is fetched; RequireTokenType admits
// at+jwt only.
func TestTokenType(t *testing.T) {
	notAccess := challengeFor("invalid_token", "The token is not an access token.", "")
	malformed := challengeFor("invalid_token", "The access token's header is malformed.", "")
	notAT := challengeFor("invalid_token", "The access token's type (typ) is not at+jwt.", "")
	tests := []struct {
		name        string
		header      map[string]any
		claims      authtest.Claims
		lax, strict string // expected challenge without and with RequireTokenType ("" = accepted)
	}{
		{"at+jwt", map[string]any{"typ": "at+jwt"}, nil, "", ""},
		{"application/at+jwt", map[string]any{"typ": "application/AT+JWT"}, nil, "", ""},
		{"JWT", map[string]any{"typ": "JWT"}, nil, "", notAT},
		{"no typ", map[string]any{"typ": authtest.Delete}, nil, "", notAT},
		{"id+jwt", map[string]any{"typ": "id+jwt"}, nil, notAccess, notAT},
		{"logout+jwt", map[string]any{"typ": "logout+jwt"}, nil, notAccess, notAT},
		{"application/logout+jwt", map[string]any{"typ": "application/logout+jwt"}, nil, notAccess, notAT},
		{"secevent+jwt", map[string]any{"typ": "secevent+jwt"}, nil, notAccess, notAT},
		{"dpop+jwt", map[string]any{"typ": "dpop+jwt"}, nil, notAccess, notAT},
		{"oauth-id-jag+jwt", map[string]any{"typ": "oauth-id-jag+jwt"}, nil, notAccess, notAT},
		{"DPoP+JWT with a parameter", map[string]any{"typ": "DPoP+JWT; v=1"}, nil, notAccess, notAT},
		{"typ not a string", map[string]any{"typ": 7}, nil, malformed, malformed},
		{"Cognito ID token", map[string]any{"typ": "JWT"}, authtest.Claims{"token_use": "id"}, notAccess, notAT},
		{"Cognito access token", map[string]any{"typ": authtest.Delete}, authtest.Claims{"token_use": "access"}, "", notAT},
		{"Hydra-style token_use", map[string]any{"typ": "JWT"}, authtest.Claims{"token_use": "access_token"}, "", notAT},
		{"Keycloak ID token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "ID"}, notAccess, notAT},
		{"Keycloak refresh token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "Refresh"}, notAccess, notAT},
		{"Keycloak access token", map[string]any{"typ": "JWT"}, authtest.Claims{"typ": "Bearer"}, "", notAT},
	}
	for _, strict := range []bool{false, true} {
		r := newRig(t, rigOptions{lazy: true, bearer: &mcpauth.BearerOptions{RequireTokenType: strict}})
		for _, tt := range tests {
			want := tt.lax
			if strict {
				want = tt.strict
			}
			t.Run(tt.name, func(t *testing.T) {
				rec := r.bearer(r.as.MintWith(authtest.MintOptions{Header: tt.header, Claims: tt.claims}))
				if want == "" {
					expect(t, rec, http.StatusOK, "")
				} else {
					expect(t, rec, http.StatusUnauthorized, want)
				}
			})
		}
	}
	t.Run("refused before any request to the authorization server", func(t *testing.T) {
		r := newRig(t, rigOptions{lazy: true})
		expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "logout+jwt"}})), http.StatusUnauthorized, notAccess)
		if n := r.as.TotalRequests(); n != 0 {
			t.Fatalf("%d requests to the authorization server", n)
		}
	})
}

func TestStrictTokenType(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequireTokenType: true}})
	expect(t, r.bearer(r.as.Mint(nil)), 200, "")
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "application/at+jwt"}})), 200, "")
	want := challengeFor("invalid_token", "The access token's type (typ) is not at+jwt.", "")
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": "JWT"}})), 401, want)
	expect(t, r.bearer(r.as.MintWith(authtest.MintOptions{Header: map[string]any{"typ": authtest.Delete}})), 401, want)
}

func TestForgedTokens(t *testing.T) {
	r := newRig(t, rigOptions{})
	pub := r.as.SigningKey().Public()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	other, _ := authtest.NewKey("key-1", "RS256") // same kid, another key
	signatureInvalid := challengeFor("invalid_token", "The access token's signature is invalid.", "")
	tests := []struct {
		name      string
		token     string
		challenge string
	}{
		{"alg none", r.as.MintWith(authtest.MintOptions{Algorithm: "none"}), signatureInvalid},
		{"alg none with a signature", r.as.MintWith(authtest.MintOptions{Algorithm: "none", Signature: []byte("x")}), signatureInvalid},
		{"HS256 with the public key as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS256", SigningKey: pemKey}), signatureInvalid},
		{"HS384 with the public key as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS384", SigningKey: pemKey}), signatureInvalid},
		{"HS512 with the public key DER as secret", r.as.MintWith(authtest.MintOptions{Algorithm: "HS512", SigningKey: der}), signatureInvalid},
		{"signed by another key under the same kid", r.as.MintWith(authtest.MintOptions{Key: other}), signatureInvalid},
		{"signature removed", r.as.MintWith(authtest.MintOptions{Signature: []byte{}}), signatureInvalid},
		{"payload changed after signing", authtest.Tamper(r.as.Mint(nil), authtest.Claims{"sub": "admin"}), signatureInvalid},
		{"unknown alg", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"alg": "XS999"}}), challengeFor("invalid_token", "The access token cannot be verified.", "")},
		{"duplicate claim", r.as.MintWith(authtest.MintOptions{Payload: []byte(`{"iss":"` + r.as.Issuer + `","sub":"a","sub":"admin","aud":"` + resourceID + `","exp":9999999999}`)}),
			challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"duplicate empty-named claim", r.as.MintWith(authtest.MintOptions{Payload: []byte(`{"iss":"` + r.as.Issuer + `","sub":"a","":1,"aud":"` + resourceID + `","":2,"exp":9999999999}`)}),
			challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"payload not JSON", r.as.MintWith(authtest.MintOptions{Payload: []byte("hello")}), challengeFor("invalid_token", "The access token is malformed.", "")},
		{"payload an array", r.as.MintWith(authtest.MintOptions{Payload: []byte(`[1]`)}), challengeFor("invalid_token", "The access token's claims are malformed.", "")},
		{"jku header pointing elsewhere", r.as.MintWith(authtest.MintOptions{Key: other, Header: map[string]any{"jku": "http://127.0.0.1:1/evil", "kid": "evil"}}),
			challengeFor("invalid_token", "The access token was signed by an unknown key.", "")},
		{"kid with path traversal", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": "../../etc/passwd"}}),
			challengeFor("invalid_token", "The access token was signed by an unknown key.", "")},
		{"kid not a string", r.as.MintWith(authtest.MintOptions{Header: map[string]any{"kid": 42}}),
			challengeFor("invalid_token", "The access token's kid is not a string.", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			expect(t, r.bearer(tt.token), 401, tt.challenge)
			if r.calls.Load() != before {
				t.Fatal("handler ran")
			}
		})
	}
}

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
		{"trailing slash", withIss(iss + "/"), 401, invalidToken("The access token's issuer is not trusted by this resource: it differs from the trusted issuer only by a trailing slash, so the configured issuer must be corrected.")},
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
