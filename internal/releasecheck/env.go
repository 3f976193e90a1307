package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// env runs the go command as a user outside the repository would: in
// temporary modules, with no go.work, resolving the repository's modules
// from the local proxy and everything else from the public one.
type env struct {
	tmp, proxy string
	modcache   string // the module cache shared by the builds
}

func newEnv(tmp, proxy string) (*env, error) {
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		return nil, err
	}
	e := &env{tmp: tmp, proxy: proxy, modcache: strings.TrimSpace(string(out))}
	// A version of the repository's modules cached by an earlier run would
	// be used instead of the working tree's: remove them.
	e.purge()
	return e, nil
}

// purge removes the repository's modules from the shared module cache:
// their release versions exist only in the local proxy.
func (e *env) purge() {
	for _, dir := range []string{filepath.Join(e.modcache, "github.com", "mcp-auth"), filepath.Join(e.modcache, "cache", "download", "github.com", "mcp-auth")} {
		removeAll(dir)
	}
}

// removeAll removes dir, making the module cache's read-only files writable first.
func removeAll(dir string) {
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			os.Chmod(path, 0o755)
		}
		return nil
	})
	os.RemoveAll(dir)
}

// vars are the go command's environment, with modcache as its module cache.
func (e *env) vars(modcache string) []string {
	out := []string{
		"GOWORK=off",
		"GOFLAGS=-mod=mod",
		"GOTOOLCHAIN=local",
		"GOPROXY=file://" + filepath.ToSlash(e.proxy) + ",https://proxy.golang.org",
		"GONOSUMDB=github.com/mcp-auth/go",
		"GONOPROXY=", "GOPRIVATE=",
		"GOMODCACHE=" + modcache,
		// The release version of the repository's modules is reused with
		// new content on every run, while the go command indexes a module
		// of its cache once per version, as if it could never change: the
		// index of an earlier run would hide files added since.
		"GODEBUG=goindex=0",
	}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GOWORK", "GOFLAGS", "GOTOOLCHAIN", "GOPROXY", "GONOSUMDB", "GONOPROXY", "GOPRIVATE", "GOMODCACHE", "GODEBUG":
		default:
			out = append(out, kv)
		}
	}
	return out
}

// goCmd runs the go command in dir and returns its combined output.
func (e *env) goCmd(dir, modcache string, args ...string) (string, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = e.vars(modcache)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// newModule makes a module named path in a new directory under tmp, with
// the file main.go holding src.
func (e *env) newModule(name, path string, src []byte) (string, error) {
	dir := filepath.Join(e.tmp, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), src, 0o644); err != nil {
		return "", err
	}
	if _, err := e.goCmd(dir, e.modcache, "mod", "init", path); err != nil {
		return "", err
	}
	return dir, nil
}

// buildProgram gets p's modules at version, then tidies, builds and vets p.
// With p.only set, the build runs with an empty module cache, which must
// then hold no module p.forbidden names.
func (e *env) buildProgram(p program, version string) error {
	dir, err := e.newModule("program-"+p.name, "example.com/"+p.name, []byte(p.src))
	if err != nil {
		return err
	}
	modcache := e.modcache
	if len(p.forbidden) > 0 {
		modcache = filepath.Join(e.tmp, "modcache-"+p.name)
		defer removeAll(modcache)
	}
	get := []string{"get"}
	for _, m := range p.modules {
		get = append(get, m+"@"+version)
	}
	for _, step := range [][]string{get, {"mod", "tidy"}, {"build", "./..."}, {"vet", "./..."}} {
		if _, err := e.goCmd(dir, modcache, step...); err != nil {
			return err
		}
	}
	if len(p.forbidden) > 0 {
		// The control: what the program needs is where the check looks.
		for _, need := range p.needed {
			if _, err := os.Stat(filepath.Join(modcache, "cache", "download", need)); err != nil {
				return fmt.Errorf("the empty module cache did not receive %s: %w", need, err)
			}
		}
		for _, f := range p.forbidden {
			if _, err := os.Stat(filepath.Join(modcache, "cache", "download", f)); err == nil {
				return fmt.Errorf("building it downloaded %s", f)
			}
		}
		fmt.Printf("release check: %s builds without downloading %s\n", p.name, strings.Join(p.forbidden, ", "))
	} else {
		fmt.Printf("release check: %s gets, builds and vets from outside the repository\n", p.name)
	}
	return nil
}

// buildExample copies main.go alone into a new module, tidies, builds and
// vets it, and returns the binary.
func (e *env) buildExample(mainGo, name string) (string, error) {
	src, err := os.ReadFile(mainGo)
	if err != nil {
		return "", err
	}
	dir, err := e.newModule("example-"+name, "example.com/copied/"+name, src)
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, name)
	for _, step := range [][]string{{"mod", "tidy"}, {"build", "-o", bin, "."}, {"vet", "./..."}} {
		if _, err := e.goCmd(dir, e.modcache, step...); err != nil {
			return "", err
		}
	}
	fmt.Printf("release check: examples/%s/main.go copied alone into a new module tidies, builds and vets\n", name)
	return bin, nil
}
