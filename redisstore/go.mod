module github.com/mcp-auth/go/redisstore

go 1.25.0

require (
	github.com/mcp-auth/go/core v0.1.0
	github.com/redis/go-redis/v9 v9.22.0
)

require (
	github.com/MicahParks/jwkset v0.11.4 // indirect
	github.com/MicahParks/keyfunc/v3 v3.9.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	go.uber.org/atomic v1.11.0 // indirect
	golang.org/x/sys v0.30.0 // indirect
	golang.org/x/time v0.15.0 // indirect
)

replace github.com/mcp-auth/go/core => ../core
