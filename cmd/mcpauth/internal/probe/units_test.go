package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/mcp-auth/go/cmd/mcpauth/internal/report"
)

// TestResourceAllowed checks the TypeScript SDK's rule (checkResourceAllowed).
func TestResourceAllowed(t *testing.T) {
	for _, tt := range []struct {
		target, resource string
		exact, allowed   bool
	}{
		{"https://mcp.example.com/mcp", "https://mcp.example.com/mcp", true, true},
		{"https://mcp.example.com/mcp", "https://mcp.example.com", false, true},
		{"https://mcp.example.com/mcp", "https://mcp.example.com/", false, true},
		{"https://mcp.example.com/mcp/", "https://mcp.example.com/mcp", false, true},
		{"https://mcp.example.com/mcp/x", "https://mcp.example.com/mcp", false, true},
		{"https://mcp.example.com/mcp?x=1", "https://mcp.example.com/mcp", false, true},
		{"https://MCP.example.com:443/mcp", "https://mcp.example.com/mcp", false, true},
		{"https://mcp.example.com/mcp", "https://mcp.example.com/mcp/", false, false},
		{"https://mcp.example.com/mcp", "https://mcp.example.com/mc", false, false},
		{"https://mcp.example.com/mcp", "https://mcp.example.com/mcp2", false, false},
		{"https://mcp.example.com/mcp", "https://mcp.example.com/other", false, false},
		{"https://mcp.example.com/mcp", "http://mcp.example.com/mcp", false, false},
		{"https://mcp.example.com/mcp", "https://mcp.example.com:8443/mcp", false, false},
		{"https://mcp.example.com/mcp", "https://api.example.com/mcp", false, false},
		{"https://mcp.example.com/mcp", "mcp.example.com/mcp", false, false},
		{"https://mcp.example.com/mcp", "::not a url", false, false},
	} {
		u, _ := url.Parse(tt.target)
		exact, allowed := resourceAllowed(u, tt.target, tt.resource)
		if exact != tt.exact || allowed != tt.allowed {
			t.Errorf("%s for %s: exact %v allowed %v, want %v %v", tt.resource, tt.target, exact, allowed, tt.exact, tt.allowed)
		}
	}
}

// TestReadSSE reads event streams, well and badly formed.
func TestReadSSE(t *testing.T) {
	for _, tt := range []struct {
		name, stream, want string
		err                error
	}{
		{"one event", "data: {\"id\":1}\n\n", `{"id":1}`, nil},
		{"priming event and comment first", "id: 0\ndata:\n\n: keep-alive\n\nevent: message\ndata: x\n\n", "x", nil},
		{"multi-line data", "data: a\ndata: b\n\n", "a\nb", nil},
		{"no space after colon", "data:x\n\n", "x", nil},
		{"CRLF line ends", "data: x\r\n\r\n", "x", nil},
		{"unterminated last event", "data: x", "x", nil},
		{"no data", ": only a comment\n\n", "", errStreamEnded},
		{"too long a line", "data: " + strings.Repeat("x", maxBody+10) + "\n\n", "", errTooLarge},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			err := readSSE(&capReader{r: strings.NewReader(tt.stream), n: maxBody}, func(data []byte) bool {
				if len(data) == 0 {
					return false
				}
				got = string(data)
				return true
			})
			if got != tt.want || (tt.err == nil) != (err == nil) || (tt.err != nil && !errors.Is(err, tt.err) && !strings.Contains(err.Error(), "too long")) {
				t.Errorf("got %q, %v; want %q, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// TestCapReader: reading stops with errTooLarge past the limit, not at it.
func TestCapReader(t *testing.T) {
	if b, err := io.ReadAll(&capReader{r: strings.NewReader("12345"), n: 5}); err != nil || string(b) != "12345" {
		t.Errorf("%q %v", b, err)
	}
	if _, err := io.ReadAll(&capReader{r: strings.NewReader("123456"), n: 5}); !errors.Is(err, errTooLarge) {
		t.Errorf("%v", err)
	}
}

// TestClean: what a server sends is printed on one line, bounded.
func TestClean(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 100, "plain"},
		{"a\nb\x1b[31m", 100, "a?b?[31m"},
		{"\xff\xfe", 100, "??"},
		{"ééééé", 3, "ééé…"},
		{"abc", 3, "abc"},
	} {
		if got := clean(tt.in, tt.max); got != tt.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

// TestUsage checks the command line's errors (exit 64, message on stderr)
// and -h (usage on stdout, exit 0).
func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "want one <mcp-url>, got 0"},
		{[]string{"https://a/mcp", "https://b/mcp"}, "want one <mcp-url>, got 2"},
		{[]string{"mcp.example.com/mcp"}, "absolute http or https URL"},
		{[]string{"ftp://mcp.example.com/mcp"}, "absolute http or https URL"},
		{[]string{"https:///mcp"}, "has no host"},
		{[]string{"https://mcp.example.com/mcp#x"}, "fragment"},
		{[]string{"https://mcp.example.com/mcp", "-client-id", "a"}, "-client-id needs -client-secret"},
		{[]string{"https://mcp.example.com/mcp", "-client-secret", "a"}, "-client-secret needs -client-id"},
		{[]string{"https://mcp.example.com/mcp", "-token", "t", "-client-id", "a", "-client-secret", "b"}, "not both"},
		{[]string{"https://mcp.example.com/mcp", "-step-up-tool", "x"}, "-step-up-tool needs a token"},
		{[]string{"https://mcp.example.com/mcp", "-timeout", "0s"}, "-timeout must be positive"},
		{[]string{"https://mcp.example.com/mcp", "-protocol-version", ""}, "-protocol-version must not be empty"},
		{[]string{"https://mcp.example.com/mcp", "-nope"}, "flag provided but not defined: -nope"},
	} {
		var stdout, stderr bytes.Buffer
		code := Run(context.Background(), tt.args, &stdout, &stderr)
		if code != report.ExitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) ||
			!strings.Contains(stderr.String(), "Usage: mcpauth probe") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", tt.args, code, &stdout, &stderr)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Run(context.Background(), []string{"-h"}, &stdout, &stderr); code != report.ExitOK ||
		!strings.Contains(stdout.String(), "-step-up-tool") || stderr.Len() != 0 {
		t.Errorf("-h: exit %d, stdout %q, stderr %q", code, &stdout, &stderr)
	}
}

// TestScopeFlag: -scope given (even empty) wins over the challenge's.
func TestScopeFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		set  bool
	}{
		{[]string{"https://a/mcp"}, false},
		{[]string{"https://a/mcp", "-scope", ""}, true},
		{[]string{"-scope=read", "https://a/mcp"}, true},
	} {
		o, err := parseArgs(tt.args)
		if err != nil || o.scopeSet != tt.set {
			t.Errorf("%q: %+v %v", tt.args, o, err)
		}
	}
}

// TestHostileServer: a server that hangs is cut off by -timeout, and one
// that answers garbage is reported, never a panic.
func TestHostileServer(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"hangs", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
			<-r.Context().Done()
		}, "could not be sent"},
		{"redirects elsewhere", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.example/mcp", http.StatusTemporaryRedirect)
		}, "elsewhere.example"},
		{"closes the connection", func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
		}, "could not be sent"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			var stdout bytes.Buffer
			code := Run(context.Background(), []string{srv.URL + "/mcp", "-timeout", "200ms"}, &stdout, io.Discard)
			if code != report.ExitFailed || !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("exit %d\n%s", code, &stdout)
			}
		})
	}
}

// TestHeaders checks the headers of a JSON-RPC call: Streamable HTTP's,
// and from MCP 2026-07-28 on the headers that mirror the body.
func TestHeaders(t *testing.T) {
	for _, tt := range []struct {
		version      string
		method, name string
	}{
		{"2025-11-25", "", ""},
		{"2026-07-28", "tools/call", "create-todo"},
	} {
		var got http.Header
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = r.Header.Clone()
			w.WriteHeader(http.StatusAccepted)
		}))
		p := &prober{opts: &options{target: srv.URL}, client: newClient(DefaultTimeout), protocolVersion: tt.version, session: "s1"}
		_, err := p.post(context.Background(), call{token: "t", method: "tools/call", name: "create-todo", notify: true})
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{
			"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
			"Mcp-Protocol-Version": tt.version, "Mcp-Session-Id": "s1", "Authorization": "Bearer t",
			"Mcp-Method": tt.method, "Mcp-Name": tt.name,
		}
		for k, v := range want {
			if got.Get(k) != v {
				t.Errorf("%s: %s = %q, want %q", tt.version, k, got.Get(k), v)
			}
		}
	}
}
