package apptest

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/todo"
)

// Run runs every example test against the example whose routes are given.
func Run(t *testing.T, run RunFunc) {
	s := Start(t, run)
	prm := s.Base + "/.well-known/oauth-protected-resource/mcp"
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`

	t.Run("401 with the exact challenge", func(t *testing.T) {
		resp := s.Post(t, "", initialize)
		if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") != `Bearer resource_metadata="`+prm+`"` {
			t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		var body map[string]any
		json.NewDecoder(resp.Body).Decode(&body)
		if body["error_code"] != "missing_auth_header" {
			t.Fatalf("body %v", body)
		}
	})
	t.Run("protected resource metadata at both URLs", func(t *testing.T) {
		for _, u := range []string{prm, s.Base + "/.well-known/oauth-protected-resource"} {
			resp, err := http.Get(u)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Resource             string   `json:"resource"`
				AuthorizationServers []string `json:"authorization_servers"`
				ScopesSupported      []string `json:"scopes_supported"`
			}
			json.NewDecoder(resp.Body).Decode(&doc)
			resp.Body.Close()
			if resp.StatusCode != 200 || doc.Resource != s.Resource || !slices.Equal(doc.AuthorizationServers, []string{s.Issuer}) || !slices.Equal(doc.ScopesSupported, todo.Scopes) {
				t.Fatalf("%s: %d %+v", u, resp.StatusCode, doc)
			}
		}
	})
	t.Run("healthz needs no token", func(t *testing.T) {
		resp, err := http.Get(s.Base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%v %v", resp, err)
		}
		resp.Body.Close()
	})
	t.Run("REST whoami", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.Base+"/whoami", nil)
		if resp, _ := http.DefaultClient.Do(req); resp.StatusCode != 401 {
			t.Fatalf("without a token: %d", resp.StatusCode)
		}
		req.Header.Set("Authorization", "Bearer "+s.Token("rest-user", "read:todos"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var id identity
		json.NewDecoder(resp.Body).Decode(&id)
		if resp.StatusCode != 200 || id.Subject != "rest-user" || id.Issuer != s.Issuer || !slices.Equal(id.Scopes, []string{"read:todos"}) {
			t.Fatalf("%d %+v", resp.StatusCode, id)
		}
	})
	t.Run("tools/list and whoami", func(t *testing.T) {
		session := s.Connect(t, s.Token("alice", "read:todos delete:todos"))
		tools, err := session.ListTools(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
		}
		slices.Sort(names)
		if strings.Join(names, ",") != "create-todo,delete-todo,get-todos,whoami" {
			t.Fatalf("tools %v", names)
		}
		var id identity
		Call(t, session, "whoami", nil, &id)
		if id.Subject != "alice" || id.Issuer != s.Issuer || id.ClientID != "test-client" || !slices.Equal(id.Scopes, []string{"read:todos", "delete:todos"}) {
			t.Fatalf("whoami %+v", id)
		}
	})
	t.Run("step-up: create-todo needs create:todos", func(t *testing.T) {
		reader := s.ClientCredentials(t, "read:todos")
		resp := s.Post(t, reader, `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"x"}}}`)
		c, err := authtest.ParseChallenge(resp.Header.Get("WWW-Authenticate"))
		if resp.StatusCode != 403 || err != nil {
			t.Fatalf("%d %q %v", resp.StatusCode, resp.Header.Get("WWW-Authenticate"), err)
		}
		code, _ := c.Get("error")
		scope, _ := c.Get("scope")
		rm, _ := c.Get("resource_metadata")
		if code != "insufficient_scope" || scope != "create:todos" || rm != prm {
			t.Fatalf("challenge %+v", c)
		}
		// A new token with the challenged scope succeeds.
		session := s.Connect(t, s.ClientCredentials(t, scope))
		var created todo.Todo
		Call(t, session, "create-todo", map[string]any{"content": "after step-up"}, &created)
		if created.Content != "after step-up" || created.OwnerID != todo.DemoClientID || created.ID == "" || created.CreatedAt == "" {
			t.Fatalf("created %+v", created)
		}
	})
	t.Run("get-todos and delete-todo rules", func(t *testing.T) { todoRules(t, s) })
	t.Run("development mode", func(t *testing.T) { devMode(t, run) })
	t.Run("2025-11-25 client (go-sdk), session bound to its user", func(t *testing.T) { sessionful(t, s) })
	t.Run("2026-07-28 client (mcp-go)", func(t *testing.T) { Modern(t, run, "2026-07-28") })
	t.Run("introspection mode", func(t *testing.T) { introspectionMode(t, run) })
	t.Run("DPoP required", func(t *testing.T) { dpopMode(t, run) })
	t.Run("sign-in flow of the development server", func(t *testing.T) {
		token := SignIn(t, s, "admin")
		var id identity
		Call(t, s.Connect(t, token), "whoami", nil, &id)
		if id.Subject != "admin" || !slices.Equal(id.Scopes, todo.Scopes) {
			t.Fatalf("whoami %+v", id)
		}
		token = SignIn(t, s, "user")
		resp := s.Post(t, token, `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"x"}}}`)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 403 {
			t.Fatalf("user without scopes: %d %s", resp.StatusCode, b)
		}
	})
}

func todoRules(t *testing.T, s *Server) {
	alice := s.Connect(t, s.Token("rules-alice", "create:todos"))
	bob := s.Connect(t, s.Token("rules-bob", "create:todos"))
	reader := s.Connect(t, s.Token("rules-reader", "read:todos"))
	deleter := s.Connect(t, s.Token("rules-deleter", "delete:todos"))
	var a1, a2, b1 todo.Todo
	Call(t, alice, "create-todo", map[string]any{"content": "alice 1"}, &a1)
	Call(t, alice, "create-todo", map[string]any{"content": "alice 2"}, &a2)
	Call(t, bob, "create-todo", map[string]any{"content": "bob 1"}, &b1)
	list := func(session *mcp.ClientSession) []string {
		var l todo.List
		Call(t, session, "get-todos", nil, &l)
		var out []string
		for _, td := range l.Todos {
			out = append(out, td.ID)
		}
		return out
	}
	if got := list(alice); !slices.Equal(got, []string{a1.ID, a2.ID}) {
		t.Fatalf("alice sees %v, want only her own", got)
	}
	if got := list(reader); !slices.Contains(got, a1.ID) || !slices.Contains(got, b1.ID) {
		t.Fatalf("read:todos sees %v, want everyone's", got)
	}
	if got := list(deleter); len(got) != 0 {
		t.Fatalf("a caller with no todos and no read:todos sees %v", got)
	}
	// A stranger may not delete.
	if res := Call(t, bob, "delete-todo", map[string]any{"id": a1.ID}, nil); !res.IsError {
		t.Fatal("bob deleted alice's todo")
	}
	// The owner may.
	var deleted todo.Todo
	if res := Call(t, alice, "delete-todo", map[string]any{"id": a1.ID}, &deleted); res.IsError || deleted.ID != a1.ID {
		t.Fatalf("owner delete: %+v", res)
	}
	// delete:todos may delete anyone's.
	if res := Call(t, deleter, "delete-todo", map[string]any{"id": b1.ID}, &deleted); res.IsError || deleted.ID != b1.ID {
		t.Fatalf("delete:todos delete: %+v", res)
	}
	if res := Call(t, deleter, "delete-todo", map[string]any{"id": "todo-nope"}, nil); !res.IsError {
		t.Fatal("deleting a missing todo succeeded")
	}
	if got := list(alice); !slices.Equal(got, []string{a2.ID}) {
		t.Fatalf("after deletes alice sees %v", got)
	}
}

// devMode is the example as `go run .` starts it: its own development
// authorization server, announced with a WARN line and the banner, whose
// demo client gets a token a tool call accepts; refused when the server is
// not on loopback.
// sessionful pins the go-sdk client to 2025-11-25: the verified identity
// reaches the tools, and where the server keeps a session (Mcp-Session-Id;
// the mcp-go example does, the go-sdk examples are stateless) the session
// refuses a request carrying another user's valid token.
func sessionful(t *testing.T, s *Server) {
	session := s.ConnectVersion(t, s.Token("session-alice", "read:todos"), "2025-11-25")
	if got := session.InitializeResult().ProtocolVersion; got != "2025-11-25" {
		t.Fatalf("negotiated %s", got)
	}
	var id identity
	Call(t, session, "whoami", nil, &id)
	if id.Subject != "session-alice" || id.Issuer != s.Issuer {
		t.Fatalf("whoami %+v", id)
	}
	if session.ID() == "" {
		t.Log("the server is stateless (no Mcp-Session-Id): no session to bind")
		return
	}
	req, _ := http.NewRequest(http.MethodPost, s.Resource, strings.NewReader(`{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"whoami","arguments":{}}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	req.Header.Set("Mcp-Protocol-Version", "2025-11-25")
	req.Header.Set("Mcp-Session-Id", session.ID())
	req.Header.Set("Authorization", "Bearer "+s.Token("session-mallory", "read:todos"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another user's token on alice's session: %d %s", resp.StatusCode, body)
	}
	if strings.Contains(string(body), "session-alice") {
		t.Fatalf("alice's identity leaked: %s", body)
	}
}

func devMode(t *testing.T, run RunFunc) {
	s := StartDev(t, run)
	if !strings.HasPrefix(s.Issuer, "http://127.0.0.1:") || s.Logs.Attr("development authorization server running", "level") != "WARN" {
		t.Fatalf("issuer %q, logs:\n%s", s.Issuer, s.Logs)
	}
	resp := s.Post(t, "", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)
	if resp.StatusCode != 401 {
		t.Fatalf("no token: %d", resp.StatusCode)
	}
	var id identity
	Call(t, s.Connect(t, s.ClientCredentials(t, "read:todos")), "whoami", nil, &id)
	if id.Issuer != s.Issuer || id.ClientID != todo.DemoClientID {
		t.Fatalf("whoami %+v", id)
	}
	for _, tt := range []struct {
		listen   string
		resource string
	}{
		{"0.0.0.0:0", ""},
		{"127.0.0.1:0", "https://mcp.example.com/mcp"},
	} {
		ln, err := net.Listen("tcp", tt.listen)
		if err != nil {
			t.Fatal(err)
		}
		err = run(t.Context(), ln, todo.Config{Resource: tt.resource, JWKSMinRefresh: time.Second}, slog.New(slog.DiscardHandler))
		if err == nil || !strings.Contains(err.Error(), "-issuer") {
			t.Errorf("%s %s: %v", tt.listen, tt.resource, err)
		}
	}
}

// introspectionMode is the example verifying opaque tokens by introspection
// (RFC 7662) at its authorization server, as the demo client.
func introspectionMode(t *testing.T, run RunFunc) {
	opts := todo.DevServerOptions()
	opts.OpaqueTokens = true
	s := startWith(t, run, todo.Config{JWKSMinRefresh: time.Second, IntrospectClientID: todo.DemoClientID,
		IntrospectClientSecret: todo.DemoClientSecret, IntrospectCacheTTL: time.Second}, opts)
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {s.Resource}, "scope": {"read:todos"}}
	token := s.token(t, form, todo.DemoClientID, todo.DemoClientSecret)
	if strings.Count(token, ".") == 2 {
		t.Fatalf("not an opaque token: %s", token)
	}
	var id identity
	Call(t, s.Connect(t, token), "whoami", nil, &id)
	if id.ClientID != todo.DemoClientID || !slices.Equal(id.Scopes, []string{"read:todos"}) {
		t.Fatalf("whoami %+v", id)
	}
	if resp := s.Post(t, "opaque-unknown", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`); resp.StatusCode != 401 {
		t.Fatalf("unknown opaque token: %d", resp.StatusCode)
	}
}
