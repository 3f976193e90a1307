package check

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/mcp-auth/go/core/authtest"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// result is one run of the command.
type result struct {
	status int
	stdout string
	stderr string
	rep    report.Report // decoded from stdout with -json
}

// run runs the command as main does, with args.
func run(t *testing.T, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	status := Run(context.Background(), args, &stdout, &stderr)
	return result{status: status, stdout: stdout.String(), stderr: stderr.String()}
}

// runJSON runs the command with -json and decodes its report, whose exit
// status must be the command's.
func runJSON(t *testing.T, args ...string) result {
	t.Helper()
	res := run(t, append(args, "-json")...)
	if err := json.Unmarshal([]byte(res.stdout), &res.rep); err != nil {
		t.Fatalf("exit %d, stdout not a JSON report (%v):\n%s\nstderr: %s", res.status, err, res.stdout, res.stderr)
	}
	if res.rep.ExitStatus != res.status {
		t.Errorf("report says exit %d, the command returned %d", res.rep.ExitStatus, res.status)
	}
	if testing.Verbose() {
		var text bytes.Buffer
		res.rep.WriteText(&text)
		t.Log("\n" + text.String())
	}
	return res
}

// want is a finding a report must hold: its check, status and (when set)
// code, and (when set) text its summary or details contain.
type want struct {
	check  string
	status report.Status
	code   string
	text   string
}

// has reports whether f is what w asks for.
func (w want) has(f report.Finding) bool {
	if f.Check != w.check || f.Status != w.status || (w.code != "" && f.Code != w.code) {
		return false
	}
	all := f.Summary + "\n" + strings.Join(f.Details, "\n")
	return w.text == "" || strings.Contains(all, w.text)
}

// expect checks that rep holds every finding of wants.
func expect(t *testing.T, rep report.Report, wants ...want) {
	t.Helper()
	for _, w := range wants {
		found := false
		for _, f := range rep.Findings {
			if w.has(f) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("no finding %+v in:\n%s", w, findingsText(rep))
		}
	}
}

// absent checks that rep holds no finding of check with status.
func absent(t *testing.T, rep report.Report, check string, status report.Status) {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Check == check && f.Status == status {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

// findingsText lists findings for failure messages.
func findingsText(rep report.Report) string {
	var b strings.Builder
	for _, f := range rep.Findings {
		b.WriteString(string(f.Status) + " " + f.Check + " " + f.Code + ": " + f.Summary + "\n")
		for _, d := range f.Details {
			b.WriteString("    " + d + "\n")
		}
	}
	return b.String()
}

// section returns the text of the report's section name, or "".
func section(rep report.Report, name string) string {
	for _, s := range rep.Sections {
		if s.Name == name {
			return s.Text
		}
	}
	return ""
}

// testKey is one signing key for every test server's key set (generating
// RSA keys per fixture would be slow).
var testKey = sync.OnceValue(func() *authtest.Key {
	k, err := authtest.NewKey("test-key", "ES256")
	if err != nil {
		panic(err)
	}
	return k
})

// testServer serves fixed answers by exact path (no patterns: fixture
// paths may hold braces), and 404 for any other path.
type testServer struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
}

// newTestServer starts a test server with no routes.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	s := &testServer{routes: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.routes[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// handle serves h at path.
func (s *testServer) handle(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = h
}

// jsonAnswer answers v as JSON.
func jsonAnswer(v any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
}

// keySet answers the test key set.
var keySet = func(w http.ResponseWriter, r *http.Request) {
	jsonAnswer(map[string]any{"keys": []any{testKey().JWK()}})(w, r)
}
