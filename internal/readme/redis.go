package readme

import (
	"time"

	"github.com/redis/go-redis/v9"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/redisstore"
)

func newReplayStore(addr string) mcpauth.ReplayStore {
	client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	return redisstore.New(client, &redisstore.Options{Timeout: time.Second}) // then DPoPOptions{ReplayStore: store} on every replica
}
