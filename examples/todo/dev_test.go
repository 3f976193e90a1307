package todo

import (
	"net"
	"strings"
	"testing"
)

func TestCheckLoopback(t *testing.T) {
	addr := func(s string) net.Addr {
		a, err := net.ResolveTCPAddr("tcp", s)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	for _, tt := range []struct {
		listen, resource string
		ok               bool
	}{
		{"127.0.0.1:3001", "http://127.0.0.1:3001/mcp", true},
		{"127.0.0.1:3001", "http://localhost:3001/mcp", true},
		{"[::1]:3001", "http://[::1]:3001/mcp", true},
		{"0.0.0.0:3001", "http://127.0.0.1:3001/mcp", false},
		{"[::]:3001", "http://127.0.0.1:3001/mcp", false},
		{"127.0.0.1:3001", "https://mcp.example.com/mcp", false},
		{"127.0.0.1:3001", "http://192.0.2.1:3001/mcp", false},
	} {
		err := CheckLoopback(addr(tt.listen), tt.resource)
		if (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), "-issuer")) {
			t.Errorf("%s %s: %v", tt.listen, tt.resource, err)
		}
	}
}

func TestPrintBanner(t *testing.T) {
	cfg := Config{Issuer: "http://127.0.0.1:4000", Resource: "http://127.0.0.1:3001/mcp"}
	var b strings.Builder
	PrintBanner(&b, "gin", "http://127.0.0.1:3001", cfg, true)
	for _, want := range []string{"DEVELOPMENT MODE", "http://127.0.0.1:3001/mcp", "--data-urlencode resource=http://127.0.0.1:3001/mcp",
		"http://127.0.0.1:4000/token", "-u demo-client:demo-secret", `"name":"whoami"`, "/.well-known/oauth-protected-resource/mcp", "Ctrl-C"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	cfg.Issuer = "https://auth.example.com"
	PrintBanner(&b, "gin", "http://127.0.0.1:3001", cfg, false)
	if strings.Contains(b.String(), "DEVELOPMENT") || strings.Contains(b.String(), "demo-secret") || !strings.Contains(b.String(), "https://auth.example.com") {
		t.Fatalf("with an issuer:\n%s", b.String())
	}
}
