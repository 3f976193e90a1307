package mcpauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/mcp-auth/go/core/internal/dpop"
)

// DPoPOptions turns on DPoP (RFC 9449; MCP SEP-1932) for a protected
// resource: access tokens bound to a key the client proves it holds on
// every request, so that a stolen token is useless without that key. A
// client sends "Authorization: DPoP <token>" and a DPoP header holding a
// proof: a JWT signed by its key over the request's method and URL, the
// time and the token's hash. The resource checks the proof (RFC 9449 §4.3,
// in full), that the token's cnf.jkt is the proof key's thumbprint, and
// that the proof was not used before.
//
// The resource metadata advertises dpop_signing_alg_values_supported and,
// with Required, dpop_bound_access_tokens_required.
type DPoPOptions struct {
	// Required refuses bearer tokens: every request must use DPoP. Without
	// it both schemes are accepted, but a token bound to a key is still
	// refused as a bearer token.
	Required bool
	// Algorithms are the proof signature algorithms accepted; nil means
	// every one supported: those of [Config.Algorithms] and Ed25519 (RFC
	// 9864's name for EdDSA with an Ed25519 key). Never none or HMAC.
	Algorithms []string
	// ProofWindow is how far a proof's iat may be from the server's time,
	// either way; zero means [DefaultDPoPProofWindow]. A proof is
	// remembered (see ReplayStore) until its iat plus the window.
	ProofWindow time.Duration
	// Nonces, when set, requires server nonces in proofs.
	Nonces *DPoPNonceOptions
	// ReplayStore remembers accepted proofs; nil means a
	// [MemoryReplayStore] of this process, which replicas do not share.
	ReplayStore ReplayStore
	// AcceptOnReplayStoreError accepts a proof when the replay store
	// fails, relying on the proof window alone (a proof captured in
	// transit could then be replayed within it). Off by default: a failed
	// store answers 503 temporarily_unavailable. Either way the failure is
	// logged.
	AcceptOnReplayStoreError bool
	// TrustForwardedHeaders takes the request's public URL, which a proof's
	// htu must name, from the X-Forwarded-Proto, X-Forwarded-Host and
	// X-Forwarded-Prefix headers (their first values). Set it only behind a
	// proxy that always sets or removes them. By default the scheme, host
	// and port are those of the resource identifier, and the path is the
	// request's.
	TrustForwardedHeaders bool
}

// DefaultDPoPProofWindow is the default [DPoPOptions.ProofWindow] (SEP-1932).
const DefaultDPoPProofWindow = 5 * time.Minute

// dpopConfig is a resource's compiled DPoPOptions.
type dpopConfig struct {
	required   bool
	algs       []string
	window     time.Duration
	nonces     *nonces
	store      ReplayStore
	acceptFail bool
	forwarded  bool
	origin     string // scheme://host[:port] of the resource identifier, normalised
	htu        string // the resource identifier, normalised as an htu
	path       string // the resource identifier's escaped path, as requests carry it
	challenge  *dpopChallenge
}

// dpopChallenge is what a refusal's DPoP challenge needs.
type dpopChallenge struct {
	algs     string // space-separated
	required bool   // no Bearer challenge
}

func (o *DPoPOptions) compile(resource string) (*dpopConfig, error) {
	if o == nil {
		return nil, nil
	}
	algs, err := checkAlgorithms("DPoP.Algorithms", o.Algorithms, dpopAlgorithms)
	if err != nil {
		return nil, fmt.Errorf("resource %q: %w", resource, err)
	}
	ns, err := o.Nonces.compile(resource)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(resource)
	if err != nil {
		return nil, fmt.Errorf("%w: resource %q: %w", ErrInvalidConfig, resource, err)
	}
	htu, err := dpop.NormalizeURL(resource)
	if err != nil {
		return nil, fmt.Errorf("%w: resource %q cannot be a DPoP htu: %w", ErrInvalidConfig, resource, err)
	}
	c := &dpopConfig{
		required: o.Required, algs: algs, window: o.ProofWindow, nonces: ns, store: o.ReplayStore,
		acceptFail: o.AcceptOnReplayStoreError, forwarded: o.TrustForwardedHeaders,
		origin: dpop.Origin(strings.ToLower(u.Scheme), u.Host), htu: htu, path: u.EscapedPath(),
		challenge: &dpopChallenge{algs: strings.Join(algs, " "), required: o.Required},
	}
	if c.window <= 0 {
		c.window = DefaultDPoPProofWindow
	}
	if c.store == nil {
		c.store = NewMemoryReplayStore(0)
	}
	return c, nil
}

// requestURL is the public URL of r that a proof's htu must name.
func (c *dpopConfig) requestURL(r *http.Request) string {
	path := r.URL.EscapedPath()
	origin := c.origin
	if c.forwarded {
		proto, host := firstValue(r.Header.Get("X-Forwarded-Proto")), firstValue(r.Header.Get("X-Forwarded-Host"))
		if proto = strings.ToLower(proto); proto == "http" || proto == "https" {
			if host == "" {
				host = r.Host
			}
			origin = dpop.Origin(proto, host)
		}
		path = firstValue(r.Header.Get("X-Forwarded-Prefix")) + path
	} else if path == c.path {
		return c.htu
	}
	return origin + dpop.NormalizePath(path)
}

// firstValue is the first element of a comma-separated header value.
func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// dpopProof is a request's checked proof.
type dpopProof struct {
	*dpop.Proof
	nonceStale bool // the nonce is past half its life: send a fresh one
}

// proof reads and checks the DPoP proof of r, which presents token (RFC
// 9449 §4.3 checks 1 to 12, the key binding aside): exactly one DPoP
// header, the proof's form and signature, htm, htu, iat, ath, then the
// nonce when nonces are on.
func (c *dpopConfig) proof(r *http.Request, token string, now time.Time) (*dpopProof, *Error) {
	values := r.Header.Values("DPoP")
	switch len(values) {
	case 0:
		return nil, newError(CodeInvalidDPoPProof, "A DPoP proof (the DPoP header) is required with the DPoP scheme.", nil)
	case 1:
	default:
		return nil, newError(CodeInvalidDPoPProof, "The request has several DPoP headers; send exactly one proof.", nil)
	}
	p, err := dpop.Parse(values[0], c.algs)
	if err == nil {
		err = p.Check(dpop.Expect{Method: r.Method, URL: c.requestURL(r), AccessToken: token, Now: now, Window: c.window})
	}
	if err != nil {
		return nil, newError(CodeInvalidDPoPProof, err.Error(), nil)
	}
	out := &dpopProof{Proof: p}
	if c.nonces != nil {
		valid, stale := false, false
		if p.Nonce != "" {
			valid, stale = c.nonces.check(p.Nonce, now)
		}
		if !valid {
			e := newError(CodeUseDPoPNonce, "The DPoP proof must carry the nonce in the DPoP-Nonce header.", nil)
			if p.Nonce != "" {
				e.Description = "The DPoP proof's nonce is unknown or expired; use the one in the DPoP-Nonce header."
			}
			e.nonce = c.nonces.make(now)
			return nil, e
		}
		out.nonceStale = stale
	}
	return out, nil
}

// remember records p in the replay store of c, refusing a proof already
// used. A store failure is logged, and answered 503 unless
// AcceptOnReplayStoreError says to go on.
func (b *Bearer) remember(ctx context.Context, c *dpopConfig, p *dpopProof) *Error {
	sum := sha256.Sum256([]byte(p.Key.Thumbprint + "\x00" + p.JTI))
	key := base64.RawURLEncoding.EncodeToString(sum[:])
	added, err := c.store.Add(ctx, key, p.IssuedAt.Add(c.window+time.Second))
	switch {
	case err != nil:
		e := newError(CodeTemporarilyUnavailable, "The DPoP replay store cannot be reached.", err)
		e.RetryAfter = time.Second
		if c.acceptFail {
			b.logRefusal(ctx, slog.LevelWarn, "mcpauth: the DPoP replay store failed, so a proof was accepted on its time window alone (AcceptOnReplayStoreError)", e)
			return nil
		}
		return e // logged as every 503 is
	case !added:
		return newError(CodeInvalidDPoPProof, "The DPoP proof was already used; make a new proof for each request.", nil)
	}
	return nil
}

// setNonce sets a DPoP-Nonce response header, exposed to browser-based
// clients when the request is a CORS one.
func setNonce(h http.Header, nonce string, isCORS bool) {
	h.Set("DPoP-Nonce", nonce)
	if isCORS {
		h.Add("Access-Control-Expose-Headers", "DPoP-Nonce")
	}
}

// bindingError checks that a token presented with proof (nil for the
// Bearer scheme) is bound as it must be: a token with a confirmation (cnf,
// RFC 7800) only with a proof of its key, a DPoP-scheme token only with one
// (RFC 9449 §4.3 check 12, §7.1). c is nil when the resource has no DPoP.
func bindingError(info *AuthInfo, proof *dpopProof, c *dpopConfig) *Error {
	cnf, bound := info.Claims["cnf"]
	if proof == nil {
		if !bound {
			return nil
		}
		if c == nil {
			// RFC 9449 DPoP "jkt", RFC 8705 mTLS "x5t#S256": only the
			// holder of the key may use the token.
			return newError(CodeInvalidToken, "The access token is bound to a key (cnf) and cannot be used as a bearer token.", nil)
		}
		return newError(CodeInvalidToken, "The access token is bound to a DPoP key: send it as \"Authorization: DPoP <token>\" with a DPoP proof.", nil)
	}
	m, _ := cnf.(map[string]any)
	jkt, _ := m["jkt"].(string)
	switch {
	case !bound:
		return newError(CodeInvalidToken, "The access token is not bound to a DPoP key (no cnf.jkt), so it cannot be used with the DPoP scheme.", nil)
	case jkt == "":
		return newError(CodeInvalidToken, "The access token is bound to a key that is not a DPoP key (its cnf has no jkt).", nil)
	case jkt != proof.Key.Thumbprint:
		return newError(CodeInvalidToken, "The access token is bound to another key than the DPoP proof's.", nil)
	}
	return nil
}

// dpopAlgorithms are the proof algorithms supported: those of tokens, and
// Ed25519, the fully-specified name of EdDSA with an Ed25519 key (RFC 9864)
// that recent JOSE libraries sign proofs with.
var dpopAlgorithms = append(slices.Clip(defaultAlgorithms), "Ed25519")

// checkAlgorithms checks configured JWS algorithms: nil means supported,
// and only those are allowed (asymmetric ones: never none or HMAC).
func checkAlgorithms(field string, algs, supported []string) ([]string, error) {
	if algs == nil {
		return supported, nil
	}
	if len(algs) == 0 {
		return nil, fmt.Errorf("%w: %s is empty: no token could be verified (nil means the defaults)", ErrInvalidConfig, field)
	}
	for _, alg := range algs {
		if !slices.Contains(supported, alg) {
			return nil, fmt.Errorf("%w: %s: %q is not supported: use some of %v (never none or HMAC)", ErrInvalidConfig, field, alg, supported)
		}
	}
	return slices.Clone(algs), nil
}
