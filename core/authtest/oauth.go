package authtest

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// Client is a client registered with the server.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret; "" makes a public client (authorization
	// code with PKCE only).
	Secret string
	// RedirectURIs are the allowed redirect URIs of the authorization code flow.
	RedirectURIs []string
	// Scopes limits the scopes the client may request; nil means any scope
	// of Options.Scopes (or any scope at all when Options.Scopes is empty).
	Scopes []string
	// GrantTypes are the grants the client may use at the token endpoint:
	// "client_credentials", "authorization_code"; nil means both. Clients
	// that register themselves (POST /register) get authorization_code
	// only, so that they act for a signed-in user, with no scope beyond
	// that user's.
	GrantTypes []string
}

// mayUse reports whether c may use grant.
func (c *Client) mayUse(grant string) bool {
	return c.GrantTypes == nil || slices.Contains(c.GrantTypes, grant)
}

// User is a demo user of the sign-in page, with the scopes it may be granted.
type User struct {
	// Name is the user's subject ("sub").
	Name string
	// Scopes are the scopes a token for this user may carry.
	Scopes []string
}

// issued is what the server remembers of a token it issued, for
// introspection and revocation.
type issued struct {
	claims  map[string]any
	expires time.Time
	revoked bool
}

// grant is a pending authorization code.
type grant struct {
	client    *Client
	user      string
	redirect  string
	challenge string
	scope     string
	resource  string
	expires   time.Time
}

// oauthState holds the server's clients, users, codes and tokens.
type oauthState struct {
	mu      sync.Mutex
	clients map[string]*Client
	users   []User
	codes   map[string]*grant
	tokens  map[string]*issued
}

// oauthRoutes registers the OAuth endpoints.
func (s *Server) oauthRoutes() {
	p := s.opts.Path
	s.state.clients = map[string]*Client{}
	for i := range s.opts.Clients {
		c := s.opts.Clients[i]
		s.state.clients[c.ID] = &c
	}
	s.state.users = s.opts.Users
	s.state.codes = map[string]*grant{}
	s.state.tokens = map[string]*issued{}
	s.mux.HandleFunc("POST "+p+"/token", s.serveToken)
	s.mux.HandleFunc("POST "+p+"/introspect", s.serveIntrospect)
	s.mux.HandleFunc("POST "+p+"/revoke", s.serveRevoke)
	s.mux.HandleFunc("POST "+p+"/register", s.serveRegister)
	s.mux.HandleFunc("GET "+p+"/authorize", s.serveAuthorizePage)
	s.mux.HandleFunc("POST "+p+"/authorize", s.serveAuthorizeDecision)
}

// AddClient registers a client.
func (s *Server) AddClient(c Client) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	s.state.clients[c.ID] = &c
}

// oauthError writes an RFC 6749 §5.2 error.
func oauthError(w http.ResponseWriter, status int, code, description string) {
	writeJSON(w, status, map[string]string{"error": code, "error_description": description})
}

// authenticateClient reads client_secret_basic or client_secret_post
// credentials, or a public client's client_id. It answers the error itself.
func (s *Server) authenticateClient(w http.ResponseWriter, r *http.Request, allowPublic bool) (*Client, bool) {
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.state.mu.Lock()
	c := s.state.clients[id]
	s.state.mu.Unlock()
	switch {
	case c == nil:
	case c.Secret == "" && allowPublic && secret == "":
		return c, true
	case c.Secret != "" && c.Secret == secret:
		return c, true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="authtest"`)
	oauthError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
	return nil, false
}

// allowedScopes checks the requested scope against the client's and the
// server's lists; it returns the scope to grant.
func (s *Server) allowedScopes(c *Client, requested string) (string, bool) {
	allowed := c.Scopes
	if allowed == nil {
		allowed = s.opts.Scopes
	}
	for _, sc := range strings.Fields(requested) {
		if allowed != nil && !slices.Contains(allowed, sc) {
			return "", false
		}
	}
	return strings.Join(strings.Fields(requested), " "), true
}

// issue mints an access token for sub: a JWT whose aud is resource, or an
// opaque token when no resource is given (as some servers do), bound to the
// DPoP key whose thumbprint is jkt unless jkt is "". It returns the token
// response.
func (s *Server) issue(c *Client, sub, scope, resource, jkt string) map[string]any {
	now := s.now()
	ttl := s.opts.TokenTTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	claims := map[string]any{
		"iss": s.Issuer, "sub": sub, "client_id": c.ID, "iat": now.Unix(), "exp": now.Add(ttl).Unix(), "jti": randomID(),
	}
	if scope != "" {
		claims["scope"] = scope
	}
	tokenType := "Bearer"
	if jkt != "" {
		claims["cnf"] = map[string]any{"jkt": jkt}
		tokenType = "DPoP"
	}
	var token string
	if resource != "" {
		claims["aud"] = resource
	}
	if resource != "" && !s.opts.OpaqueTokens {
		token = s.MintWith(MintOptions{Claims: Claims(maps.Clone(claims))})
	} else {
		token = "opaque-" + randomID() + randomID()
	}
	s.state.mu.Lock()
	s.state.tokens[token] = &issued{claims: claims, expires: now.Add(ttl)}
	s.state.mu.Unlock()
	resp := map[string]any{"access_token": token, "token_type": tokenType, "expires_in": int(ttl.Seconds())}
	if scope != "" {
		resp["scope"] = scope
	}
	return resp
}

func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	jkt, ok := s.dpopKey(w, r)
	if !ok {
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		c, ok := s.authenticateClient(w, r, false)
		if !ok {
			return
		}
		if !c.mayUse("client_credentials") {
			oauthError(w, http.StatusBadRequest, "unauthorized_client", "the client may not use client_credentials")
			return
		}
		scope, ok := s.allowedScopes(c, r.PostForm.Get("scope"))
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "the client may not request this scope")
			return
		}
		writeJSON(w, http.StatusOK, s.issue(c, c.ID, scope, r.PostForm.Get("resource"), jkt))
	case "authorization_code":
		s.exchangeCode(w, r, jkt)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "supported: client_credentials, authorization_code")
	}
}

func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if _, ok := s.authenticateClient(w, r, false); !ok {
		return
	}
	s.state.mu.Lock()
	t := s.state.tokens[r.PostForm.Get("token")]
	s.state.mu.Unlock()
	if t == nil || t.revoked || !s.now().Before(t.expires) {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	answer := map[string]any{"active": true, "token_type": "Bearer"}
	if _, bound := t.claims["cnf"]; bound {
		answer["token_type"] = "DPoP" // RFC 9449 §6.2
	}
	for k, v := range t.claims {
		answer[k] = v
	}
	writeJSON(w, http.StatusOK, answer)
}

// serveRevoke revokes a token (RFC 7009): it answers 200 whether or not the
// token was known.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "malformed form")
		return
	}
	if _, ok := s.authenticateClient(w, r, true); !ok {
		return
	}
	s.Revoke(r.PostForm.Get("token"))
	w.WriteHeader(http.StatusOK)
}

// Revoke marks a token issued by the token endpoint as revoked, so that
// introspection answers it inactive.
func (s *Server) Revoke(token string) {
	s.state.mu.Lock()
	defer s.state.mu.Unlock()
	if t := s.state.tokens[token]; t != nil {
		t.revoked = true
	}
}
