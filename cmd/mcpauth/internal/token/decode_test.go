package token

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestDecodeJWT decodes without trusting: numbers kept, duplicates noted.
func TestDecodeJWT(t *testing.T) {
	b64 := base64.RawURLEncoding.EncodeToString
	token := b64([]byte(`{"alg":"ES256","alg":"none"}`)) + "." + b64([]byte(`{"exp":1.5e9,"sub":"a","sub":"b","n":12345678901234567890}`)) + "." + b64([]byte("0123456789"))
	d, err := decodeJWT(token)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.HeaderDups, []string{"alg"}) || !slices.Equal(d.ClaimDups, []string{"sub"}) || d.SignatureLen != 10 {
		t.Fatalf("%+v", d)
	}
	if got := prettyJSON(d.RawClaims); !strings.Contains(got, `"exp": 1.5e9`) || !strings.Contains(got, `"n": 12345678901234567890`) {
		t.Errorf("numbers changed: %s", got)
	}
	if exp, present, ok := numericDate(d.Claims, "exp"); !present || !ok || exp.Unix() != 1500000000 {
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
		if _, err := decodeJWT(tt.token); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.token, err, tt.want)
		}
	}
}

// TestClaimReaders reads the registered claims the way the library does.
func TestClaimReaders(t *testing.T) {
	c := map[string]any{"azp": "web", "cid": "okta", "scp": []any{"a b", "c"}, "scopes": "ignored", "aud": ""}
	if id, from, bad := clientOf(c); id != "web" || from != "azp" || bad != "" {
		t.Errorf("client %q %q %q", id, from, bad)
	}
	if s, from, bad := scopesOf(c); !slices.Equal(s, []string{"a", "b", "c"}) || from != "scp" || bad != "" {
		t.Errorf("scopes %q %q %q", s, from, bad)
	}
	if aud, ok := audienceOf(c); aud != nil || !ok {
		t.Errorf("aud %q %v", aud, ok)
	}
	c = map[string]any{"client_id": 7, "appid": "x", "scope": 3, "scp": "s", "aud": []any{"a", 1}}
	if id, _, bad := clientOf(c); id != "x" || bad != "client_id" {
		t.Errorf("client %q %q", id, bad)
	}
	if s, from, bad := scopesOf(c); from != "scp" || bad != "scope" || !slices.Equal(s, []string{"s"}) {
		t.Errorf("scopes %q %q %q", s, from, bad)
	}
	if _, ok := audienceOf(c); ok {
		t.Error("an aud array with a number was read")
	}
}

// TestHuman writes durations for people.
func TestHuman(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                             "0s",
		42 * time.Second:              "42s",
		4*time.Minute + 5*time.Second: "4m5s",
		time.Hour:                     "1h",
		3*time.Hour + 12*time.Minute:  "3h12m",
		3*time.Hour + 11*time.Minute + 59600*time.Millisecond: "3h12m",
		50 * time.Hour:    "2d2h",
		-90 * time.Second: "1m30s",
	} {
		if got := human(d); got != want {
			t.Errorf("human(%s) = %q, want %q", d, got, want)
		}
	}
	now := time.Unix(1000, 0)
	if got := relative(now.Add(-time.Hour), now); got != "1h ago" {
		t.Error(got)
	}
	if got := relative(now.Add(90*time.Second), now); got != "in 1m30s" {
		t.Error(got)
	}
}
