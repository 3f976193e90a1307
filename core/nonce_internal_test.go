package mcpauth

import (
	"bytes"
	"testing"
	"time"
)

// TestNonces: a nonce is valid for its lifetime, stale past half of it,
// bound to its resource, and not valid from too far in the future.
func TestNonces(t *testing.T) {
	secret := bytes.Repeat([]byte("k"), 32)
	n, err := (&DPoPNonceOptions{Secrets: [][]byte{secret}}).compile("https://a.example.com/mcp")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := (&DPoPNonceOptions{Secrets: [][]byte{secret}}).compile("https://b.example.com/mcp")
	now := time.Unix(1_800_000_000, 0)
	nonce := n.make(now)
	for _, tt := range []struct {
		name         string
		at           time.Time
		valid, stale bool
	}{
		{"at once", now, true, false},
		{"before half its life", now.Add(DefaultDPoPNonceLifetime/2 - time.Second), true, false},
		{"past half its life", now.Add(DefaultDPoPNonceLifetime / 2), true, true},
		{"at the end of its life", now.Add(DefaultDPoPNonceLifetime), false, true},
		{"from a clock a little behind", now.Add(-30 * time.Second), true, false},
		{"from a clock far behind", now.Add(-2 * time.Minute), false, false},
	} {
		valid, stale := n.check(nonce, tt.at)
		if valid != tt.valid || (valid && stale != tt.stale) {
			t.Errorf("%s: valid %v stale %v", tt.name, valid, stale)
		}
	}
	if valid, _ := other.check(nonce, now); valid {
		t.Error("another resource's nonce accepted")
	}
	if valid, _ := n.check(nonce[:31], now); valid {
		t.Error("a truncated nonce accepted")
	}
}
