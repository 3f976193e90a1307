package mcpauth_test

import (
	"strings"
	"testing"
)

// TestCheck: Check resolves every issuer and fetches key sets now, and
// reports each problem with its issuer; a server merely down is reported,
// and works once it is up.
func TestCheck(t *testing.T) {
	r := newRig(t, rigOptions{lazy: true})
	if err := r.auth.Check(waitCtx(t)); err != nil {
		t.Fatal(err)
	}
	if r.as.Requests(r.as.Path("/jwks")) != 1 {
		t.Fatal("Check did not fetch the key set")
	}
	down := newRig(t, rigOptions{lazy: true})
	down.as.Stop()
	err := down.auth.Check(waitCtx(t))
	if err == nil || !strings.Contains(err.Error(), down.as.Issuer) || !strings.Contains(err.Error(), "cannot be discovered") {
		t.Fatalf("Check with the server down: %v", err)
	}
	empty := newRig(t, rigOptions{lazy: true})
	empty.as.RetireKey(empty.as.SigningKey().ID)
	if err := empty.auth.Check(waitCtx(t)); err == nil || !strings.Contains(err.Error(), "no usable signing key") {
		t.Fatalf("Check with an empty key set: %v", err)
	}
}
