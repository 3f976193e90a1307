package jwtview

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// TestDecodeJWT decodes without trusting: numbers kept, duplicates noted.
func TestDecodeJWT(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	token := b64([]byte(`{"alg":"ES256","alg":"none"}`)) + "." + b64([]byte(`{"exp":1.5e9,"sub":"a","sub":"b","n":12345678901234567890}`)) + "." + b64([]byte("0123456789"))
	d, err := Decode(token)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.HeaderDups, []string{"alg"}) || !slices.Equal(d.ClaimDups, []string{"sub"}) || d.SignatureLen != 10 {
		t.Fatalf("%+v", d)
	}
	if got := PrettyJSON(d.RawClaims); !strings.Contains(got, `"exp": 1.5e9`) || !strings.Contains(got, `"n": 12345678901234567890`) {
		t.Errorf("numbers changed: %s", got)
	}
	if exp, present, ok := NumericDate(d.Claims, "exp"); !present || !ok || exp.Unix() != 1500000000 {
		t.Errorf("exp %v %v %v", exp, present, ok)
	}
	for _, tt := range []struct{ token, want string }{
		{"", "1 dot-separated part"},
		{"a.b", "2 dot-separated parts"},
		{"a.b.c.d", "4 dot-separated parts"},
		{"a.b.c.d.e", "JWE"},
		{"..", "the header (part 1) is not a JSON object: it is empty"},
		{b64([]byte("{}")) + "." + b64([]byte("{}")) + ".a b", "the signature (part 3) is not unpadded base64url (RFC 7515 §2): ' ' at offset 1"},
		{b64([]byte("{}")) + "." + b64([]byte("{} {}")) + ".", "more data follows"},
		{b64([]byte("{}")) + "." + b64([]byte(`{"a":`)) + ".", "cut short"},
		{b64([]byte("{}")) + "." + b64([]byte("\xff")) + ".", "not UTF-8"},
		{b64([]byte("null")) + "." + b64([]byte("{}")) + ".", "not an object (it starts with null)"},
	} {
		if _, err := Decode(tt.token); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.token, err, tt.want)
		}
	}
}

// TestClaimReaders reads the registered claims the way the library does.
func TestClaimReaders(t *testing.T) {
	c := map[string]any{"azp": "web", "cid": "okta", "scp": []any{"a b", "c"}, "scopes": "ignored", "aud": ""}
	if id, from, bad := Client(c); id != "web" || from != "azp" || bad != "" {
		t.Errorf("client %q %q %q", id, from, bad)
	}
	if s, from, bad := Scopes(c); !slices.Equal(s, []string{"a", "b", "c"}) || from != "scp" || bad != "" {
		t.Errorf("scopes %q %q %q", s, from, bad)
	}
	if aud, ok := Audience(c); aud != nil || !ok {
		t.Errorf("aud %q %v", aud, ok)
	}
	c = map[string]any{"client_id": 7, "appid": "x", "scope": 3, "scp": "s", "aud": []any{"a", 1}}
	if id, _, bad := Client(c); id != "x" || bad != "client_id" {
		t.Errorf("client %q %q", id, bad)
	}
	if s, from, bad := Scopes(c); from != "scp" || bad != "scope" || !slices.Equal(s, []string{"s"}) {
		t.Errorf("scopes %q %q %q", s, from, bad)
	}
	if _, ok := Audience(c); ok {
		t.Error("an aud array with a number was read")
	}
}
