package mcpauth

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
		invalid bool
	}{
		{"empty", `{}`, "", false},
		{"unique", `{"iss":"a","sub":"b","aud":["x","x"]}`, "", false},
		{"duplicate", `{"sub":"a","iss":"b","sub":"admin"}`, "sub", false},
		{"same name escaped", `{"sub":"a","s\u0075b":"admin"}`, "sub", false},
		{"case differs", `{"sub":"a","Sub":"b"}`, "", false},
		{"nested names do not count", `{"a":{"b":1},"b":{"a":2}}`, "", false},
		{"32 unique", object(32), "", false},
		{"33 unique", object(33), "", false},
		{"100 unique", object(100), "", false},
		{"duplicate of the 1st after 40", object(40, `"m0":1`), "m0", false},
		{"duplicate of the 32nd as the 33rd", object(32, `"m31":1`), "m31", false},
		{"duplicate among the first 32", object(10, `"m3":1`), "m3", false},
		{"first duplicate wins", object(5, `"m4":1`, `"m1":1`), "m4", false},
		{"not an object", `["a","a"]`, "", true},
		{"truncated", `{"a":1,"a"`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dup, err := duplicateMember([]byte(tt.data))
			if (err != nil) != tt.invalid {
				t.Fatalf("err = %v", err)
			}
			if dup != tt.dup {
				t.Fatalf("duplicate %q, want %q", dup, tt.dup)
			}
		})
	}
}
