// Package authtest is an in-process OAuth 2.1 authorization server for tests
// and demos, in the manner of net/http/httptest: metadata discovery at
// choosable locations, a JSON Web Key Set with RS256, ES256 and EdDSA keys
// that can be added, retired and rotated, tokens minted from Go with any
// claim or header overridden, counters of requests per path, and a way to
// take the server down and bring it back on the same address.
//
// It is also a small but real OAuth 2.1 server, enough for third-party MCP
// clients and for the examples' development mode: a token endpoint
// (client_credentials with client_secret_basic or client_secret_post, and
// authorization_code with PKCE S256; RFC 8707 "resource" becomes the JWT's
// "aud", and without it, or with Options.OpaqueTokens, the token is opaque),
// introspection (RFC 7662), revocation (RFC 7009), dynamic client
// registration (RFC 7591) and a sign-in page where a developer picks one of
// the demo users.
//
// It listens on a loopback address only, and is not meant for production.
package authtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Location is a place where the server serves its metadata document.
type Location string

// Metadata locations (see the MCP discovery order).
const (
	// OAuthInsert is /.well-known/oauth-authorization-server inserted before
	// the issuer's path (RFC 8414 §3.1).
	OAuthInsert Location = "oauth-insert"
	// OIDCInsert is /.well-known/openid-configuration inserted before the
	// issuer's path.
	OIDCInsert Location = "oidc-insert"
	// OIDCAppend is /.well-known/openid-configuration appended to the
	// issuer (OpenID Connect Discovery §4).
	OIDCAppend Location = "oidc-append"
)

// Options configures [NewServer]. The zero value is a server whose issuer is
// its root URL, serving OAuth and OIDC metadata and one RS256 key.
type Options struct {
	// Path is the issuer's path, such as "/tenant1"; "" means the root.
	Path string
	// Locations are where metadata is served; nil means OAuthInsert and OIDCAppend.
	Locations []Location
	// Algorithm of the first signing key: RS256 (default), ES256, EdDSA, …
	Algorithm string
	// Audience is put in minted tokens' "aud" by default.
	Audience string
	// Scopes are advertised in scopes_supported.
	Scopes []string
	// Metadata, when set, edits the metadata document before it is served.
	Metadata func(doc map[string]any)
	// Addr is the address to listen on; "" means 127.0.0.1:0. It must be a
	// loopback address (127.0.0.0/8, ::1 or localhost, with a port): the
	// server hands out tokens to whoever asks.
	Addr string
	// Now returns the current time for minted tokens; nil means time.Now.
	Now func() time.Time
	// Clients are registered from the start; more come by dynamic
	// registration (POST /register) or AddClient.
	Clients []Client
	// Users are the demo users offered by the sign-in page (GET /authorize).
	Users []User
	// TokenTTL is the lifetime of tokens from the token endpoint; 0 means an hour.
	TokenTTL time.Duration
	// OpaqueTokens makes the token endpoint issue opaque access tokens
	// even for a resource (as Ory Hydra does by default): resource servers
	// must introspect them, and the introspection answer carries the
	// resource as "aud".
	OpaqueTokens bool
}

// Server is a running test authorization server.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:port.
	URL string
	// Issuer is URL plus the issuer path.
	Issuer string

	opts Options
	now  func() time.Time
	addr string
	mux  *http.ServeMux

	mu        sync.Mutex
	srv       *httptest.Server
	keys      []*Key // published in the JWKS
	signing   *Key   // signs minted tokens
	counts    map[string]int
	total     int
	intercept func(w http.ResponseWriter, r *http.Request) bool
	nextKey   int
	extra     map[string]http.Handler
	state     oauthState
}

// NewServer starts a server. It panics if it cannot listen or generate a
// key, like httptest.NewServer.
func NewServer(opts *Options) *Server {
	s, err := Start(opts)
	if err != nil {
		panic(err)
	}
	return s
}

// Start is NewServer returning an error instead of panicking.
func Start(opts *Options) (*Server, error) {
	o := Options{}
	if opts != nil {
		o = *opts
	}
	if o.Algorithm == "" {
		o.Algorithm = "RS256"
	}
	if o.Locations == nil {
		o.Locations = []Location{OAuthInsert, OIDCAppend}
	}
	o.Path = strings.TrimSuffix(o.Path, "/")
	s := &Server{opts: o, now: o.Now, counts: map[string]int{}, extra: map[string]http.Handler{}}
	if s.now == nil {
		s.now = time.Now
	}
	key, err := s.AddKey(o.Algorithm)
	if err != nil {
		return nil, err
	}
	s.signing = key
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if !loopbackAddr(addr) {
		return nil, fmt.Errorf("authtest: Addr %q is not a loopback address: the test authorization server issues tokens to whoever asks, so it listens on 127.0.0.1, ::1 or localhost only", o.Addr)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("authtest: listen: %w", err)
	}
	s.addr = l.Addr().String()
	s.URL = "http://" + s.addr
	s.Issuer = s.URL + o.Path
	s.mux = http.NewServeMux()
	s.routes()
	s.serve(l)
	return s, nil
}

// loopbackAddr reports whether addr (host:port) names a loopback host.
func loopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) serve(l net.Listener) {
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: http.HandlerFunc(s.handle)}}
	srv.Start()
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
}

// handle counts the request, lets the intercept answer it, then routes it.
func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts[r.URL.Path]++
	s.total++
	intercept := s.intercept
	s.mu.Unlock()
	if intercept != nil && intercept(w, r) {
		return
	}
	// Browser-based clients call the endpoints cross-origin.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "*")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// routes registers the metadata locations and the JWKS.
func (s *Server) routes() {
	p := s.opts.Path
	seen := map[string]bool{}
	for _, loc := range s.opts.Locations {
		var path string
		switch loc {
		case OAuthInsert:
			path = "/.well-known/oauth-authorization-server" + p
		case OIDCInsert:
			path = "/.well-known/openid-configuration" + p
		case OIDCAppend:
			path = p + "/.well-known/openid-configuration"
		}
		if path != "" && !seen[path] {
			seen[path] = true
			s.mux.HandleFunc("GET "+path, s.serveMetadata)
		}
	}
	s.mux.HandleFunc("GET "+p+"/jwks", s.serveJWKS)
	s.oauthRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		h := s.extra[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// Path returns the URL path of an endpoint of the issuer, such as "/jwks".
func (s *Server) Path(endpoint string) string { return s.opts.Path + endpoint }

// Metadata returns the metadata document the server serves.
func (s *Server) Metadata() map[string]any {
	iss := s.Issuer
	doc := map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"registration_endpoint":                 iss + "/register",
		"introspection_endpoint":                iss + "/introspect",
		"revocation_endpoint":                   iss + "/revoke",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"client_id_metadata_document_supported": false,
		"dpop_signing_alg_values_supported":     dpopAlgorithms,
	}
	if len(s.opts.Scopes) > 0 {
		doc["scopes_supported"] = s.opts.Scopes
	}
	if s.opts.Metadata != nil {
		s.opts.Metadata(doc)
	}
	return doc
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Metadata())
}

// JWKS returns the published key set.
func (s *Server) JWKS() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := make([]any, 0, len(s.keys))
	for _, k := range s.keys {
		keys = append(keys, k.JWK())
	}
	return map[string]any{"keys": keys}
}

func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.JWKS())
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// Handle serves handler at path (exact), besides the built-in endpoints.
func (s *Server) Handle(path string, handler http.Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.extra[path] = handler
}

// SetIntercept installs a function that sees every request first and
// answers it by returning true (to simulate failures); nil removes it.
func (s *Server) SetIntercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.intercept = f
}

// Requests returns how many requests reached path (such as s.Path("/jwks")).
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// TotalRequests returns how many requests the server received.
func (s *Server) TotalRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounts sets every request counter to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts = map[string]int{}
	s.total = 0
}

// Stop takes the server down: its listener and connections close, so
// requests fail as with a server that is not running. Start brings it back.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.CloseClientConnections()
		srv.Close()
	}
}

// Restart brings a stopped server back on the same address.
func (s *Server) Restart() error {
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	if running {
		return nil
	}
	l, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("authtest: listen again on %s: %w", s.addr, err)
	}
	s.serve(l)
	return nil
}

// Close stops the server for good.
func (s *Server) Close() { s.Stop() }

// AddKey generates a key for alg, publishes it, and returns it. The key
// does not sign minted tokens until [Server.UseKey].
func (s *Server) AddKey(alg string) (*Key, error) {
	s.mu.Lock()
	s.nextKey++
	kid := fmt.Sprintf("key-%d", s.nextKey)
	s.mu.Unlock()
	k, err := NewKey(kid, alg)
	if err != nil {
		return nil, err
	}
	s.PublishKey(k)
	return k, nil
}

// PublishKey adds k to the key set, replacing a key with the same kid.
func (s *Server) PublishKey(k *Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, old := range s.keys {
		if old.ID == k.ID {
			s.keys[i] = k
			return
		}
	}
	s.keys = append(s.keys, k)
}

// UseKey makes k sign the tokens minted from now on.
func (s *Server) UseKey(k *Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.signing = k
}

// SigningKey returns the key that signs minted tokens.
func (s *Server) SigningKey() *Key {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signing
}

// RetireKey removes the key with kid from the key set.
func (s *Server) RetireKey(kid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, k := range s.keys {
		if k.ID == kid {
			s.keys = append(s.keys[:i], s.keys[i+1:]...)
			return
		}
	}
}

// RotateKey replaces the key with kid by new key material under the same
// kid (some servers rotate this way), makes it the signing key if the old
// one was, and returns it.
func (s *Server) RotateKey(kid string) (*Key, error) {
	s.mu.Lock()
	var old *Key
	for _, k := range s.keys {
		if k.ID == kid {
			old = k
		}
	}
	s.mu.Unlock()
	if old == nil {
		return nil, fmt.Errorf("authtest: no key %q", kid)
	}
	k, err := NewKey(kid, old.Algorithm)
	if err != nil {
		return nil, err
	}
	s.PublishKey(k)
	s.mu.Lock()
	if s.signing == old {
		s.signing = k
	}
	s.mu.Unlock()
	return k, nil
}
