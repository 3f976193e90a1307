package check

import (
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
)

// checkGoSource requires src to be a Go file that parses and that gofmt
// leaves unchanged.
func checkGoSource(t *testing.T, src string) {
	t.Helper()
	if src == "" {
		t.Fatal("no Go configuration")
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "config.go", src, parser.ParseComments); err != nil {
		t.Fatalf("the Go configuration does not parse: %v\n%s", err, src)
	}
	formatted, err := format.Source([]byte(src))
	if err != nil || string(formatted) != src {
		t.Fatalf("the Go configuration is not gofmt-formatted (%v):\n%s", err, src)
	}
}

// plans are the variants of the Go configuration.
var plans = map[string]goPlan{
	"plain":         {issuer: "https://auth.example.com", typ: mcpauth.ServerTypeOIDC},
	"introspection": {issuer: "https://auth.example.com/t/x", typ: mcpauth.ServerTypeAuto, verifier: introspectionVerifier, insecure: true, resource: "http://127.0.0.1:8080/api/mcp"},
	"func":          {issuer: "https://github.com/login/oauth", typ: mcpauth.ServerTypeOAuth, verifier: funcVerifier},
	"everything": {issuer: "http://idp.internal/realms/x", typ: mcpauth.ServerTypeOAuth, transpile: true, insecure: true, verifier: introspectionVerifier,
		noAudience: []string{"client-1"}, audiences: []string{"api://x", "00000000-0000-0000-0000-000000000000"}, dpop: true, resource: "https://mcp.example.com"},
	"hostile": {issuer: "https://x.example/\"+os.Exit(1)+\"\n*/ // \u2028", typ: mcpauth.ServerTypeOIDC, noAudience: []string{"\"}; panic(1) //"},
		audiences: []string{"`\x00"}, resource: "https://mcp.example.com/a%20b/\"x"},
}

// TestGoPlanCode checks that every variant parses, is formatted, and keeps
// hostile values inside string literals.
func TestGoPlanCode(t *testing.T) {
	for name, p := range plans {
		t.Run(name, func(t *testing.T) {
			src := p.code()
			checkGoSource(t, src)
			if strings.Contains(src, "os.Exit") && !strings.Contains(src, `\"+os.Exit(1)+\"`) {
				t.Errorf("a hostile issuer escaped its literal:\n%s", src)
			}
			if strings.Contains(src, "panic(1)") && !strings.Contains(src, `\"}; panic(1) //`) {
				t.Errorf("a hostile client ID escaped its literal:\n%s", src)
			}
		})
	}
}

// TestGoPlanBuilds compiles a few variants against the repository's core
// module with go build: the printed configuration must be a working
// program, not just parse.
func TestGoPlanBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("go build of the configuration: skipped with -short")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	core, err := filepath.Abs("../../../../core")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"plain", "func", "everything"} {
		t.Run(name, func(t *testing.T) {
			p := plans[name]
			dir := t.TempDir()
			write := func(file, text string) {
				if err := os.WriteFile(filepath.Join(dir, file), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			write("main.go", p.code())
			write("go.mod", "module example.com/config\n\ngo 1.25.0\n\nrequire github.com/mcp-auth/go/core v0.1.0\n\nreplace github.com/mcp-auth/go/core => "+core+"\n")
			sums, err := os.ReadFile(filepath.Join(core, "go.sum"))
			if err != nil {
				t.Fatal(err)
			}
			write("go.sum", string(sums))
			// Only the module cache: core's dependencies are there, as this
			// test's own build needed them.
			cmd := exec.Command(goTool, "build", "-mod=mod", "-o", os.DevNull, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "GOWORK=off", "GOPROXY=off", "GOFLAGS=")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build: %v\n%s\n%s", err, out, p.code())
			}
		})
	}
}
