module github.com/mcp-auth/go

go 1.25
