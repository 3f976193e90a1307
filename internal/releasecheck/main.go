// Command releasecheck proves that a user outside this repository can go
// get every public module and build what the README and the examples show,
// as they will once the modules are tagged (see RELEASING.md):
//
//  1. every module requires its siblings at the release version;
//  2. each module is zipped from the working tree exactly as the Go module
//     proxy zips a tag (golang.org/x/mod/zip, with its checks of file names
//     and sizes) into a local module proxy;
//  3. in temporary modules outside the repository, with no replace and no
//     go.work, using only that proxy and the public one, it gets each
//     adapter, gosdkauth, mcpgoauth, otelauth and redisstore, and builds and
//     vets a program using each; the Gin, mcp-go and redisstore programs,
//     each built with an empty module cache, must not download another web
//     framework or MCP library (redisstore: any);
//  4. go install of the mcpauth command at the release version works
//     outside any module (its go.mod published without replace directives,
//     as its release commit has it) and downloads core alone;
//  5. each examples/<framework>/main.go, copied alone into a new module,
//     goes through go mod tidy, go build and go vet; the copied gin example
//     is run and must answer the MCP contract: 401 with the challenge
//     without a token, and a tool call with a token from its development
//     authorization server.
//
// Run it with make release-check (part of make test).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

func main() {
	version := flag.String("version", "v0.1.0", "the version the modules will be released under")
	keep := flag.Bool("keep", false, "keep the temporary directory (proxy and modules) for inspection")
	flag.Parse()
	start := time.Now()
	if err := check(*version, *keep); err != nil {
		fmt.Fprintf(os.Stderr, "release check: FAIL: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("release check: ok (%s)\n", time.Since(start).Round(time.Second))
}

func check(version string, keep bool) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	mods, err := publicModules(root)
	if err != nil {
		return err
	}
	if err := checkRequirements(mods, version); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "mcpauth-release-check-")
	if err != nil {
		return err
	}
	if keep {
		fmt.Println("release check: keeping", tmp)
	} else {
		defer removeAll(tmp)
	}
	proxy := filepath.Join(tmp, "proxy")
	for _, m := range mods {
		if err := publish(proxy, tmp, m, version); err != nil {
			return err
		}
	}
	fmt.Printf("release check: %d modules zipped at %s into a local module proxy\n", len(mods), version)
	env, err := newEnv(tmp, proxy)
	if err != nil {
		return err
	}
	defer env.purge()
	for _, p := range programs {
		if err := env.buildProgram(p, version); err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
	}
	if err := env.installCommand(version); err != nil {
		return fmt.Errorf("the mcpauth command: %w", err)
	}
	for _, ex := range examples {
		bin, err := env.buildExample(filepath.Join(root, "examples", ex, "main.go"), ex)
		if err != nil {
			return fmt.Errorf("copied example %s: %w", ex, err)
		}
		if ex == "gin" {
			if err := runExample(bin); err != nil {
				return fmt.Errorf("copied example gin: %w", err)
			}
			fmt.Println("release check: the copied gin example answers 401 without a token and a tool call with a development token")
		}
	}
	return nil
}

// examples are the directories under examples/ whose main.go is copied.
var examples = []string{"gin", "echo", "echov5", "chi", "nethttp", "mcpgo"}
