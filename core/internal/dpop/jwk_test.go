package dpop_test

import (
	"strings"
	"testing"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/core/internal/dpop"
)

// The key of RFC 7638 §3.1 and its thumbprint.
var rfc7638Key = map[string]any{
	"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
	"n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
}

// The key of RFC 9449 §4.1 and its thumbprint (§6.1).
var rfc9449Key = map[string]any{"kty": "EC", "crv": "P-256", "x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs", "y": "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"}

func TestThumbprintVectors(t *testing.T) {
	for name, tt := range map[string]struct {
		jwk  map[string]any
		want string
	}{
		"RFC 7638 §3.1 (RSA)": {rfc7638Key, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"},
		"RFC 9449 §6.1 (EC)":  {rfc9449Key, "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
	} {
		k, err := dpop.ParseKey(tt.jwk)
		if err != nil || k.Thumbprint != tt.want {
			t.Errorf("%s: %v %v, want %s", name, k, err, tt.want)
		}
	}
}

// TestThumbprintAgreesWithAuthtest: for every algorithm, the key parsed
// from a JWK has the thumbprint authtest computes on its own (encoding/json,
// sorted members).
func TestThumbprintAgreesWithAuthtest(t *testing.T) {
	for _, alg := range []string{"ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA"} {
		k, err := authtest.NewKey("k", alg)
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := dpop.ParseKey(k.JWK())
		if err != nil || parsed.Thumbprint != k.Thumbprint() {
			t.Errorf("%s: %v %v, want %s", alg, parsed, err, k.Thumbprint())
		}
	}
}

func TestParseKeyRefuses(t *testing.T) {
	ec := func(change map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range rfc9449Key {
			m[k] = v
		}
		for k, v := range change {
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
		return m
	}
	rsa := func(change map[string]any) map[string]any {
		m := map[string]any{"kty": "RSA", "e": "AQAB", "n": rfc7638Key["n"]}
		for k, v := range change {
			m[k] = v
		}
		return m
	}
	for name, tt := range map[string]struct {
		jwk  map[string]any
		want string
	}{
		"private EC key":        {ec(map[string]any{"d": "AAAA"}), "private key"},
		"private RSA member":    {rsa(map[string]any{"p": "AAAA"}), "private key"},
		"symmetric key":         {map[string]any{"kty": "oct", "k": "c2VjcmV0"}, "private key"},
		"unknown kty":           {map[string]any{"kty": "XYZ"}, "unsupported key type"},
		"no kty":                {map[string]any{"x": "abc"}, "unsupported key type"},
		"unknown curve":         {ec(map[string]any{"crv": "secp256k1"}), "unsupported curve"},
		"x missing":             {ec(map[string]any{"x": nil}), `lacks the member "x"`},
		"x not a string":        {ec(map[string]any{"x": 7.0}), `lacks the member "x"`},
		"x padded base64":       {ec(map[string]any{"x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs="}), "not base64url"},
		"x standard base64":     {ec(map[string]any{"x": "l8tFrhx+34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs"}), "not base64url"},
		"short coordinate":      {ec(map[string]any{"x": "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBA"}), "32 bytes"},
		"point off the curve":   {ec(map[string]any{"y": "8VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA"}), "not a point"},
		"RSA modulus too short": {rsa(map[string]any{"n": "AQAB" + strings.Repeat("A", 100)}), "shorter than 2048"},
		"RSA leading zero":      {rsa(map[string]any{"n": "AAAA" + rfc7638Key["n"].(string)}), "leading zero"},
		"RSA even exponent":     {rsa(map[string]any{"e": "AQAC"}), "odd number"},
		"RSA exponent of one":   {rsa(map[string]any{"e": "AQ"}), "odd number"},
		"RSA huge exponent":     {rsa(map[string]any{"e": "AQEBAQEB"}), "too large"},
		"Ed448":                 {map[string]any{"kty": "OKP", "crv": "Ed448", "x": "AAAA"}, "Ed25519"},
		"Ed25519 wrong length":  {map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "32 bytes"},
	} {
		_, err := dpop.ParseKey(tt.jwk)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, err, tt.want)
		}
	}
}
