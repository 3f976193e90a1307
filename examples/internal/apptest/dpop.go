package apptest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
	"github.com/mcp-auth/go/examples/todo"
)

// DPoPToken gets a token bound to key from the authorization server's
// token endpoint (client credentials as the demo client, with a proof).
func (s *Server) DPoPToken(t testing.TB, key *authtest.Key, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {s.Resource}, "scope": {scope}}
	req, _ := http.NewRequest(http.MethodPost, s.Issuer+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(todo.DemoClientID, todo.DemoClientSecret)
	req.Header.Set("DPoP", key.Proof(http.MethodPost, s.Issuer+"/token", ""))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || json.Unmarshal(b, &tok) != nil || tok.TokenType != "DPoP" {
		t.Fatalf("token endpoint: %d %s", resp.StatusCode, b)
	}
	return tok.AccessToken
}

// dpopMode runs the example with -dpop required: the Go SDK's client,
// sending proofs, works with each protocol generation; a bearer token, the
// bound token downgraded to Bearer, and a proof-less request are refused
// with the DPoP challenge alone; step-up is answered in it.
func dpopMode(t *testing.T, run RunFunc) {
	s := StartWith(t, run, todo.Config{DPoP: &mcpauth.DPoPOptions{Required: true}})
	key, err := authtest.NewKey("", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	token := s.DPoPToken(t, key, "read:todos")
	for _, version := range []string{"2025-11-25", ""} {
		c := mcp.NewClient(&mcp.Implementation{Name: "apptest-dpop", Version: "1.0.0"}, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		session, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: s.Resource, HTTPClient: &http.Client{Transport: &authtest.DPoPTransport{Key: key, Token: token}}, MaxRetries: -1},
			&mcp.ClientSessionOptions{ProtocolVersion: version})
		cancel()
		if err != nil {
			t.Fatalf("connect (%q) with DPoP: %v", version, err)
		}
		var id identity
		Call(t, session, "whoami", nil, &id)
		session.Close()
		if id.Subject != todo.DemoClientID || id.Issuer != s.Issuer {
			t.Fatalf("whoami %+v", id)
		}
	}
	prm := strings.Replace(s.Resource, "/mcp", "/.well-known/oauth-protected-resource/mcp", 1)
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{"content":"x"}}}`
	post := func(scheme, token string, proof bool) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, s.Resource, strings.NewReader(call))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", scheme+" "+token)
		if proof {
			req.Header.Set("DPoP", key.Proof(http.MethodPost, s.Resource, token))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for name, tt := range map[string]struct {
		resp          *http.Response
		status        int
		code, scope   string
		describedHere string
	}{
		"step-up":               {post("DPoP", token, true), 403, "insufficient_scope", "create:todos", ""},
		"bound token as Bearer": {post("Bearer", token, false), 401, "invalid_token", "", "DPoP-bound"},
		"no proof":              {post("DPoP", token, false), 401, "invalid_dpop_proof", "", ""},
		"a plain bearer token":  {post("Bearer", s.Token("bearer-user", "read:todos"), false), 401, "invalid_token", "", "DPoP-bound"},
	} {
		cs, err := authtest.ParseChallenges(tt.resp.Header.Get("WWW-Authenticate"))
		if tt.resp.StatusCode != tt.status || err != nil || len(cs) != 1 || cs[0].Scheme != "DPoP" {
			t.Fatalf("%s: %d %q %v", name, tt.resp.StatusCode, tt.resp.Header.Get("WWW-Authenticate"), err)
		}
		code, _ := cs[0].Get("error")
		scope, _ := cs[0].Get("scope")
		rm, _ := cs[0].Get("resource_metadata")
		algs, _ := cs[0].Get("algs")
		desc, _ := cs[0].Get("error_description")
		if code != tt.code || !strings.HasSuffix(scope, tt.scope) || rm != prm || !strings.Contains(algs, "ES256") || !strings.Contains(desc, tt.describedHere) {
			t.Fatalf("%s: challenge %+v", name, cs[0])
		}
	}
}
