package mcpauth

import "testing"

// TestB64TokenTable compares the table-driven grammar check with the
// grammar itself (RFC 6750 §2.1) for every byte, alone, before padding and
// as padding.
func TestB64TokenTable(t *testing.T) {
	inGrammar := func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
	}
	for i := range 256 {
		c := byte(i)
		tests := []struct {
			s    string
			want bool
		}{
			{string([]byte{c}), inGrammar(c)},
			{string([]byte{'a', c, '='}), inGrammar(c) || c == '='},
			{string([]byte{'a', '=', c}), c == '='},
		}
		for _, tt := range tests {
			if got := isB64Token(tt.s); got != tt.want {
				t.Errorf("isB64Token(%q) = %v, want %v", tt.s, got, tt.want)
			}
		}
	}
	if isB64Token("") || isB64Token("==") {
		t.Error("a token needs one character before its padding")
	}
}
