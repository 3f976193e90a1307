package authtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func newOAuthServer(t *testing.T) *Server {
	s := NewServer(&Options{
		Scopes:  []string{"read", "write"},
		Clients: []Client{{ID: "app", Secret: "s3cret"}, {ID: "reader", Secret: "pw", Scopes: []string{"read"}}},
		Users:   []User{{Name: "admin", Scopes: []string{"read", "write"}}, {Name: "user"}},
	})
	t.Cleanup(s.Close)
	return s
}

func postForm(t *testing.T, u string, form url.Values, basic ...string) (int, map[string]any) {
	t.Helper()
	return postWith(t, u, form, nil, basic...)
}

// postWith is postForm with more request headers.
func postWith(t *testing.T, u string, form url.Values, header http.Header, basic ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	for k, vs := range header {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if len(basic) == 2 {
		req.SetBasicAuth(basic[0], basic[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	b, _ := io.ReadAll(resp.Body)
	json.Unmarshal(b, &v)
	return resp.StatusCode, v
}

func claimsOf(t *testing.T, token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	b, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

func TestClientCredentials(t *testing.T) {
	s := newOAuthServer(t)
	tok := s.Issuer + "/token"
	code, resp := postForm(t, tok, url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}, "resource": {"https://mcp.example.com/mcp"}}, "app", "s3cret")
	if code != 200 || resp["token_type"] != "Bearer" || resp["scope"] != "read write" {
		t.Fatalf("%d %v", code, resp)
	}
	c := claimsOf(t, resp["access_token"].(string))
	if c["aud"] != "https://mcp.example.com/mcp" || c["sub"] != "app" || c["client_id"] != "app" || c["scope"] != "read write" || c["iss"] != s.Issuer {
		t.Fatalf("claims %v", c)
	}
	// client_secret_post
	if code, resp := postForm(t, tok, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}, "resource": {"x:y"}}); code != 200 {
		t.Fatalf("post: %d %v", code, resp)
	}
	if code, resp := postForm(t, tok, url.Values{"grant_type": {"client_credentials"}}, "app", "wrong"); code != 401 || resp["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", code, resp)
	}
	if code, resp := postForm(t, tok, url.Values{"grant_type": {"client_credentials"}, "scope": {"write"}}, "reader", "pw"); code != 400 || resp["error"] != "invalid_scope" {
		t.Fatalf("scope beyond the client's: %d %v", code, resp)
	}
	if code, resp := postForm(t, tok, url.Values{"grant_type": {"client_credentials"}, "scope": {"admin"}}, "app", "s3cret"); code != 400 || resp["error"] != "invalid_scope" {
		t.Fatalf("unknown scope: %d %v", code, resp)
	}
	if code, resp := postForm(t, tok, url.Values{"grant_type": {"password"}}, "app", "s3cret"); code != 400 || resp["error"] != "unsupported_grant_type" {
		t.Fatalf("grant: %d %v", code, resp)
	}
}

func TestOpaqueTokensIntrospectionAndRevocation(t *testing.T) {
	s := newOAuthServer(t)
	_, resp := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}, "app", "s3cret")
	token := resp["access_token"].(string)
	if strings.Count(token, ".") == 2 {
		t.Fatalf("a token without resource should be opaque: %q", token)
	}
	introspect := func() map[string]any {
		_, v := postForm(t, s.Issuer+"/introspect", url.Values{"token": {token}}, "reader", "pw")
		return v
	}
	if v := introspect(); v["active"] != true || v["sub"] != "app" || v["scope"] != "read" || v["iss"] != s.Issuer {
		t.Fatalf("%v", v)
	}
	if code, _ := postForm(t, s.Issuer+"/introspect", url.Values{"token": {token}}); code != 401 {
		t.Fatal("introspection without client authentication")
	}
	if code, _ := postForm(t, s.Issuer+"/revoke", url.Values{"token": {token}}, "app", "s3cret"); code != 200 {
		t.Fatal("revoke")
	}
	if v := introspect(); v["active"] != false {
		t.Fatalf("revoked token active: %v", v)
	}
	if _, v := postForm(t, s.Issuer+"/introspect", url.Values{"token": {"never-issued"}}, "app", "s3cret"); v["active"] != false {
		t.Fatalf("%v", v)
	}
}

// TestOpaqueTokensOption: with OpaqueTokens, a token issued for a resource
// is opaque too, and its introspection answer names the resource as aud.
func TestOpaqueTokensOption(t *testing.T) {
	s := NewServer(&Options{OpaqueTokens: true, Clients: []Client{{ID: "app", Secret: "s3cret"}}})
	defer s.Close()
	_, resp := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}, "resource": {"https://mcp.example.com/mcp"}}, "app", "s3cret")
	token, _ := resp["access_token"].(string)
	if token == "" || strings.Count(token, ".") == 2 {
		t.Fatalf("not an opaque token: %v", resp)
	}
	if _, v := postForm(t, s.Issuer+"/introspect", url.Values{"token": {token}}, "app", "s3cret"); v["active"] != true || v["aud"] != "https://mcp.example.com/mcp" {
		t.Fatalf("%v", v)
	}
}

// noRedirect returns the Location of a redirect instead of following it.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func TestAuthorizationCodeWithPKCE(t *testing.T) {
	s := newOAuthServer(t)
	// Dynamic registration of a public client.
	resp, err := http.Post(s.Issuer+"/register", "application/json", strings.NewReader(`{"redirect_uris":["http://127.0.0.1:6274/callback"],"token_endpoint_auth_method":"none","client_name":"Inspector"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg map[string]any
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	clientID, _ := reg["client_id"].(string)
	if resp.StatusCode != 201 || clientID == "" || reg["client_secret"] != nil {
		t.Fatalf("%d %v", resp.StatusCode, reg)
	}
	verifier := "a-very-long-code-verifier-of-at-least-43-characters-xyz"
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {"http://127.0.0.1:6274/callback"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {"st4te"}, "scope": {"read write"}, "resource": {"https://mcp.example.com/mcp"},
	}
	page, err := http.Get(s.Issuer + "/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(html), `value="admin"`) || !strings.Contains(string(html), `value="user"`) {
		t.Fatalf("sign-in page %d %s", page.StatusCode, html)
	}
	signIn := func(user string) *url.URL {
		form := url.Values{}
		for k := range q {
			form.Set(k, q.Get(k))
		}
		form.Set("user", user)
		resp, err := noRedirect.PostForm(s.Issuer+"/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("state") != "st4te" {
			t.Fatalf("%d %v", resp.StatusCode, loc)
		}
		return loc
	}
	loc := signIn("admin")
	code := loc.Query().Get("code")
	if code == "" || loc.Query().Get("iss") != s.Issuer {
		t.Fatalf("redirect %v", loc)
	}
	exchange := func(code, verifier string) (int, map[string]any) {
		return postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {clientID},
			"redirect_uri": {"http://127.0.0.1:6274/callback"}, "code_verifier": {verifier}})
	}
	if c, v := exchange(code, "wrong-verifier"); c != 400 || v["error"] != "invalid_grant" {
		t.Fatalf("wrong verifier: %d %v", c, v)
	}
	code = signIn("admin").Query().Get("code")
	c, tok := exchange(code, verifier)
	if c != 200 {
		t.Fatalf("%d %v", c, tok)
	}
	claims := claimsOf(t, tok["access_token"].(string))
	if claims["sub"] != "admin" || claims["scope"] != "read write" || claims["aud"] != "https://mcp.example.com/mcp" {
		t.Fatalf("claims %v", claims)
	}
	if c, _ := exchange(code, verifier); c != 400 {
		t.Fatal("a code was used twice")
	}
	// The user without scopes gets a token without them.
	c, tok = exchange(signIn("user").Query().Get("code"), verifier)
	if c != 200 || claimsOf(t, tok["access_token"].(string))["scope"] != nil {
		t.Fatalf("user token: %d %v", c, tok)
	}
	// A registered client acts for a signed-in user only: no client_credentials.
	if grants, _ := reg["grant_types"].([]any); len(grants) != 1 || grants[0] != "authorization_code" {
		t.Fatalf("registered grant types %v", reg["grant_types"])
	}
	if c, v := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "scope": {"read write"}}); c != 401 && (c != 400 || v["error"] != "unauthorized_client") {
		t.Fatalf("public client, client_credentials: %d %v", c, v)
	}
	// PKCE is required.
	q.Del("code_challenge")
	resp, _ = noRedirect.Get(s.Issuer + "/authorize?" + q.Encode())
	resp.Body.Close()
	if loc, _ := url.Parse(resp.Header.Get("Location")); loc == nil || loc.Query().Get("error") != "invalid_request" {
		t.Fatalf("no PKCE: %v", resp.Header)
	}
	// An unregistered redirect URI is never redirected to.
	q.Set("redirect_uri", "https://evil.example.com/cb")
	resp, _ = noRedirect.Get(s.Issuer + "/authorize?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
		t.Fatalf("unregistered redirect: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestCORSPreflight(t *testing.T) {
	s := newOAuthServer(t)
	req, _ := http.NewRequest("OPTIONS", s.Issuer+"/token", nil)
	req.Header.Set("Origin", "http://localhost:6274")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
}

// TestRegisteredConfidentialClient: a confidential client that registered
// itself cannot take scopes with client_credentials; it gets tokens only
// through a signed-in user, with that user's scopes at most.
func TestRegisteredConfidentialClient(t *testing.T) {
	s := newOAuthServer(t)
	resp, err := http.Post(s.Issuer+"/register", "application/json", strings.NewReader(`{"redirect_uris":["http://127.0.0.1:9/cb"],"client_name":"local process"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg map[string]any
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	id, _ := reg["client_id"].(string)
	secret, _ := reg["client_secret"].(string)
	if resp.StatusCode != 201 || secret == "" {
		t.Fatalf("%d %v", resp.StatusCode, reg)
	}
	code, v := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}}, id, secret)
	if code != 400 || v["error"] != "unauthorized_client" || v["access_token"] != nil {
		t.Fatalf("client_credentials for a registered client: %d %v", code, v)
	}
	// The demo client configured up front keeps client_credentials.
	if code, v := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}}, "app", "s3cret"); code != 200 {
		t.Fatalf("configured client: %d %v", code, v)
	}
	// A configured client limited to authorization_code.
	s.AddClient(Client{ID: "web", Secret: "pw", GrantTypes: []string{"authorization_code"}})
	if code, v := postForm(t, s.Issuer+"/token", url.Values{"grant_type": {"client_credentials"}}, "web", "pw"); code != 400 || v["error"] != "unauthorized_client" {
		t.Fatalf("GrantTypes not applied: %d %v", code, v)
	}
}
