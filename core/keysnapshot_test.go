package mcpauth

import (
	"crypto"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/golang-jwt/jwt/v5"

	"github.com/mcp-auth/go/core/authtest"
)

// snapshotOf parses a JWK Set made of the given JWKs.
func snapshotOf(t *testing.T, jwks ...map[string]any) *keySnapshot {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"keys": jwks})
	snap, err := (&keySet{url: "https://as.example/jwks", log: slog.New(slog.DiscardHandler)}).parse(body)
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func newTestKey(t *testing.T, kid, alg string) *authtest.Key {
	t.Helper()
	k, err := authtest.NewKey(kid, alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeySnapshotFind(t *testing.T) {
	rsaA, ecA, rsaB := newTestKey(t, "a", "RS256"), newTestKey(t, "a", "ES256"), newTestKey(t, "b", "RS256")
	noKid := newTestKey(t, "", "EdDSA")
	noKidJWK := noKid.JWK()
	delete(noKidJWK, "kid")
	snap := snapshotOf(t, rsaA.JWK(), ecA.JWK(), rsaB.JWK(), noKidJWK)
	token := func(alg string, kid any) *jwt.Token {
		h := map[string]any{"alg": alg}
		if kid != nil {
			h["kid"] = kid
		}
		return &jwt.Token{Header: h, Method: jwt.GetSigningMethod(alg)}
	}
	tests := []struct {
		name string
		tok  *jwt.Token
		want any   // the key expected, or a jwt.VerificationKeySet's size
		err  error // errUnknownKey, or a marker for another refusal
	}{
		{"kid found", token("RS256", "b"), rsaB.Public(), nil},
		{"first of two keys with one kid", token("RS256", "a"), rsaA.Public(), nil},
		{"a second key under a kid is never found by it", token("ES256", "a"), nil, errMismatch},
		{"empty kid finds the key without one", token("EdDSA", ""), noKid.Public(), nil},
		{"unknown kid", token("RS256", "c"), nil, errUnknownKey},
		{"kid not a string", token("RS256", 7), nil, errMismatch},
		{"no kid: every fitting key", token("RS256", nil), 2, nil},
		{"no kid, no fitting key", token("ES384", nil), nil, errUnknownKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := snap.find(tt.tok)
			switch {
			case tt.err == errUnknownKey:
				if !errors.Is(err, errUnknownKey) {
					t.Fatalf("err = %v, want errUnknownKey", err)
				}
			case tt.err != nil:
				if AsError(err) == nil || errors.Is(err, errUnknownKey) {
					t.Fatalf("err = %v, want a refusal", err)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if set, ok := got.(jwt.VerificationKeySet); ok {
					if len(set.Keys) != tt.want {
						t.Fatalf("%d keys, want %v", len(set.Keys), tt.want)
					}
				} else if !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.want) {
					t.Fatal("another key was found")
				}
			}
		})
	}
}

var errMismatch = errors.New("a refusal other than an unknown key")

func TestKeySnapshotHolds(t *testing.T) {
	a, other := newTestKey(t, "a", "RS256"), newTestKey(t, "a", "RS256")
	noAlg := newTestKey(t, "n", "RS256")
	noAlg.OmitAlg = true
	snap := snapshotOf(t, a.JWK(), noAlg.JWK())
	tests := []struct {
		name     string
		kid, alg string
		key      any
		want     bool
	}{
		{"same key", "a", "RS256", a.Public(), true},
		{"another key under the kid", "a", "RS256", other.Public(), false},
		{"another alg than the JWK's", "a", "PS256", a.Public(), false},
		{"JWK without alg", "n", "PS256", noAlg.Public(), true},
		{"kid gone", "b", "RS256", a.Public(), false},
	}
	for _, tt := range tests {
		if got := snap.holds(tt.kid, tt.alg, tt.key); got != tt.want {
			t.Errorf("%s: holds = %v, want %v", tt.name, got, tt.want)
		}
	}
}
