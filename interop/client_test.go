//go:build unix

package interop

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

var allTools = []string{"create-todo", "delete-todo", "get-todos", "whoami"}

// TestTypeScriptClient drives every example server, trusting oidc-provider,
// with the TypeScript SDK's ClientCredentialsProvider: the whole discovery
// and token flow, then the step-up from a token without create:todos.
func TestTypeScriptClient(t *testing.T) {
	as := startAuthServer(t, asOptions{})
	for _, name := range exampleNames {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ex := startExample(t, name, "-issuer", as.Issuer)
			t.Run("flow", func(t *testing.T) { testFlow(t, as, ex) })
			t.Run("step-up", func(t *testing.T) { testStepUp(t, as, ex) })
		})
	}
}

// testFlow checks 401 → protected resource metadata → authorization-server
// discovery → token with resource → initialize → tools/list → whoami.
func testFlow(t *testing.T, as *authServer, ex *example) {
	// What the client will discover, checked on the wire first.
	prm := do(t, "GET", ex.PRM(), "", "")
	var doc struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	if prm.Status != 200 || json.Unmarshal(prm.Body, &doc) != nil || doc.Resource != ex.Resource ||
		!slices.Equal(doc.AuthorizationServers, []string{as.Issuer}) || !slices.Equal(doc.ScopesSupported, []string{"create:todos", "read:todos", "delete:todos"}) {
		t.Fatalf("protected resource metadata: %v", prm)
	}

	const scope = "read:todos"
	rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: as.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: scope,
		Calls: []clientCall{{Name: "whoami"}}})
	if rep.ConnectError != "" {
		t.Fatalf("connect: %s", rep.ConnectError)
	}
	if len(rep.HTTP) < 5 {
		t.Fatalf("only %d HTTP exchanges", len(rep.HTTP))
	}
	// 1. The unauthenticated initialize is challenged with the metadata URL.
	first := rep.HTTP[0]
	if first.Method != "POST" || first.URL != ex.MCP || first.RPC != "initialize" || first.AuthScheme != "" || first.Status != 401 {
		t.Fatalf("first exchange: %v", first)
	}
	if p := challengeParams(t, first.WWWAuthenticate); p["resource_metadata"] != ex.PRM() || p["error"] != "" {
		t.Fatalf("401 challenge: %q", first.WWWAuthenticate)
	}
	// 2. The protected resource metadata, 3. the authorization server's.
	if x := rep.HTTP[1]; x.Method != "GET" || x.URL != ex.PRM() || x.Status != 200 {
		t.Fatalf("second exchange: %v", x)
	}
	if x := rep.HTTP[2]; x.Method != "GET" || x.URL != as.Issuer+"/.well-known/oauth-authorization-server" || x.Status != 200 {
		t.Fatalf("third exchange: %v", x)
	}
	// 4. A client_credentials token for the resource (RFC 8707).
	tok := rep.HTTP[3]
	if tok.Method != "POST" || tok.URL != as.Issuer+"/token" || tok.Status != 200 || tok.AuthScheme != "Basic" ||
		tok.Form["grant_type"] != "client_credentials" || tok.Form["resource"] != ex.Resource || tok.Form["scope"] != scope {
		t.Fatalf("token request: %v", tok)
	}
	// 5. initialize again, with the token, then everything else.
	if x := rep.HTTP[4]; x.URL != ex.MCP || x.RPC != "initialize" || x.AuthScheme != "Bearer" || x.Status != 200 {
		t.Fatalf("fifth exchange: %v", x)
	}
	var rpcs []string
	for _, x := range rep.HTTP[5:] {
		if x.URL != ex.MCP || x.AuthScheme != "Bearer" || (x.Status != 200 && x.Status != 202 && !(x.Method == "GET" && x.Status == http.StatusMethodNotAllowed)) {
			t.Errorf("after the token: %v", x)
		}
		if x.RPC != "" {
			rpcs = append(rpcs, x.RPC)
		}
	}
	if !slices.Equal(rpcs, []string{"notifications/initialized", "tools/list", "tools/call"}) {
		t.Errorf("JSON-RPC after initialize: %v", rpcs)
	}
	if rep.Server == nil || rep.Server.Name != "todo-manager" {
		t.Errorf("server info %+v", rep.Server)
	}
	tools := slices.Sorted(slices.Values(rep.Tools))
	if !slices.Equal(tools, allTools) {
		t.Errorf("tools/list: %v", rep.Tools)
	}
	if len(rep.Calls) != 1 {
		t.Fatalf("calls %+v", rep.Calls)
	}
	who := rep.Calls[0]
	if who.Error != "" || who.IsError || who.Structured["issuer"] != as.Issuer || who.Structured["subject"] != clientID ||
		who.Structured["clientId"] != clientID || !sameJSON(who.Structured["scopes"], []string{scope}) {
		t.Fatalf("whoami: %+v", who)
	}
	if !strings.Contains(who.Text, `"subject":"`+clientID+`"`) {
		t.Errorf("whoami text content %q", who.Text)
	}
}

// testStepUp checks that create-todo without create:todos is answered 403
// insufficient_scope naming create:todos, and that a client asking for the
// challenged scope then creates the todo.
func testStepUp(t *testing.T, as *authServer, ex *example) {
	content := "step-up from " + ex.Name
	create := clientCall{Name: "create-todo", Arguments: map[string]any{"content": content}}
	rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: as.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: "read:todos",
		Calls: []clientCall{create}})
	if rep.ConnectError != "" {
		t.Fatalf("connect: %s", rep.ConnectError)
	}
	if len(rep.Calls) != 1 || rep.Calls[0].Error == "" || !strings.Contains(rep.Calls[0].Error, "403") {
		t.Fatalf("create-todo without create:todos: %+v", rep.Calls)
	}
	var challenge string
	refused := 0
	for _, x := range rep.HTTP {
		if x.Tool == "create-todo" {
			if x.Status != 403 {
				t.Fatalf("create-todo answered %v", x)
			}
			refused++
			challenge = x.WWWAuthenticate
		}
		// SDK 1.32.2 re-requests a token on 403, but with its own scope.
		if x.Form != nil && x.Form["scope"] != "read:todos" {
			t.Errorf("token request %v", x)
		}
	}
	if refused == 0 {
		t.Fatal("no create-todo request")
	}
	p := challengeParams(t, challenge)
	if p["error"] != "insufficient_scope" || p["scope"] != "create:todos" || p["resource_metadata"] != ex.PRM() || p["error_description"] == "" {
		t.Fatalf("403 challenge %q", challenge)
	}

	// Connect again, asking for the scope the challenge named.
	rep = runClient(t, clientConfig{URL: ex.MCP, Issuer: as.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: p["scope"],
		Calls: []clientCall{create, {Name: "get-todos"}}})
	if rep.ConnectError != "" {
		t.Fatalf("connect with %q: %s", p["scope"], rep.ConnectError)
	}
	if rep.TokenScope == nil || *rep.TokenScope != "create:todos" {
		t.Errorf("granted scope %v", rep.TokenScope)
	}
	for _, x := range rep.HTTP {
		if x.Status == 403 {
			t.Errorf("refused after the step-up: %v", x)
		}
	}
	if len(rep.Calls) != 2 {
		t.Fatalf("calls %+v", rep.Calls)
	}
	todo := rep.Calls[0]
	if todo.Error != "" || todo.IsError || todo.Structured["content"] != content || todo.Structured["ownerId"] != clientID ||
		todo.Structured["id"] == "" || todo.Structured["createdAt"] == "" {
		t.Fatalf("create-todo after the step-up: %+v", todo)
	}
	// Without read:todos, get-todos lists the caller's own todos.
	list := rep.Calls[1]
	todos, _ := list.Structured["todos"].([]any)
	if list.Error != "" || len(todos) != 1 || !sameJSON(todos[0], todo.Structured) {
		t.Fatalf("get-todos: %+v", list)
	}
}

// sameJSON reports whether a and b marshal to the same JSON.
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
