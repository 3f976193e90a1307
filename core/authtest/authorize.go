package authtest

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// authorizeRequest is a validated authorization request (RFC 6749 §4.1.1
// with PKCE, RFC 7636, and resource indicators, RFC 8707).
type authorizeRequest struct {
	client                           *Client
	redirect, state, scope, resource string
	challenge                        string
}

// parseAuthorize validates the request's parameters. Errors that make the
// redirect URI untrustworthy are answered on the page; others by redirecting.
func (s *Server) parseAuthorize(w http.ResponseWriter, r *http.Request, q url.Values) (*authorizeRequest, bool) {
	s.state.mu.Lock()
	c := s.state.clients[q.Get("client_id")]
	s.state.mu.Unlock()
	redirect := q.Get("redirect_uri")
	if c == nil || !slices.Contains(c.RedirectURIs, redirect) {
		http.Error(w, "unknown client_id or unregistered redirect_uri", http.StatusBadRequest)
		return nil, false
	}
	fail := func(code, description string) (*authorizeRequest, bool) {
		u, _ := url.Parse(redirect)
		v := u.Query()
		v.Set("error", code)
		v.Set("error_description", description)
		if st := q.Get("state"); st != "" {
			v.Set("state", st)
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
		return nil, false
	}
	if q.Get("response_type") != "code" {
		return fail("unsupported_response_type", "only code is supported")
	}
	if q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256" {
		return fail("invalid_request", "PKCE with S256 is required")
	}
	return &authorizeRequest{
		client: c, redirect: redirect, state: q.Get("state"), scope: q.Get("scope"),
		resource: q.Get("resource"), challenge: q.Get("code_challenge"),
	}, true
}

var signInPage = template.Must(template.New("signin").Funcs(template.FuncMap{"join": func(s []string) string { return strings.Join(s, " ") }}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Sign in: development authorization server</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}button{display:block;margin:.6em 0;padding:.6em 1em;font-size:1em}</style></head>
<body><h1>Development sign-in</h1>
<p>Client <b>{{.Client}}</b> asks for {{if .Scope}}<code>{{.Scope}}</code>{{else}}no particular scope{{end}}{{if .Resource}} for <code>{{.Resource}}</code>{{end}}.</p>
<p>This server is for development only: pick a demo user.</p>
<form method="post">
{{range $k, $v := .Params}}<input type="hidden" name="{{$k}}" value="{{$v}}">
{{end}}{{range .Users}}<button name="user" value="{{.Name}}">{{.Name}} ({{if .Scopes}}{{join .Scopes}}{{else}}no scopes{{end}})</button>
{{end}}</form></body></html>`))

func (s *Server) serveAuthorizePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, ok := s.parseAuthorize(w, r, q)
	if !ok {
		return
	}
	params := map[string]string{}
	for k := range q {
		params[k] = q.Get(k)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	signInPage.Execute(w, map[string]any{
		"Client": req.client.ID, "Scope": req.scope, "Resource": req.resource, "Params": params, "Users": s.state.users,
	})
}

func (s *Server) serveAuthorizeDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	req, ok := s.parseAuthorize(w, r, r.PostForm)
	if !ok {
		return
	}
	var user *User
	for i := range s.state.users {
		if s.state.users[i].Name == r.PostForm.Get("user") {
			user = &s.state.users[i]
		}
	}
	u, _ := url.Parse(req.redirect)
	v := u.Query()
	if user == nil {
		v.Set("error", "access_denied")
	} else {
		code := randomID() + randomID()
		s.state.mu.Lock()
		s.state.codes[code] = &grant{client: req.client, user: user.Name, redirect: req.redirect, challenge: req.challenge,
			scope: grantedScope(req.scope, user.Scopes), resource: req.resource, expires: s.now().Add(time.Minute)}
		s.state.mu.Unlock()
		v.Set("code", code)
		v.Set("iss", s.Issuer)
	}
	if req.state != "" {
		v.Set("state", req.state)
	}
	u.RawQuery = v.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// grantedScope is the requested scopes the user may have, or all of the
// user's scopes when none were requested.
func grantedScope(requested string, userScopes []string) string {
	if strings.TrimSpace(requested) == "" {
		return strings.Join(userScopes, " ")
	}
	var out []string
	for _, sc := range strings.Fields(requested) {
		if slices.Contains(userScopes, sc) {
			out = append(out, sc)
		}
	}
	return strings.Join(out, " ")
}

// exchangeCode is the authorization_code grant with PKCE verification.
// The token is bound to the key whose thumbprint is jkt, unless jkt is "".
func (s *Server) exchangeCode(w http.ResponseWriter, r *http.Request, jkt string) {
	c, ok := s.authenticateClient(w, r, true)
	if !ok {
		return
	}
	if !c.mayUse("authorization_code") {
		oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client may not use authorization_code")
		return
	}
	code := r.PostForm.Get("code")
	s.state.mu.Lock()
	g := s.state.codes[code]
	delete(s.state.codes, code) // one use only
	s.state.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case g == nil || g.client.ID != c.ID || !s.now().Before(g.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown, used or expired code")
	case g.redirect != r.PostForm.Get("redirect_uri"):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request")
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match the code_challenge")
	default:
		resource := g.resource
		if rs := r.PostForm.Get("resource"); rs != "" {
			resource = rs
		}
		writeJSON(w, http.StatusOK, s.issue(c, g.user, g.scope, resource, jkt))
	}
}

// serveRegister is dynamic client registration (RFC 7591).
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RedirectURIs []string `json:"redirect_uris"`
		ClientName   string   `json:"client_name"`
		AuthMethod   string   `json:"token_endpoint_auth_method"`
		Scope        string   `json:"scope"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_client_metadata", "the body is not a JSON object")
		return
	}
	for _, u := range req.RedirectURIs {
		if p, err := url.Parse(u); err != nil || p.Scheme == "" || p.Fragment != "" {
			oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect URIs must be absolute, without fragment")
			return
		}
	}
	if req.AuthMethod == "" {
		req.AuthMethod = "client_secret_basic"
	}
	// A registered client acts only for a signed-in user: no
	// client_credentials, which would give any local process every scope.
	c := Client{ID: "client-" + randomID(), RedirectURIs: req.RedirectURIs, GrantTypes: []string{"authorization_code"}}
	if req.AuthMethod != "none" {
		c.Secret = randomID() + randomID()
	}
	s.AddClient(c)
	resp := map[string]any{
		"client_id": c.ID, "client_id_issued_at": s.now().Unix(), "redirect_uris": req.RedirectURIs,
		"token_endpoint_auth_method": req.AuthMethod, "client_name": req.ClientName,
		"grant_types": c.GrantTypes, "response_types": []string{"code"},
	}
	if c.Secret != "" {
		resp["client_secret"] = c.Secret
		resp["client_secret_expires_at"] = 0
	}
	writeJSON(w, http.StatusCreated, resp)
}
