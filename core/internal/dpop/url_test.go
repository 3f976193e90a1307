package dpop_test

import (
	"testing"

	"github.com/mcp-auth/go/core/internal/dpop"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://mcp.example.com/mcp", "https://mcp.example.com/mcp"},
		{"HTTPS://MCP.EXAMPLE.COM/mcp", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com:443/mcp", "https://mcp.example.com/mcp"},
		{"http://mcp.example.com:80/mcp", "http://mcp.example.com/mcp"},
		{"http://mcp.example.com:443/mcp", "http://mcp.example.com:443/mcp"},
		{"https://mcp.example.com:/mcp", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com:8443/mcp", "https://mcp.example.com:8443/mcp"},
		{"https://[::1]:443/mcp", "https://[::1]/mcp"},
		{"http://[::1]:8080/mcp", "http://[::1]:8080/mcp"},
		{"https://mcp.example.com", "https://mcp.example.com/"},
		{"https://mcp.example.com/mcp?x=1", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com/mcp#frag", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com/mcp?x=/../#y", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com/MCP", "https://mcp.example.com/MCP"}, // paths are case-sensitive
		{"https://mcp.example.com/%7euser", "https://mcp.example.com/~user"},
		{"https://mcp.example.com/a%2fb", "https://mcp.example.com/a%2Fb"},
		{"https://mcp.example.com/caf%c3%a9", "https://mcp.example.com/caf%C3%A9"},
		{"https://mcp.example.com/a/./b/../c", "https://mcp.example.com/a/c"},
		{"https://mcp.example.com/a/%2E%2E/c", "https://mcp.example.com/c"},
		{"https://mcp.example.com/../../mcp", "https://mcp.example.com/mcp"},
		{"https://mcp.example.com/a/..", "https://mcp.example.com/"},
		{"https://mcp.example.com/a/.", "https://mcp.example.com/a/"},
		{"https://mcp.example.com/a/...", "https://mcp.example.com/a/..."},
	}
	for _, tt := range tests {
		got, err := dpop.NormalizeURL(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "/mcp", "mcp.example.com/mcp", "ftp://mcp.example.com/mcp", "https://user:pw@mcp.example.com/mcp",
		"https:///mcp", "https:mcp", "https://mcp.example.com%2Fmcp", "https://[::1/mcp"} {
		if got, err := dpop.NormalizeURL(bad); err == nil {
			t.Errorf("NormalizeURL(%q) = %q, want an error", bad, got)
		}
	}
}
