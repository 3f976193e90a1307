module github.com/mcp-auth/go/core

go 1.25
