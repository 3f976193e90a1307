package mcpauth_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

func TestHeaderCases(t *testing.T) {
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}}})
	valid := r.as.Mint(authtest.Claims{"scope": "read"})
	tests := []struct {
		name      string
		auth      []string
		status    int
		challenge string
		code      string
	}{
		{"no header", nil, 401, challengeFor("", "", "read"), "missing_auth_header"},
		{"basic scheme", []string{"Basic dXNlcjpwYXNz"}, 401, challengeFor("", "", "read"), "missing_bearer_token"},
		{"empty bearer", []string{"Bearer "}, 401, challengeFor("", "", "read"), "missing_bearer_token"},
		{"broken grammar", []string{"Bearer abc def"}, 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "read"), "invalid_auth_header_format"},
		{"two headers", []string{"Bearer " + valid, "Bearer " + valid}, 400,
			challengeFor("invalid_request", `The Authorization header is malformed: expected a single 'Bearer <token>'.`, "read"), "invalid_auth_header_format"},
		{"lowercase bearer", []string{"bearer " + valid}, 200, "", ""},
		{"not a JWT", []string{"Bearer not-a-jwt"}, 401, challengeFor("invalid_token", "The access token is malformed.", "read"), "invalid_token"},
		{"oversize", []string{"Bearer " + strings.Repeat("a", mcpauth.DefaultMaxTokenBytes+1)}, 401,
			challengeFor("invalid_token", "The access token is longer than 16384 bytes.", "read"), "invalid_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			rec := r.request(http.MethodPost, tt.auth, "")
			expect(t, rec, tt.status, tt.challenge)
			if tt.status != 200 {
				if r.calls.Load() != before {
					t.Fatal("handler ran on a refused request")
				}
				var body map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error_code"] != tt.code {
					t.Fatalf("body %s", rec.Body)
				}
				if _, has := body["error"]; has != (tt.status != 401 || strings.Contains(tt.challenge, "error=")) {
					t.Errorf("error member presence wrong: %s", rec.Body)
				}
			}
		})
	}
	t.Run("oversize token is not parsed or fetched for", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		rec := r.bearer(strings.Repeat("a", mcpauth.DefaultMaxTokenBytes+1))
		expect(t, rec, 401, challengeFor("invalid_token", "The access token is longer than 16384 bytes.", ""))
		if r.as.TotalRequests() != 0 {
			t.Fatal("the authorization server was contacted")
		}
	})
	t.Run("token in the query string is ignored", func(t *testing.T) {
		req := r.newRequest(http.MethodGet, nil, "")
		req.URL.RawQuery = "access_token=" + valid
		expect(t, r.send(req), 401, challengeFor("", "", "read"))
	})
}

// TestTokenOutsideTheHeaderIgnored: a token anywhere but the Authorization
// header (a form body, RFC 6750 §2.2; the query, §2.3; a cookie; another
// header) is never read, and the request is answered as one without
// credentials.
func TestTokenOutsideTheHeaderIgnored(t *testing.T) {
	r := newRig(t, rigOptions{})
	valid := r.as.Mint(nil)
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"form body (RFC 6750 §2.2)", func() *http.Request {
			req := r.newRequest(http.MethodPost, nil, "access_token="+valid)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return req
		}},
		{"query and form body", func() *http.Request {
			req := r.newRequest(http.MethodPost, nil, "access_token="+valid)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.URL.RawQuery = "access_token=" + valid
			return req
		}},
		{"cookie", func() *http.Request {
			req := r.newRequest(http.MethodGet, nil, "")
			req.AddCookie(&http.Cookie{Name: "access_token", Value: valid})
			return req
		}},
		{"another header", func() *http.Request {
			req := r.newRequest(http.MethodGet, nil, "")
			req.Header.Set("X-Access-Token", valid)
			return req
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := r.calls.Load()
			expect(t, r.send(tt.req()), 401, challengeFor("", "", ""))
			if r.calls.Load() != before {
				t.Fatal("the protected handler ran")
			}
		})
	}
}

// TestHugeHeaderRefusedByServer sends a request whose header is over the
// HTTP server's limit (http.DefaultMaxHeaderBytes, 1 MiB, which Go's server
// enforces with 4 KiB of slack): the server itself answers 431 before any
// handler, the middleware included, sees the request, and goes on answering
// ordinary requests afterwards.
func TestHugeHeaderRefusedByServer(t *testing.T) {
	r := newRig(t, rigOptions{})
	var reached atomic.Int64 // requests that got past the HTTP server
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		reached.Add(1)
		r.handler.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)

	huge := strings.Repeat("a", http.DefaultMaxHeaderBytes+4<<10+1)
	tests := []struct {
		name   string
		header string
	}{
		{"1 MiB bearer token", "Authorization: Bearer " + huge},
		{"1 MiB other header", "X-Padding: " + huge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := reached.Load()
			status := rawRequest(t, srv.Listener.Addr().String(), "GET /mcp HTTP/1.1\r\nHost: mcp.example.com\r\n"+tt.header+"\r\n\r\n").Status
			if status != "431 Request Header Fields Too Large" {
				t.Fatalf("status %q, want 431", status)
			}
			if reached.Load() != before || r.calls.Load() != 0 {
				t.Fatal("a handler saw the request")
			}
		})
	}

	// The server goes on answering, with and without a valid token.
	token := r.as.Mint(nil)
	for _, auth := range []string{"Bearer " + token, ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/mcp", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		want := http.StatusOK
		if auth == "" {
			want = http.StatusUnauthorized
		}
		if resp.StatusCode != want {
			t.Fatalf("after the huge headers: status %d, want %d", resp.StatusCode, want)
		}
	}
	if r.calls.Load() != 1 {
		t.Fatalf("the protected handler ran %d times, want 1", r.calls.Load())
	}
}

// rawRequest writes req on a new connection to addr and returns the answer
// (its body closed).
func rawRequest(t *testing.T, addr, req string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The server stops reading at its limit and answers; the rest of the
	// request may never be read, so write it from a goroutine.
	written := make(chan struct{})
	go func() {
		defer close(written)
		io.WriteString(conn, req)
	}()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer: %v", err)
	}
	resp.Body.Close()
	conn.Close()
	<-written
	return resp
}
