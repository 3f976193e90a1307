package jsonscan

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// claimSetSeeds are claim sets the differential tests start from: shapes of
// real providers, every JSON value kind, escapes, edge numbers, duplicates
// and malformed objects.
var claimSetSeeds = []string{
	`{"iss":"https://as.example","sub":"u1","aud":"https://mcp.example.com/mcp","exp":1767225600,"iat":1767222000,"scope":"read write","client_id":"c","jti":"0123456789abcdef"}`,
	`{"iss":"https://login.example/v2.0","aud":["a","b"],"scp":["x","y"],"nbf":1.5,"exp":1e10,"roles":{"admin":true,"n":null},"groups":[]}`,
	`{}`, ` { "a" : 1 , "b" : [ 1 , { "c" : "d" } ] } `,
	`{"s":"tab\there","e":"\u00e9","u":"héllo","q":"a\"b","b":"a\\b","sur":"\ud800"}`,
	`{"n":-0,"m":0.5e-3,"big":1e400,"neg":-12.25E+2,"i":12345678901234567890}`,
	`{"t":true,"f":false,"z":null}`,
	`{"a":1,"a":2}`, `{"a":1,"\u0061":2}`, `{"":1,"":null}`, `{"a":{"x":1,"x":2}}`, `{"A":1,"a":2}`,
	`[1,2]`, `"str"`, `null`, `12`, `{"a":}`, `{"a":1,}`, `{"a" 1}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
	`{"a":tru}`, `{"a":nulls}`, `{"a":"x"} x`, `{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`,
}

// checkDecodeClaimSet compares DecodeObject with encoding/json (whose
// validation runs first, as it does before UnmarshalJSON) and with
// DuplicateMember.
func checkDecodeClaimSet(t *testing.T, data string) {
	t.Helper()
	if !json.Valid([]byte(data)) || !utf8.ValidString(data) {
		return // UnmarshalJSON only ever sees validated UTF-8
	}
	got, err := DecodeObject([]byte(data))
	wantDup, found, scanErr := DuplicateMember([]byte(data))
	var want map[string]any
	wantErr := json.Unmarshal([]byte(data), &want)
	var dup *DuplicateMemberError
	switch {
	case scanErr != nil:
		if !errors.Is(err, scanErr) || got != nil {
			t.Fatalf("%s: got %v, %v; want the scan error %v", data, got, err, scanErr)
		}
	case found:
		if !errors.As(err, &dup) || dup.Name != wantDup || got != nil {
			t.Fatalf("%s: got %v, %v; want duplicate %q", data, got, err, wantDup)
		}
	case wantErr != nil:
		if err == nil || errors.As(err, &dup) || got != nil {
			t.Fatalf("%s: got %v, %v; want an error like %v", data, got, err, wantErr)
		}
	default:
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %#v (%v)\nwant %#v", data, got, err, want)
		}
	}
}

func TestDecodeObject(t *testing.T) {
	for _, data := range claimSetSeeds {
		checkDecodeClaimSet(t, data)
	}
}

// FuzzDecodeObject: for any valid JSON, DecodeObject agrees with
// encoding/json and DuplicateMember.
func FuzzDecodeObject(f *testing.F) {
	for _, data := range claimSetSeeds {
		f.Add(data)
	}
	f.Fuzz(checkDecodeClaimSet)
}

func TestIsNumber(t *testing.T) {
	for _, s := range []string{"0", "-0", "1", "-12", "1.5", "0.0", "1e5", "1E+5", "1e-05", "-0.5e3", "123456789012345678901234567890"} {
		if !IsNumber([]byte(s)) || !json.Valid([]byte(s)) {
			t.Errorf("%q: not a number", s)
		}
	}
	for _, s := range []string{"", "-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10", "1_0", "NaN", "Infinity", "1.5.5", "1e5e5", "- 1"} {
		if IsNumber([]byte(s)) || json.Valid([]byte(s)) {
			t.Errorf("%q: taken for a number", s)
		}
	}
}
