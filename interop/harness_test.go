//go:build unix

package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// shared is what every test of the package shares: built binaries live in
// one temporary directory, removed after the tests.
var shared struct {
	dir string // temporary directory of the package's tests

	npmOnce sync.Once
	npmErr  error

	buildOnce sync.Once
	buildErr  error
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mcpauth-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	shared.dir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Timeouts of the harness. Readiness is awaited by reading a process's
// "ready" line or polling a URL, never by sleeping.
const (
	readyTimeout = 20 * time.Second // a process prints its ready line
	stopTimeout  = 10 * time.Second // a process exits after SIGTERM
	runTimeout   = 60 * time.Second // a short-lived command (a client run)
	npmTimeout   = 5 * time.Minute  // npm ci on a fresh machine
	buildTimeout = 5 * time.Minute  // go build of the examples
)

// The example servers, by directory name under examples/.
var exampleNames = []string{"gin", "echo", "echov5", "chi", "nethttp", "mcpgo"}

// interopDir is this package's directory (go test runs tests there).
func interopDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// ensurePeers makes sure the pinned npm packages are installed in
// node_modules: it runs npm ci when node_modules is missing or was installed
// from another package.json, package-lock.json or Node.js version. A
// missing node or npm fails the test with a clear message.
func ensurePeers(t testing.TB) {
	t.Helper()
	shared.npmOnce.Do(func() { shared.npmErr = installPeers(interopDir(t), t) })
	if shared.npmErr != nil {
		t.Fatalf("interop: the npm peers are not installed: %v", shared.npmErr)
	}
}

func installPeers(dir string, t testing.TB) error {
	node, err := exec.LookPath("node")
	if err != nil {
		return errors.New("node is not on PATH: the interoperability tests need Node.js 20 or later and npm (https://nodejs.org, or the Debian package nodejs)")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm is not on PATH: the interoperability tests need Node.js 20 or later and npm")
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return fmt.Errorf("node --version: %v", err)
	}
	version := strings.TrimSpace(string(out))
	if major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(version, "v"), ".", 2)[0]); major < 20 {
		return fmt.Errorf("node %s is too old: the interoperability tests need Node.js 20 or later", version)
	}
	// One install at a time, even across go test processes.
	lock, err := os.OpenFile(filepath.Join(dir, ".npm-install.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)

	h := sha256.New()
	for _, name := range []string{"package.json", "package-lock.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		h.Write(b)
	}
	h.Write([]byte(version))
	want := hex.EncodeToString(h.Sum(nil))
	stamp := filepath.Join(dir, "node_modules", ".mcpauth-interop-stamp")
	if got, err := os.ReadFile(stamp); err == nil && string(got) == want {
		return nil
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := command(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, out)
	}
	t.Logf("npm ci (node %s) took %s", version, time.Since(start).Round(time.Millisecond))
	return os.WriteFile(stamp, []byte(want), 0o644)
}

// command is exec.CommandContext for a process in its own process group,
// which is killed as a whole when ctx ends.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = stopTimeout
	return cmd
}

// run runs a short-lived command to its end and returns its stdout; its
// stderr is logged if the test fails.
func run(t testing.TB, cmd *exec.Cmd) ([]byte, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if stderr.Len() > 0 {
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("stderr of %s:\n%s", strings.Join(cmd.Args, " "), stderr.String())
			}
		})
	}
	if err != nil {
		return stdout.Bytes(), fmt.Errorf("%s: %w\n%s", filepath.Base(cmd.Path), err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// runNode runs a script of js/ with node, bounded by runTimeout.
func runNode(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	ensurePeers(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := command(ctx, "node", append([]string{filepath.Join(interopDir(t), "js", script)}, args...)...)
	return run(t, cmd)
}

// exampleBinary returns the path of examples/<name>, building every example
// server and the mcpauth command once into the shared directory (with -race
// when the tests run with the race detector).
func exampleBinary(t testing.TB, name string) string {
	t.Helper()
	shared.buildOnce.Do(func() {
		args := []string{"build", "-o", filepath.Join(shared.dir, "bin") + string(filepath.Separator)}
		if raceEnabled {
			args = append(args, "-race")
		}
		for _, n := range exampleNames {
			args = append(args, "./examples/"+n)
		}
		args = append(args, "./cmd/mcpauth")
		ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
		defer cancel()
		cmd := command(ctx, "go", args...)
		cmd.Dir = filepath.Dir(interopDir(t))
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			shared.buildErr = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
			return
		}
		t.Logf("go build of the examples (race %v) took %s", raceEnabled, time.Since(start).Round(time.Millisecond))
	})
	if shared.buildErr != nil {
		t.Fatalf("interop: %v", shared.buildErr)
	}
	return filepath.Join(shared.dir, "bin", name)
}

// mcpauthBinary returns the path of the mcpauth command, built with the
// examples.
func mcpauthBinary(t testing.TB) string {
	t.Helper()
	exampleBinary(t, exampleNames[0])
	return filepath.Join(shared.dir, "bin", "mcpauth")
}

// freePort returns a loopback port that was free a moment ago, for a server
// whose address must be known before it starts (an issuer, a resource).
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// process is a long-running child process in its own process group, whose
// output (stdout and stderr, merged) is kept line by line.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited

	mu      sync.Mutex
	lines   []string
	changed chan struct{} // closed and replaced on each new line and on exit
	waitErr error
	stopped bool
}

// startProcess starts cmd, stops its whole process group when the test
// ends, and fails the test if it then did not exit cleanly (status 0 after
// SIGTERM) or reported a data race. Its output is logged if the test fails.
func startProcess(t testing.TB, name string, cmd *exec.Cmd) *process {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		r.Close()
		w.Close()
		t.Fatalf("start %s: %v", name, err)
	}
	w.Close()
	p := &process{name: name, cmd: cmd, done: make(chan struct{}), changed: make(chan struct{})}
	read := make(chan struct{})
	go func() {
		defer close(read)
		defer r.Close()
		buf := make([]byte, 0, 64<<10)
		var partial []byte
		for {
			n, err := r.Read(buf[:cap(buf)])
			partial = append(partial, buf[:n]...)
			for {
				i := bytes.IndexByte(partial, '\n')
				if i < 0 {
					break
				}
				p.addLine(string(partial[:i]))
				partial = partial[i+1:]
			}
			if err != nil {
				if len(partial) > 0 {
					p.addLine(string(partial))
				}
				return
			}
		}
	}()
	go func() {
		err := cmd.Wait()
		<-read
		p.mu.Lock()
		p.waitErr = err
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		close(p.done)
	}()
	t.Cleanup(func() {
		err := p.Stop()
		if err != nil {
			t.Errorf("%s did not exit cleanly: %v", name, err)
		}
		if t.Failed() {
			t.Logf("output of %s (pid %d):\n%s", name, cmd.Process.Pid, p.Output())
		}
	})
	return p
}

func (p *process) addLine(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lines = append(p.lines, line)
	close(p.changed)
	p.changed = make(chan struct{})
}

// Output returns everything the process printed so far.
func (p *process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

// Pid is the process ID, which is also its process group ID.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *process) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// WaitLine waits for a line of output matching re and returns its
// submatches. It fails if the process exits or timeout passes first.
func (p *process) WaitLine(re *regexp.Regexp, timeout time.Duration) ([]string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		p.mu.Lock()
		for ; seen < len(p.lines); seen++ {
			if m := re.FindStringSubmatch(p.lines[seen]); m != nil {
				p.mu.Unlock()
				return m, nil
			}
		}
		changed := p.changed
		exited := p.Exited()
		p.mu.Unlock()
		if exited {
			return nil, fmt.Errorf("%s exited (%v) before printing a line matching %s", p.name, p.waitErr, re)
		}
		select {
		case <-changed:
		case <-deadline.C:
			return nil, fmt.Errorf("%s printed no line matching %s within %s", p.name, re, timeout)
		}
	}
}

// Stop sends SIGTERM to the process group, and SIGKILL if the process is
// still running after stopTimeout. It returns an error unless the process
// exited with status 0 and reported no data race. Calling it again returns
// the same result.
func (p *process) Stop() error {
	p.mu.Lock()
	already := p.stopped
	p.stopped = true
	p.mu.Unlock()
	pgid := p.cmd.Process.Pid
	if !already && !p.Exited() {
		syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopTimeout):
			syscall.Kill(-pgid, syscall.SIGKILL)
			<-p.done
			return fmt.Errorf("%s ignored SIGTERM for %s and was killed", p.name, stopTimeout)
		}
	}
	<-p.done
	if strings.Contains(p.Output(), "WARNING: DATA RACE") {
		return fmt.Errorf("%s reported a data race", p.name)
	}
	return p.waitErr
}
