package apptest

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

// SignIn drives the development server's interactive flow as an MCP client
// would: it registers a public client (RFC 7591), opens the sign-in page with
// a PKCE S256 challenge and the resource, picks user, and exchanges the code.
func SignIn(t testing.TB, s *Server, user string) string {
	t.Helper()
	issuer := s.Issuer
	const redirect = "http://127.0.0.1:1/callback"
	resp, err := http.Post(issuer+"/register", "application/json", strings.NewReader(`{"redirect_uris":["`+redirect+`"],"token_endpoint_auth_method":"none","client_name":"apptest"}`))
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	json.NewDecoder(resp.Body).Decode(&reg)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || reg.ClientID == "" {
		t.Fatalf("registration: %d", resp.StatusCode)
	}
	verifier := strings.Repeat("v", 20) + "-code-verifier-for-" + user + "-0123456789"
	sum := sha256.Sum256([]byte(verifier))
	params := url.Values{
		"response_type": {"code"}, "client_id": {reg.ClientID}, "redirect_uri": {redirect}, "state": {"xyz"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"scope": {"create:todos read:todos delete:todos"}, "resource": {s.Resource},
	}
	page, err := http.Get(issuer + "/authorize?" + params.Encode())
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != 200 || !strings.Contains(string(html), `value="`+user+`"`) {
		t.Fatalf("sign-in page %d: %s", page.StatusCode, html)
	}
	params.Set("user", user)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.PostForm(issuer+"/authorize", params)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("state") != "xyz" || loc.Query().Get("code") == "" {
		t.Fatalf("authorization answer %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "client_id": {reg.ClientID},
		"redirect_uri": {redirect}, "code_verifier": {verifier}}
	return s.token(t, form, "", "")
}
