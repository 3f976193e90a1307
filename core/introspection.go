package mcpauth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Client authentication methods of the introspection request (RFC 7662 §2.1
// with RFC 6749 §2.3.1).
const (
	ClientSecretBasic = "client_secret_basic"
	ClientSecretPost  = "client_secret_post"
)

// Defaults of [IntrospectionConfig].
const (
	DefaultIntrospectionCacheTTL  = time.Minute
	DefaultIntrospectionCacheSize = 10000
)

// IntrospectionConfig configures an [IntrospectionVerifier].
type IntrospectionConfig struct {
	// Server is the authorization server whose introspection_endpoint is
	// used, and whose issuer an answer without "iss" is attributed to.
	// Required unless Endpoint is set and the resource trusts one server.
	Server *AuthServer
	// Endpoint overrides the server's introspection_endpoint.
	Endpoint string
	// ClientID and ClientSecret authenticate the resource server.
	ClientID     string
	ClientSecret string
	// AuthMethod is ClientSecretBasic (default) or ClientSecretPost.
	AuthMethod string
	// HTTPClient sends the requests; nil means a client with a
	// [DefaultFetchTimeout] timeout.
	HTTPClient *http.Client
	// AllowInsecureHTTP allows plain-http endpoints on hosts that are not loopback.
	AllowInsecureHTTP bool
	// CacheTTL bounds how long an active answer is reused; an entry never
	// outlives the token's exp. Zero means [DefaultIntrospectionCacheTTL]; a
	// negative value turns the cache off.
	CacheTTL time.Duration
	// CacheSize bounds the number of cached answers. Zero means
	// [DefaultIntrospectionCacheSize].
	CacheSize int
	// Now returns the current time; nil means time.Now. For tests.
	Now func() time.Time
}

// IntrospectionVerifier verifies opaque (or any) access tokens by asking the
// authorization server (RFC 7662). An answer with "active": false is an
// invalid token; an active answer becomes the [AuthInfo] whose issuer,
// audience, expiry and scopes the bearer middleware then checks like a
// JWT's. Active answers are cached by a hash of the token (never the token
// itself) for at most CacheTTL and never beyond the token's exp.
type IntrospectionVerifier struct {
	cfg   IntrospectionConfig
	fetch *fetcher
	now   func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]introspectionEntry
}

type introspectionEntry struct {
	info    *AuthInfo
	expires time.Time
}

// NewIntrospectionVerifier returns a verifier for cfg. It fails for an
// unknown AuthMethod or when neither Server nor Endpoint is set.
func NewIntrospectionVerifier(cfg IntrospectionConfig) (*IntrospectionVerifier, error) {
	switch cfg.AuthMethod {
	case "":
		cfg.AuthMethod = ClientSecretBasic
	case ClientSecretBasic, ClientSecretPost:
	default:
		return nil, fmt.Errorf("%w: unknown introspection AuthMethod %q", ErrInvalidConfig, cfg.AuthMethod)
	}
	if cfg.Server == nil && cfg.Endpoint == "" {
		return nil, fmt.Errorf("%w: an introspection verifier needs a Server or an Endpoint", ErrInvalidConfig)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultIntrospectionCacheTTL
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = DefaultIntrospectionCacheSize
	}
	v := &IntrospectionVerifier{cfg: cfg, fetch: newFetcher(cfg.HTTPClient, cfg.AllowInsecureHTTP), now: cfg.Now}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify introspects token, or answers from the cache.
func (v *IntrospectionVerifier) Verify(ctx context.Context, token string, req *VerifyRequest) (*AuthInfo, error) {
	key := sha256.Sum256([]byte(token))
	now := v.now()
	if info := v.cached(key, now); info != nil {
		return info, nil
	}
	endpoint, issuer, err := v.target(ctx, req)
	if err != nil {
		return nil, err
	}
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	header := http.Header{}
	if v.cfg.AuthMethod == ClientSecretPost {
		form.Set("client_id", v.cfg.ClientID)
		form.Set("client_secret", v.cfg.ClientSecret)
	} else {
		header.Set("Authorization", "Basic "+basicAuth(v.cfg.ClientID, v.cfg.ClientSecret))
	}
	body, err := v.fetch.do(ctx, http.MethodPost, endpoint, form, header)
	if err != nil {
		return nil, introspectionFailure(err)
	}
	info, err := parseIntrospection(body, token, issuer)
	if err != nil {
		return nil, err
	}
	v.store(key, info, now)
	return info, nil
}

// target returns the endpoint and the issuer answers are attributed to.
func (v *IntrospectionVerifier) target(ctx context.Context, req *VerifyRequest) (string, string, error) {
	server := v.cfg.Server
	if server == nil && req != nil && len(req.AuthServers) == 1 {
		server = req.AuthServers[0]
	}
	issuer := ""
	if server != nil {
		issuer = server.issuer
	}
	if v.cfg.Endpoint != "" {
		return v.cfg.Endpoint, issuer, nil
	}
	cfg, err := server.Config(ctx)
	if err != nil {
		return "", "", serverConfigError(server, err)
	}
	if cfg.Metadata.IntrospectionEndpoint == "" {
		return "", "", newError(CodeServerError, "The authorization server has no introspection endpoint.", ErrInvalidServerMetadata)
	}
	return cfg.Metadata.IntrospectionEndpoint, issuer, nil
}

func introspectionFailure(err error) *Error {
	if isTemporary(err) {
		e := newError(CodeTemporarilyUnavailable, "The authorization server cannot introspect tokens right now.", err)
		e.RetryAfter = time.Second
		return e
	}
	var fe *FetchError
	if errors.As(err, &fe) && fe.StatusCode == http.StatusBadRequest {
		// The server will not introspect this token: oidc-provider, for one,
		// answers 400 unsupported_token_type for a JWT. It is not a token
		// this resource can accept, and the client should get another one.
		return newError(CodeInvalidToken, "The authorization server refused to introspect the access token.", err)
	}
	return newError(CodeServerError, "The token introspection failed.", err)
}

// parseIntrospection turns an RFC 7662 §2.2 answer into an AuthInfo.
func parseIntrospection(body []byte, token, issuer string) (*AuthInfo, error) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, newError(CodeServerError, "The introspection answer is not a JSON object.", err)
	}
	raw, _ := json.Marshal(obj)
	var all map[string]any
	json.Unmarshal(raw, &all) // numbers as float64, like JWT claims
	active, _ := all["active"].(bool)
	if !active {
		return nil, newError(CodeInvalidToken, "The access token is not active.", nil)
	}
	c := tokenClaims{all: all}
	if err := c.extract(); err != nil {
		return nil, newError(CodeInvalidToken, "The introspection answer is malformed.", err)
	}
	info := &AuthInfo{Token: token, Issuer: c.iss, Subject: c.sub, ClientID: c.clientID, Audience: c.aud, Scopes: c.scopes, Claims: all}
	if info.Issuer == "" {
		info.Issuer = issuer
	}
	if c.exp != nil {
		info.ExpiresAt = *c.exp
	}
	return info, nil
}

func (v *IntrospectionVerifier) cached(key [32]byte, now time.Time) *AuthInfo {
	if v.cfg.CacheTTL < 0 {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.cache[key]
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		delete(v.cache, key)
		return nil
	}
	return e.info
}

func (v *IntrospectionVerifier) store(key [32]byte, info *AuthInfo, now time.Time) {
	if v.cfg.CacheTTL < 0 {
		return
	}
	expires := now.Add(v.cfg.CacheTTL)
	if !info.ExpiresAt.IsZero() && info.ExpiresAt.Before(expires) {
		expires = info.ExpiresAt
	}
	if !now.Before(expires) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cache == nil {
		v.cache = make(map[[32]byte]introspectionEntry)
	}
	if len(v.cache) >= v.cfg.CacheSize {
		for k, e := range v.cache {
			if !now.Before(e.expires) {
				delete(v.cache, k)
			}
		}
		for k := range v.cache {
			if len(v.cache) < v.cfg.CacheSize {
				break
			}
			delete(v.cache, k)
		}
	}
	v.cache[key] = introspectionEntry{info: info, expires: expires}
}

// basicAuth encodes client credentials for HTTP Basic as RFC 6749 §2.3.1
// requires: each form-urlencoded, then joined with ":" and base64-encoded.
func basicAuth(id, secret string) string {
	r := &http.Request{Header: http.Header{}}
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	v := r.Header.Get("Authorization")
	return v[len("Basic "):]
}
