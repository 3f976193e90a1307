package mcpauth

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
	DefaultIntrospectionCacheTTL         = time.Minute
	DefaultIntrospectionNegativeCacheTTL = 10 * time.Second
	DefaultIntrospectionCacheSize        = 10000
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
	// negative value turns the cache of active answers off.
	CacheTTL time.Duration
	// NegativeCacheTTL is how long a refusal is reused: an answer
	// "active": false, or one whose token_type is not an access token's, so
	// that a client repeating a bogus token does not cost the authorization
	// server (and the server's client credentials) one call per request.
	// Zero means [DefaultIntrospectionNegativeCacheTTL]; a negative value
	// turns it off.
	NegativeCacheTTL time.Duration
	// CacheSize bounds the number of cached answers, active or not. Zero
	// means [DefaultIntrospectionCacheSize].
	CacheSize int

	now func() time.Time // nil means time.Now; set by the package's tests
}

// IntrospectionVerifier verifies opaque (or any) access tokens by asking the
// authorization server (RFC 7662). An answer with "active": false is an
// invalid token, and so is an answer whose token_type, when present, is not
// an access token's ("Bearer", "access_token" or RFC 8693's access-token
// URI), whose token_use or Keycloak typ names another kind of token, or
// whose nbf is in the future; an active answer becomes the
// [AuthInfo] whose issuer, audience, expiry and scopes the bearer middleware
// then checks like a JWT's. Answers are cached by a hash of the token (never
// the token itself): active ones for at most CacheTTL and never beyond the
// token's exp, refusals for NegativeCacheTTL.
type IntrospectionVerifier struct {
	cfg   IntrospectionConfig
	fetch *fetcher
	now   func() time.Time

	mu    sync.Mutex
	cache map[[32]byte]introspectionEntry
}

// introspectionEntry is a cached answer: the identity, or the refusal.
type introspectionEntry struct {
	info    *AuthInfo
	refusal *Error
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
	if cfg.NegativeCacheTTL == 0 {
		cfg.NegativeCacheTTL = DefaultIntrospectionNegativeCacheTTL
	}
	if cfg.CacheSize <= 0 {
		cfg.CacheSize = DefaultIntrospectionCacheSize
	}
	v := &IntrospectionVerifier{cfg: cfg, fetch: newFetcher(cfg.HTTPClient, cfg.AllowInsecureHTTP), now: cfg.now}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// Verify introspects token, or answers from the cache.
func (v *IntrospectionVerifier) Verify(ctx context.Context, token string, req *VerifyRequest) (*AuthInfo, error) {
	key := sha256.Sum256([]byte(token))
	now := v.now()
	if e, ok := v.cached(key, now); ok {
		if e.refusal != nil {
			return nil, e.refusal
		}
		return e.info, nil
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
	start := time.Now()
	body, err := v.fetch.do(ctx, http.MethodPost, endpoint, form, header)
	if req != nil && req.hooks != nil && req.hooks.OnFetch != nil {
		req.hooks.OnFetch(ctx, Fetch{Kind: FetchIntrospection, Issuer: issuer, URL: endpoint, Err: err, Duration: time.Since(start)})
	}
	if err != nil {
		return nil, introspectionFailure(err)
	}
	info, refusal, unusable := parseIntrospection(body, token, issuer)
	switch {
	case unusable != nil:
		return nil, unusable
	case refusal != nil:
		v.store(key, introspectionEntry{refusal: refusal, expires: now.Add(v.cfg.NegativeCacheTTL)}, now)
		return nil, refusal
	}
	if err := checkNotBefore(info, now, req); err != nil {
		return nil, err
	}
	expires := now.Add(v.cfg.CacheTTL)
	if !info.ExpiresAt.IsZero() && info.ExpiresAt.Before(expires) {
		expires = info.ExpiresAt
	}
	if v.cfg.CacheTTL >= 0 {
		v.store(key, introspectionEntry{info: info, expires: expires}, now)
	}
	return info, nil
}

// checkNotBefore refuses an answer whose nbf is in the future, beyond the
// request's leeway (RFC 7662 §2.2).
func checkNotBefore(info *AuthInfo, now time.Time, req *VerifyRequest) error {
	nbf, present := info.Claims["nbf"].(float64)
	if !present {
		return nil
	}
	leeway := DefaultLeeway
	if req != nil {
		leeway = req.Leeway
	}
	if now.Add(leeway).Before(time.Unix(int64(nbf), 0)) {
		return newError(CodeInvalidToken, "The access token is not valid yet (nbf).", nil)
	}
	return nil
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

// parseIntrospection turns an RFC 7662 §2.2 answer into an AuthInfo, or
// into the refusal the authorization server's answer means (inactive, or not
// an access token), which may be cached. err is an answer that cannot be used.
func parseIntrospection(body []byte, token, issuer string) (info *AuthInfo, refusal, err *Error) {
	obj, derr := decodeObject(body)
	if derr != nil {
		return nil, nil, newError(CodeServerError, "The introspection answer is not a JSON object.", derr)
	}
	raw, _ := json.Marshal(obj)
	var all map[string]any
	json.Unmarshal(raw, &all) // numbers as float64, like JWT claims
	active, _ := all["active"].(bool)
	if !active {
		return nil, newError(CodeInvalidToken, "The access token is not active.", nil), nil
	}
	c := tokenClaims{all: all}
	if cerr := c.extract(); cerr != nil {
		return nil, nil, newError(CodeInvalidToken, "The introspection answer is malformed.", cerr)
	}
	if tt, present := all["token_type"]; present {
		if refusal := checkIntrospectedType(tt, all); refusal != nil {
			return nil, refusal, nil
		}
	}
	if refusal := checkTokenKind(all); refusal != nil {
		return nil, refusal, nil
	}
	info = &AuthInfo{Token: token, Issuer: c.iss, Subject: c.sub, ClientID: c.clientID, Audience: c.aud, Scopes: c.scopes, Claims: all}
	if info.Issuer == "" {
		info.Issuer = issuer
	}
	if c.exp != nil {
		info.ExpiresAt = *c.exp
	}
	return info, nil, nil
}

// checkIntrospectedType refuses an answer's token_type (RFC 7662 §2.2) that
// is not an access token's: a refresh or ID token, N_A (RFC 8693 §2.2.1),
// and so on. A DPoP token (RFC 9449 §6.2) is an access token bound to the
// key its cnf.jkt names, which the bearer then requires a proof of; one
// without cnf.jkt cannot be used at all.
func checkIntrospectedType(tt any, all map[string]any) *Error {
	s, _ := tt.(string)
	switch strings.ToLower(s) {
	case "bearer", "access_token", "urn:ietf:params:oauth:token-type:access_token":
		return nil
	case "dpop":
		cnf, _ := all["cnf"].(map[string]any)
		if jkt, _ := cnf["jkt"].(string); jkt == "" {
			return newError(CodeInvalidToken, "The access token is a DPoP token, but its introspection names no key (cnf.jkt).", nil)
		}
		return nil
	}
	e := newError(CodeInvalidToken, "The token is not an access token.", nil)
	e.details = map[string]any{"token_type": tt}
	return e
}

// cached returns the cached answer for key, if one is still valid at now.
func (v *IntrospectionVerifier) cached(key [32]byte, now time.Time) (introspectionEntry, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	e, ok := v.cache[key]
	if !ok {
		return introspectionEntry{}, false
	}
	if !now.Before(e.expires) {
		delete(v.cache, key)
		return introspectionEntry{}, false
	}
	return e, true
}

// store caches e, unless it is already expired; a full cache drops its
// expired entries, then others.
func (v *IntrospectionVerifier) store(key [32]byte, e introspectionEntry, now time.Time) {
	if !now.Before(e.expires) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.cache == nil {
		v.cache = make(map[[32]byte]introspectionEntry)
	}
	if len(v.cache) >= v.cfg.CacheSize {
		for k, old := range v.cache {
			if !now.Before(old.expires) {
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
	v.cache[key] = e
}

// basicAuth encodes client credentials for HTTP Basic as RFC 6749 §2.3.1
// requires: each form-urlencoded, then joined with ":" and base64-encoded.
func basicAuth(id, secret string) string {
	r := &http.Request{Header: http.Header{}}
	r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	v := r.Header.Get("Authorization")
	return v[len("Basic "):]
}
