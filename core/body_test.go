package mcpauth_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// brokenBody yields data, then fails as a malformed chunked encoding does.
type brokenBody struct{ data *strings.Reader }

func (b brokenBody) Read(p []byte) (int, error) {
	if b.data.Len() > 0 {
		return b.data.Read(p)
	}
	return 0, errors.New("invalid byte in chunk length")
}

func (brokenBody) Close() error { return nil }

// TestScopePolicyFailsClosed: a body whose read fails is refused even when
// the bytes read before the failure hold a whole message; the handler never
// runs and never sees those bytes.
func TestScopePolicyFailsClosed(t *testing.T) {
	policy := &mcpauth.ScopePolicy{Tools: map[string][]string{"admin-tool": {"admin"}}}
	r := newRig(t, rigOptions{bearer: &mcpauth.BearerOptions{RequiredScopes: []string{"read"}, Policy: policy}})
	msg := strings.Replace(toolsCall, "%s", "admin-tool", 1)
	read := "Bearer " + r.as.Mint(authtest.Claims{"scope": "read"})
	unreadable := challengeFor("invalid_request", "The request body could not be read.", "read")
	refused := func(t *testing.T, rec *httptest.ResponseRecorder, status int, challenge string) {
		t.Helper()
		expect(t, rec, status, challenge)
		if r.calls.Load() != 0 {
			t.Fatal("the handler ran")
		}
	}

	t.Run("read error after a whole message", func(t *testing.T) {
		req := r.newRequest(http.MethodPost, []string{read}, "")
		req.Body, req.ContentLength = brokenBody{strings.NewReader(msg)}, -1
		refused(t, r.send(req), 400, unreadable)
	})
	t.Run("unexpected end of a Content-Length body", func(t *testing.T) {
		req := r.newRequest(http.MethodPost, []string{read}, "")
		req.Body = io.NopCloser(io.MultiReader(strings.NewReader(msg), iotest.ErrReader(io.ErrUnexpectedEOF)))
		refused(t, r.send(req), 400, unreadable)
	})
	t.Run("http.MaxBytesHandler cuts the padding short", func(t *testing.T) {
		limited := http.MaxBytesHandler(r.handler, 1<<10)
		req := r.newRequest(http.MethodPost, []string{read}, msg+strings.Repeat(" ", 2<<10))
		rec := httptest.NewRecorder()
		limited.ServeHTTP(rec, req)
		refused(t, rec, 413, "")
		var body struct{ Error, Code string }
		json.Unmarshal(rec.Body.Bytes(), &body)
		if body.Error != "invalid_request" {
			t.Fatalf("body %s", rec.Body)
		}
	})
	t.Run("malformed chunk on the wire", func(t *testing.T) {
		srv := httptest.NewServer(r.handler)
		defer srv.Close()
		raw := "POST /mcp HTTP/1.1\r\nHost: mcp.example.com\r\nAuthorization: " + read + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strconv.FormatInt(int64(len(msg)), 16) + "\r\n" + msg + "\r\nzz\r\n\r\n"
		resp := rawRequest(t, srv.Listener.Addr().String(), raw)
		if resp.StatusCode != 400 || resp.Header.Get("WWW-Authenticate") != unreadable || r.calls.Load() != 0 {
			t.Fatalf("status %d, challenge %s, handler calls %d", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), r.calls.Load())
		}
	})
	t.Run("content codings", func(t *testing.T) {
		encoded := challengeFor("invalid_request", "The request body is content-encoded (Content-Encoding), which the scope policy does not read.", "read")
		for _, ce := range [][]string{{"gzip"}, {"GZIP"}, {"identity, gzip"}, {"identity", "br"}, {"x-custom"}} {
			req := r.newRequest(http.MethodPost, []string{read}, msg)
			req.Header["Content-Encoding"] = ce
			refused(t, r.send(req), 400, encoded)
		}
		for _, ce := range [][]string{{"identity"}, {"Identity"}, {""}, {"identity, identity"}} {
			req := r.newRequest(http.MethodPost, []string{read}, `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
			req.Header["Content-Encoding"] = ce
			expect(t, r.send(req), 200, "")
		}
		r.calls.Store(0)
	})
	t.Run("the handler reads the whole body when it could be read", func(t *testing.T) {
		admin := "Bearer " + r.as.Mint(authtest.Claims{"scope": "read admin"})
		expect(t, r.request(http.MethodPost, []string{admin}, msg+"  "), 200, "")
		if got := *r.body.Load(); got != msg+"  " {
			t.Fatalf("handler read %q", got)
		}
	})
}
