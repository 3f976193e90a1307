package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// commandModule is the module of the mcpauth command. Users install it with
// go install github.com/mcp-auth/go/cmd/mcpauth@version, which refuses a
// module whose go.mod has replace directives: its release commit drops
// them (RELEASING.md), and the release check publishes it that way.
const commandModule = modulePrefix + "cmd/mcpauth"

// releaseDir returns the directory to zip m from: m.Dir itself, or for the
// command module a copy whose go.mod has its replace directives dropped, as
// its release commit will have it.
func releaseDir(tmp string, m mod) (string, error) {
	if m.Path != commandModule {
		return m.Dir, nil
	}
	dir := filepath.Join(tmp, "release-"+filepath.Base(m.Dir))
	if err := os.CopyFS(dir, os.DirFS(m.Dir)); err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return "", err
	}
	f, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return "", err
	}
	for _, r := range f.Replace {
		if err := f.DropReplace(r.Old.Path, r.Old.Version); err != nil {
			return "", err
		}
	}
	f.Cleanup()
	out, err := f.Format()
	if err != nil {
		return "", err
	}
	return dir, os.WriteFile(filepath.Join(dir, "go.mod"), out, 0o644)
}

// commandForbidden are the module path prefixes installing the command must
// not download: it depends on core alone.
var commandForbidden = []string{"github.com/gin-gonic", "github.com/labstack", "github.com/go-chi", "github.com/modelcontextprotocol",
	"github.com/mark3labs", "go.opentelemetry.io", "github.com/redis"}

// installCommand runs go install of the command at version, outside any
// module and with an empty module cache, checks what it downloaded, and
// runs the binary.
func (e *env) installCommand(version string) error {
	modcache := filepath.Join(e.tmp, "modcache-command")
	defer removeAll(modcache)
	gobin := filepath.Join(e.tmp, "bin")
	dir := filepath.Join(e.tmp, "install")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("go", "install", commandModule+"@"+version)
	cmd.Dir = dir
	cmd.Env = append(withoutVar(e.vars(modcache), "GOFLAGS"), "GOBIN="+gobin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go install %s@%s: %w\n%s", commandModule, version, err, out)
	}
	for _, need := range []string{"github.com/mcp-auth/go/core", "github.com/golang-jwt/jwt"} {
		if _, err := os.Stat(filepath.Join(modcache, "cache", "download", need)); err != nil {
			return fmt.Errorf("installing the command did not download %s: %w", need, err)
		}
	}
	for _, f := range commandForbidden {
		if _, err := os.Stat(filepath.Join(modcache, "cache", "download", f)); err == nil {
			return fmt.Errorf("installing the command downloaded %s", f)
		}
	}
	out, err := exec.Command(filepath.Join(gobin, "mcpauth"), "version").Output()
	if err != nil || strings.TrimSpace(string(out)) != "mcpauth "+version {
		return fmt.Errorf("the installed command says %q (%v), want %q", out, err, "mcpauth "+version)
	}
	fmt.Printf("release check: go install %s@%s works outside any module and downloads none of %s\n", commandModule, version, strings.Join(commandForbidden, ", "))
	return nil
}

// withoutVar returns env without the variable name.
func withoutVar(env []string, name string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}
