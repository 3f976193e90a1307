package redisstore_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/redisstore"
)

// resource is the resource identifier every replica of the tests serves.
const resource = "https://mcp.example.com/mcp"

// replica is one instance of a resource server: its own *mcpauth.Auth and
// its own Store, on a Redis shared with the other replicas.
type replica struct {
	handler http.Handler
	logs    *syncBuffer
}

// newReplica starts a replica of resource trusting as, with DPoP on and
// its replay store on client.
func newReplica(t *testing.T, as *authtest.Server, client redis.UniversalClient, dpop mcpauth.DPoPOptions) *replica {
	t.Helper()
	dpop.ReplayStore = redisstore.New(client, nil)
	logs := &syncBuffer{}
	auth, err := mcpauth.New(mcpauth.Config{
		Logger: slog.New(slog.NewTextHandler(logs, nil)),
		ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:    mcpauth.ProtectedResourceMetadata{Resource: resource},
			AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
			DPoP:        &dpop,
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { auth.Close() })
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	return &replica{handler: auth.Middleware(nil)(ok), logs: logs}
}

// send posts to the replica with the DPoP scheme, token and proof.
func (r *replica) send(token, proof string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, resource, nil)
	req.Header.Set("Authorization", "DPoP "+token)
	req.Header.Set("DPoP", proof)
	rec := httptest.NewRecorder()
	r.handler.ServeHTTP(rec, req)
	return rec
}

// client is a DPoP client: its key and a token bound to it.
type client struct {
	key   *authtest.Key
	token string
}

func newClient(t *testing.T, as *authtest.Server) *client {
	key, err := authtest.NewKey("", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	return &client{key: key, token: as.Mint(authtest.Claims{"cnf": key.Confirmation()})}
}

// proof is a fresh proof for a POST to the resource.
func (c *client) proof() string { return c.key.Proof(http.MethodPost, resource, c.token) }

// TestReplicas: two replicas sharing a Redis refuse a proof either of them
// accepted, at either of them, and accept fresh proofs at both.
func TestReplicas(t *testing.T) {
	srv := startRedis(t)
	as := authtest.NewServer(&authtest.Options{Audience: resource})
	t.Cleanup(as.Close)
	a := newReplica(t, as, srv.Client(t), mcpauth.DPoPOptions{})
	b := newReplica(t, as, srv.Client(t), mcpauth.DPoPOptions{})
	c := newClient(t, as)
	first, second := c.proof(), c.proof()
	steps := []struct {
		name   string
		at     *replica
		proof  string
		status int
	}{
		{"a proof at A", a, first, http.StatusOK},
		{"the same proof at B", b, first, http.StatusUnauthorized},
		{"the same proof at A again", a, first, http.StatusUnauthorized},
		{"a fresh proof at B", b, second, http.StatusOK},
		{"that proof at A", a, second, http.StatusUnauthorized},
		{"that proof at B again", b, second, http.StatusUnauthorized},
		{"another fresh proof at A", a, c.proof(), http.StatusOK},
	}
	for _, st := range steps {
		rec := st.at.send(c.token, st.proof)
		if rec.Code != st.status {
			t.Fatalf("%s: status %d, want %d; %s %s", st.name, rec.Code, st.status, rec.Header().Get("WWW-Authenticate"), rec.Body)
		}
		challenge := rec.Header().Get("WWW-Authenticate")
		if st.status == http.StatusUnauthorized && (!strings.Contains(challenge, `error="invalid_dpop_proof"`) || !strings.Contains(challenge, "already used")) {
			t.Fatalf("%s: WWW-Authenticate %q, want invalid_dpop_proof for a proof already used", st.name, challenge)
		}
	}
}

// TestRedisGoneDPoP: with Redis stopped, a DPoP request is answered 503
// temporarily_unavailable with Retry-After by default (fail closed), and
// accepted with AcceptOnReplayStoreError (fail open); both are logged.
func TestRedisGoneDPoP(t *testing.T) {
	srv := startRedis(t)
	as := authtest.NewServer(&authtest.Options{Audience: resource})
	t.Cleanup(as.Close)
	closed := newReplica(t, as, srv.Client(t), mcpauth.DPoPOptions{})
	open := newReplica(t, as, srv.Client(t), mcpauth.DPoPOptions{AcceptOnReplayStoreError: true})
	c := newClient(t, as)
	for _, r := range []*replica{closed, open} { // both work while Redis does
		if rec := r.send(c.token, c.proof()); rec.Code != http.StatusOK {
			t.Fatalf("with Redis up: status %d: %s", rec.Code, rec.Body)
		}
	}
	srv.Stop()

	rec := closed.send(c.token, c.proof())
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "temporarily_unavailable") {
		t.Fatalf("fail closed: status %d, Retry-After %q, body %s; want 503 temporarily_unavailable with Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if logs := closed.logs.String(); !strings.Contains(logs, "temporarily_unavailable") || !strings.Contains(logs, "redisstore:") {
		t.Fatalf("fail closed: the failure was not logged with its cause:\n%s", logs)
	}

	rec = open.send(c.token, c.proof())
	if rec.Code != http.StatusOK {
		t.Fatalf("fail open (AcceptOnReplayStoreError): status %d: %s", rec.Code, rec.Body)
	}
	if logs := open.logs.String(); !strings.Contains(logs, "AcceptOnReplayStoreError") || !strings.Contains(logs, "redisstore:") {
		t.Fatalf("fail open: the failure was not logged with its cause:\n%s", logs)
	}
}
