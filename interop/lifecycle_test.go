//go:build unix

package interop

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const initialize = `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"interop","version":"1"}}}`

// TestAuthServerDownAtStart starts an example while its authorization
// server is down: it serves its metadata and challenges, answers a token it
// cannot check yet with 503 and Retry-After, and works once oidc-provider
// is up, without a restart. A failed discovery is retried after a backoff
// window that starts at -jwks-min-refresh (100 ms here; oidc-provider takes
// longer than that to start).
func TestAuthServerDownAtStart(t *testing.T) {
	port := freePort(t)
	issuer := fmt.Sprintf("http://127.0.0.1:%d", port)
	ex := startExample(t, "nethttp", "-issuer", issuer, "-jwks-min-refresh", "100ms")

	r := do(t, "POST", ex.MCP, "", initialize)
	if r.Status != 401 || challengeParams(t, r.Header.Get("WWW-Authenticate"))["resource_metadata"] != ex.PRM() {
		t.Fatalf("no token, server down: %v", r)
	}
	if r := do(t, "GET", ex.PRM(), "", ""); r.Status != 200 || !strings.Contains(string(r.Body), `"authorization_servers":["`+issuer+`"]`) {
		t.Fatalf("metadata, server down: %v", r)
	}
	// A token from the trusted issuer cannot be checked while its metadata
	// and keys are out of reach: 503, not a 401 that would make clients
	// throw their token away.
	pending := unsignedJWT(map[string]any{"iss": issuer, "sub": clientID, "aud": ex.Resource, "exp": time.Now().Add(time.Hour).Unix()})
	for _, r := range []response{do(t, "GET", ex.Base+"/whoami", pending, ""), do(t, "POST", ex.MCP, pending, initialize)} {
		retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
		if r.Status != 503 || err != nil || retry < 1 || r.Header.Get("WWW-Authenticate") != "" || r.JSON()["error_code"] != "temporarily_unavailable" {
			t.Fatalf("token while the server is down: %v", r)
		}
	}

	as := startAuthServer(t, asOptions{Port: port})
	if as.Issuer != issuer {
		t.Fatalf("oidc-provider is %s, not %s", as.Issuer, issuer)
	}
	rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: "read:todos",
		Calls: []clientCall{{Name: "whoami"}}})
	if rep.ConnectError != "" || len(rep.Calls) != 1 || rep.Calls[0].Structured["issuer"] != issuer || rep.Calls[0].Structured["clientId"] != clientID {
		t.Fatalf("once the server is up: %+v", rep)
	}
	if r := ex.WhoAmI(t, as.Token(t, ex.Resource, "read:todos").AccessToken); r.Status != 200 {
		t.Fatalf("REST whoami once the server is up: %v", r)
	}
	if r := ex.WhoAmI(t, pending); r.Status != 401 || challengeParams(t, r.Header.Get("WWW-Authenticate"))["error"] != "invalid_token" {
		t.Fatalf("the unsigned token once keys are known: %v", r)
	}
	if ex.proc.Exited() {
		t.Fatal("the example exited")
	}
}

// TestKeyRotation restarts oidc-provider with a new signing key (RS256, then
// ES256): an example with a short -jwks-min-refresh accepts a token signed
// by the new key on its first use, while one that may not refetch its key
// set yet refuses it.
func TestKeyRotation(t *testing.T) {
	keys := filepath.Join(t.TempDir(), "keys.json")
	as := startAuthServer(t, asOptions{KeysFile: keys})
	port := as.Port(t)
	const minRefresh = 100 * time.Millisecond
	ex := startExample(t, "chi", "-issuer", as.Issuer, "-jwks-min-refresh", minRefresh.String())
	// The control: it may fetch keys only once an hour.
	slow := startExample(t, "echo", "-issuer", as.Issuer, "-jwks-min-refresh", "1h")

	first := as.Token(t, ex.Resource, "read:todos").AccessToken
	if h, _ := jwtParts(t, first); h["kid"] != as.SigningKid || h["alg"] != "RS256" || h["typ"] != "at+jwt" {
		t.Fatalf("first token header %v", h)
	}
	if r := ex.WhoAmI(t, first); r.Status != 200 {
		t.Fatalf("first token: %v", r)
	}
	if r := slow.WhoAmI(t, as.Token(t, slow.Resource, "read:todos").AccessToken); r.Status != 200 {
		t.Fatalf("first token, control: %v", r)
	}
	fetched := time.Now() // both examples fetched the key set before this

	for _, alg := range []string{"RS256", "ES256"} {
		old := as.SigningKid
		as.Stop(t)
		as = startAuthServer(t, asOptions{Port: port, KeysFile: keys, Rotate: true, Alg: alg})
		if as.SigningKid == old || !slices.Contains(as.Kids, old) {
			t.Fatalf("rotation to %s: signing key %s, keys %v (before: %s)", alg, as.SigningKid, as.Kids, old)
		}
		tok := as.Token(t, ex.Resource, "read:todos").AccessToken
		if h, _ := jwtParts(t, tok); h["kid"] != as.SigningKid || h["alg"] != alg {
			t.Fatalf("%s token header %v", alg, h)
		}
		waitOut(fetched, minRefresh)
		if r := ex.WhoAmI(t, tok); r.Status != 200 {
			t.Fatalf("first use of a token signed by the new %s key: %v", alg, r)
		}
		fetched = time.Now()
		if r := ex.WhoAmI(t, first); r.Status != 200 {
			t.Fatalf("token of the previous key, still published: %v", r)
		}
		r := slow.WhoAmI(t, as.Token(t, slow.Resource, "read:todos").AccessToken)
		if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 401 || p["error"] != "invalid_token" || !strings.Contains(p["error_description"], "unknown key") {
			t.Fatalf("control, new %s key within its refresh interval: %v", alg, r)
		}
	}
}

// waitOut lets the key-set refetch rate limit (a fixed window the example
// was configured with) pass since the last fetch. The oidc-provider restart
// in between takes longer than the window, so this rarely waits at all.
func waitOut(since time.Time, window time.Duration) {
	if d := window - time.Since(since); d > 0 {
		<-time.After(d)
	}
}

// TestOpaqueTokens runs an example in introspection mode for a resource
// oidc-provider issues opaque tokens for: tokens are accepted through RFC
// 7662 introspection, audience-checked, and refused after revocation once
// the cached introspection answer has expired.
func TestOpaqueTokens(t *testing.T) {
	port := freePort(t)
	resource := fmt.Sprintf("http://127.0.0.1:%d/mcp", port)
	as := startAuthServer(t, asOptions{Opaque: []string{resource}})
	const cacheTTL = time.Second
	cmd := exec.Command(exampleBinary(t, "gin"), "-addr", fmt.Sprintf("127.0.0.1:%d", port), "-issuer", as.Issuer,
		"-introspect-client-id", rsClientID, "-introspect-cache-ttl", cacheTTL.String())
	cmd.Env = append(os.Environ(), "MCPAUTH_INTROSPECT_CLIENT_SECRET="+rsSecret)
	ex := startExampleCmd(t, "gin", cmd)
	if ex.Resource != resource {
		t.Fatalf("resource %s", ex.Resource)
	}

	t.Run("TypeScript client", func(t *testing.T) {
		rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: as.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: "create:todos",
			Calls: []clientCall{{Name: "whoami"}, {Name: "create-todo", Arguments: map[string]any{"content": "opaque"}}}})
		if rep.ConnectError != "" || len(rep.Calls) != 2 {
			t.Fatalf("%+v", rep)
		}
		who, todo := rep.Calls[0], rep.Calls[1]
		if who.Error != "" || who.Structured["issuer"] != as.Issuer || who.Structured["clientId"] != clientID || !sameJSON(who.Structured["scopes"], []string{"create:todos"}) {
			t.Fatalf("whoami %+v", who)
		}
		if todo.Error != "" || todo.IsError || todo.Structured["content"] != "opaque" || todo.Structured["ownerId"] != clientID {
			t.Fatalf("create-todo %+v", todo)
		}
	})

	tok := as.Token(t, resource, "read:todos").AccessToken
	if strings.Count(tok, ".") == 2 {
		t.Fatalf("a JWT for the opaque resource: %s", tok)
	}
	if intro := as.Introspect(t, tok); intro["active"] != true || intro["aud"] != resource || intro["client_id"] != clientID {
		t.Fatalf("introspection answer %v", intro)
	}
	t.Run("audience", func(t *testing.T) {
		// An opaque token issued for no resource is active, but not for this one.
		r := ex.WhoAmI(t, as.Token(t, "", "read:todos").AccessToken)
		if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 401 || p["error"] != "invalid_token" || r.JSON()["error_code"] != "invalid_audience" {
			t.Fatalf("token without audience: %v", r)
		}
		// A JWT (for another resource), which oidc-provider refuses to
		// introspect (400 unsupported_token_type): the token's fault, not
		// the server's.
		r = ex.WhoAmI(t, as.Token(t, "http://127.0.0.1:1/other", "read:todos").AccessToken)
		if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 401 || p["error"] != "invalid_token" || r.JSON()["error_code"] != "invalid_token" {
			t.Fatalf("JWT for another resource: %v", r)
		}
	})

	t.Run("revocation", func(t *testing.T) {
		start := time.Now()
		r := ex.WhoAmI(t, tok)
		cached := time.Now() // the answer is cached from between start and now
		if r.Status != 200 || r.JSON()["clientId"] != clientID || !sameJSON(r.JSON()["scopes"], []string{"read:todos"}) {
			t.Fatalf("opaque token: %v", r)
		}
		as.Revoke(t, tok)
		if intro := as.Introspect(t, tok); intro["active"] != false {
			t.Fatalf("revoked, yet %v", intro)
		}
		var before, after int // answers before and after the cache entry expired
		var refused response
		ok := poll(cacheTTL+10*time.Second, 50*time.Millisecond, func() bool {
			sent := time.Now()
			r := ex.WhoAmI(t, tok)
			switch {
			case r.Status == 200 && sent.Before(start.Add(cacheTTL)):
				before++
			case r.Status == 200:
				after++ // the entry may have expired, or not yet
				if sent.After(cached.Add(cacheTTL)) {
					t.Fatalf("a revoked token accepted %s after its answer was cached, beyond the %s cache lifetime", sent.Sub(cached), cacheTTL)
				}
			default:
				if sent.Before(start.Add(cacheTTL)) {
					t.Fatalf("refused %s after caching, within the %s cache lifetime: %v", sent.Sub(start), cacheTTL, r)
				}
				refused = r
				return true
			}
			return false
		})
		if !ok {
			t.Fatal("the revoked token is still accepted")
		}
		if before == 0 {
			t.Fatal("no request reached the example while its answer was cached")
		}
		if p := challengeParams(t, refused.Header.Get("WWW-Authenticate")); refused.Status != 401 || p["error"] != "invalid_token" || refused.JSON()["error_code"] != "invalid_token" {
			t.Fatalf("revoked token: %v", refused)
		}
		t.Logf("revoked token: %d answers from the cache, then refused", before+after)
	})
}
