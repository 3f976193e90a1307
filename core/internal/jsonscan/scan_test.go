package jsonscan

import (
	"fmt"
	"strings"
	"testing"
)

// object returns a JSON object with members m0…m(n-1), then extra ones.
func object(n int, extra ...string) string {
	var members []string
	for i := range n {
		members = append(members, fmt.Sprintf(`"m%d":%d`, i, i))
	}
	return "{" + strings.Join(append(members, extra...), ",") + "}"
}

func TestDuplicateMember(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		dup     string
		found   bool
		invalid bool
	}{
		{"empty", `{}`, "", false, false},
		{"unique", `{"iss":"a","sub":"b","aud":["x","x"]}`, "", false, false},
		{"duplicate", `{"sub":"a","iss":"b","sub":"admin"}`, "sub", true, false},
		{"same name escaped", `{"sub":"a","s\u0075b":"admin"}`, "sub", true, false},
		{"empty name twice", `{"":1,"":2}`, "", true, false},
		{"empty name twice, then another", `{"":1,"":2,"a":1,"a":2}`, "", true, false},
		{"empty name twice after 40", object(40, `"":1`, `"":2`), "", true, false},
		{"case differs", `{"sub":"a","Sub":"b"}`, "", false, false},
		{"nested names do not count", `{"a":{"b":1},"b":{"a":2}}`, "", false, false},
		{"32 unique", object(32), "", false, false},
		{"33 unique", object(33), "", false, false},
		{"100 unique", object(100), "", false, false},
		{"duplicate of the 1st after 40", object(40, `"m0":1`), "m0", true, false},
		{"duplicate of the 32nd as the 33rd", object(32, `"m31":1`), "m31", true, false},
		{"duplicate among the first 32", object(10, `"m3":1`), "m3", true, false},
		{"first duplicate wins", object(5, `"m4":1`, `"m1":1`), "m4", true, false},
		{"not an object", `["a","a"]`, "", false, true},
		{"truncated", `{"a":1,"a"`, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dup, found, err := DuplicateMember([]byte(tt.data))
			if (err != nil) != tt.invalid {
				t.Fatalf("err = %v", err)
			}
			if dup != tt.dup || found != tt.found {
				t.Fatalf("duplicate %q (%v), want %q (%v)", dup, found, tt.dup, tt.found)
			}
		})
	}
}
