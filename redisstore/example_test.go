package redisstore_test

import (
	"log"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/redisstore"
)

// Every replica of an MCP server behind a load balancer runs this wiring,
// with the same Redis: a DPoP proof accepted by one replica is refused by
// all (RFC 9449 §11.1). It needs a Redis server, so it is compiled but not
// run by go test.
func Example() {
	client := redis.NewClient(&redis.Options{
		Addr: "localhost:6379",
		// The store's Timeout then abandons the command itself, not only
		// the wait for it.
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store := redisstore.New(client, nil)

	auth, err := mcpauth.New(mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
		Metadata:    mcpauth.ProtectedResourceMetadata{Resource: "https://mcp.example.com/mcp"},
		AuthServers: []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer("https://auth.example.com", mcpauth.ServerTypeAuto, nil)},
		DPoP: &mcpauth.DPoPOptions{
			Required:    true,
			ReplayStore: store,
			// With Redis down, DPoP requests are answered 503
			// temporarily_unavailable (the default); true would accept
			// proofs on their time window alone.
			AcceptOnReplayStoreError: false,
		},
	}}})
	if err != nil {
		log.Fatal(err)
	}
	defer auth.Close()

	mcp := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, _ := mcpauth.FromContext(r.Context())
		w.Write([]byte("hello " + info.Subject))
	})
	mux := http.NewServeMux()
	mux.Handle("/.well-known/", auth.MetadataHandler())
	mux.Handle("/mcp", auth.Middleware(nil)(mcp))
	log.Fatal(http.ListenAndServe("127.0.0.1:3001", mux))
}

// A Redis Cluster (or, with MasterName set, a Sentinel-managed failover
// group) through redis.NewUniversalClient, with a prefix of the
// application's own and a tighter bound on each Add.
func ExampleNew() {
	client := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"redis-1:6379", "redis-2:6379", "redis-3:6379"},
		ContextTimeoutEnabled: true,
	})
	defer client.Close()
	store := redisstore.New(client, &redisstore.Options{
		Prefix:  "todo-mcp:dpop:",
		Timeout: 300 * time.Millisecond,
	})
	_ = &mcpauth.DPoPOptions{ReplayStore: store}
}
