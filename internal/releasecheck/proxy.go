package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

// modulePrefix is the path every module of the repository starts with.
const modulePrefix = "github.com/mcp-auth/go/"

// mod is a module of the workspace.
type mod struct {
	Path, Dir string
	file      *modfile.File
}

// repoRoot returns the directory of the workspace (go.work).
func repoRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOWORK").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOWORK: %w", err)
	}
	work := strings.TrimSpace(string(out))
	if work == "" || work == "off" {
		return "", fmt.Errorf("run from the repository, where go.work ties the modules together")
	}
	return filepath.Dir(work), nil
}

// publicModules returns the workspace's modules but the root one (the
// examples' and the tests' module, which is not published).
func publicModules(root string) ([]mod, error) {
	cmd := exec.Command("go", "list", "-m", "-json")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m: %w", err)
	}
	var mods []mod
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var m mod
		if err := dec.Decode(&m); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(m.Path, modulePrefix) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(m.Dir, "go.mod"))
		if err != nil {
			return nil, err
		}
		if m.file, err = modfile.Parse(filepath.Join(m.Dir, "go.mod"), data, nil); err != nil {
			return nil, err
		}
		mods = append(mods, m)
	}
	return mods, nil
}

// checkRequirements requires every module to require its siblings at
// version: a version that will never exist (v0.0.0) makes go get fail for
// users, whatever replace directives say (consumers ignore them).
func checkRequirements(mods []mod, version string) error {
	for _, m := range mods {
		for _, r := range m.file.Require {
			if strings.HasPrefix(r.Mod.Path, modulePrefix) && r.Mod.Version != version {
				return fmt.Errorf("%s requires %s at %s, not at the release version %s", m.Path, r.Mod.Path, r.Mod.Version, version)
			}
		}
	}
	return nil
}

// publish writes m at version into the file-system module proxy dir, as
// the Go module proxy serves a module: its list, info, go.mod and zip. The
// zip is made by golang.org/x/mod/zip, which refuses what the proxy would
// (file names reserved on Windows, files too large, and the like).
func publish(dir, tmp string, m mod, version string) error {
	escaped, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	at := filepath.Join(dir, escaped, "@v")
	if err := os.MkdirAll(at, 0o755); err != nil {
		return err
	}
	src, err := releaseDir(tmp, m)
	if err != nil {
		return err
	}
	var z bytes.Buffer
	if err := zip.CreateFromDir(&z, module.Version{Path: m.Path, Version: version}, src); err != nil {
		return fmt.Errorf("%s cannot be published: %w", m.Path, err)
	}
	gomod, err := os.ReadFile(filepath.Join(src, "go.mod"))
	if err != nil {
		return err
	}
	info, _ := json.Marshal(map[string]string{"Version": version, "Time": time.Now().UTC().Format(time.RFC3339)})
	for name, data := range map[string][]byte{"list": []byte(version + "\n"), version + ".info": info, version + ".mod": gomod, version + ".zip": z.Bytes()} {
		if err := os.WriteFile(filepath.Join(at, name), data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
