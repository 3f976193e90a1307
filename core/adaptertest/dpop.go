package adaptertest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mcpauth "github.com/mcp-auth/go/core"
	"github.com/mcp-auth/go/core/authtest"
)

// The DPoP environments: DPoP accepted next to Bearer ("dpop"), required
// ("dpop-required"), and with server nonces ("dpop-nonce").
var dpopEnvs = map[string]*mcpauth.DPoPOptions{
	"dpop":          {Algorithms: []string{"ES256", "EdDSA"}},
	"dpop-required": {Algorithms: []string{"ES256", "EdDSA"}, Required: true},
	"dpop-nonce":    {Algorithms: []string{"ES256", "EdDSA"}, Nonces: &mcpauth.DPoPNonceOptions{Secrets: [][]byte{bytes.Repeat([]byte("n"), 32)}}},
}

// newDPoPEnv configures the suite's resource with DPoP.
func newDPoPEnv(t *testing.T, build NewServer, opts *mcpauth.DPoPOptions) *env {
	return newEnvWith(t, build, func(as *authtest.Server) mcpauth.Config {
		return mcpauth.Config{ProtectedResources: []mcpauth.ProtectedResource{{
			Metadata:       mcpauth.ProtectedResourceMetadata{Resource: Resource, ScopesSupported: []string{"read", "write", "create:todos"}, ResourceName: "Suite"},
			AuthServers:    []*mcpauth.AuthServer{mcpauth.DiscoverAuthServer(as.Issuer, mcpauth.ServerTypeAuto, nil)},
			ScopeHierarchy: mcpauth.ScopeHierarchy{"admin": {"read", "write", "create:todos"}},
			DPoP:           opts,
		}}}
	})
}

// dpopClient is a client holding a DPoP key and a token bound to it.
type dpopClient struct {
	key   *authtest.Key
	token string
}

func newDPoPClient(as *authtest.Server, alg string, claims authtest.Claims) dpopClient {
	k, err := authtest.NewKey("", alg)
	if err != nil {
		panic(err)
	}
	c := authtest.Claims{"cnf": k.Confirmation(), "scope": "read"}
	for name, v := range claims {
		c[name] = v
	}
	return dpopClient{key: k, token: as.Mint(c)}
}

// headers returns a Prepare making a fresh proof shaped by p (POST to the
// suite's /mcp with the client's token by default) for each side, under
// the given scheme.
func (c dpopClient) headers(scheme string, p authtest.Proof) func(*testing.T, http.Handler) map[string][]string {
	return func(*testing.T, http.Handler) map[string][]string {
		return map[string][]string{"Authorization": {scheme + " " + c.token}, "DPoP": {c.proof(p)}}
	}
}

func (c dpopClient) proof(p authtest.Proof) string {
	if p.Method == "" {
		p.Method = "POST"
	}
	if p.URL == "" {
		p.URL = Resource
	}
	if p.AccessToken == "" {
		p.AccessToken = c.token
	}
	return c.key.SignProof(p)
}

// dpopChallenge is a refusal's WWW-Authenticate on the suite's DPoP
// resource: the error in the DPoP challenge when inDPoP, else in the Bearer
// one; required leaves the Bearer challenge out.
func dpopChallenge(code, description, scope string, inDPoP, required bool) string {
	params := func(withError bool) string {
		var parts []string
		if code != "" && withError {
			parts = append(parts, `error="`+code+`"`, `error_description="`+description+`"`)
		}
		if scope != "" {
			parts = append(parts, `scope="`+scope+`"`)
		}
		return strings.Join(append(parts, `resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"`), ", ")
	}
	dp := "DPoP " + params(inDPoP) + `, algs="ES256 EdDSA"`
	if required {
		return dp
	}
	return "Bearer " + params(!inDPoP) + ", " + dp
}

// dpopCases are the suite's DPoP cases (RFC 9449): a valid request, each
// check of §4.3 failing, the key binding, a replay, the nonce round trip, a
// bound token downgraded to Bearer, and Bearer where DPoP is required.
func dpopCases(as map[string]*authtest.Server) []Case {
	c := newDPoPClient(as["dpop"], "ES256", nil)
	ed := newDPoPClient(as["dpop"], "EdDSA", nil)
	other := newDPoPClient(as["dpop"], "ES256", nil)
	unbound := dpopClient{key: c.key, token: as["dpop"].Mint(authtest.Claims{"scope": "read"})}
	boundElsewhere := dpopClient{key: c.key, token: other.token}
	proofErr := func(description string) string {
		return dpopChallenge("invalid_dpop_proof", description, "read", true, false)
	}
	invalid := func(description string, inDPoP bool) string {
		return dpopChallenge("invalid_token", description, "read", inDPoP, false)
	}
	ok := func(name string, client dpopClient, scheme string) Case {
		return Case{Name: name, Method: "POST", Path: PathMCP, Prepare: client.headers(scheme, authtest.Proof{}), Status: 200, Handled: true,
			Want: wantThumbprint(client.key.Thumbprint()), env: "dpop"}
	}
	refused := func(name string, p func(*testing.T, http.Handler) map[string][]string, status int, challenge string) Case {
		return Case{Name: name, Method: "POST", Path: PathMCP, Prepare: p, Status: status, Challenge: challenge, env: "dpop"}
	}
	call := `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"create-todo","arguments":{}}}`
	cases := []Case{
		ok("dpop: valid ES256 proof", c, "DPoP"),
		ok("dpop: valid EdDSA proof, lowercase scheme", ed, "dpop"),
		{Name: "dpop: a plain bearer token still works", Method: "POST", Path: PathMCP, Header: bearer(as["dpop"].Mint(authtest.Claims{"scope": "read"})), env: "dpop",
			Status: 200, Handled: true, Want: wantThumbprint("")},
		{Name: "dpop: no credentials offers both schemes", Method: "POST", Path: PathMCP, Status: 401, Challenge: dpopChallenge("", "", "read", false, false), env: "dpop"},
		refused("dpop: bound token downgraded to Bearer", c.headers("Bearer", authtest.Proof{}), 401,
			invalid("The access token is bound to a DPoP key: send it as 'Authorization: DPoP <token>' with a DPoP proof.", false)),
		refused("dpop: no DPoP header", func(*testing.T, http.Handler) map[string][]string { return auth("DPoP " + c.token) }, 401,
			proofErr("A DPoP proof (the DPoP header) is required with the DPoP scheme.")),
		refused("dpop: two DPoP headers", func(*testing.T, http.Handler) map[string][]string {
			return map[string][]string{"Authorization": {"DPoP " + c.token}, "DPoP": {c.proof(authtest.Proof{}), c.proof(authtest.Proof{})}}
		}, 401, proofErr("The request has several DPoP headers; send exactly one proof.")),
		refused("dpop: proof not a JWT", func(*testing.T, http.Handler) map[string][]string {
			return map[string][]string{"Authorization": {"DPoP " + c.token}, "DPoP": {"not-a-jwt"}}
		}, 401, proofErr("The DPoP proof is not a JWT (three base64url parts separated by dots).")),
		refused("dpop: typ not dpop+jwt", c.headers("DPoP", authtest.Proof{Header: map[string]any{"typ": "JWT"}}), 401, proofErr("The DPoP proof's typ header is not dpop+jwt.")),
		refused("dpop: alg none", c.headers("DPoP", authtest.Proof{Algorithm: "none"}), 401, proofErr("The DPoP proof's alg is not one of ES256 EdDSA.")),
		refused("dpop: alg not accepted", newDPoPClient(as["dpop"], "RS256", nil).headers("DPoP", authtest.Proof{}), 401, proofErr("The DPoP proof's alg is not one of ES256 EdDSA.")),
		refused("dpop: private key in the jwk", c.headers("DPoP", authtest.Proof{Header: map[string]any{"jwk": map[string]any{"kty": "EC", "crv": "P-256", "x": "x", "y": "y", "d": "d"}}}), 401,
			proofErr("The DPoP proof's jwk holds a private key ('d'); it must be the public key.")),
		refused("dpop: signed by another key", c.headers("DPoP", authtest.Proof{Header: map[string]any{"jwk": publicJWK(other.key)}}), 401,
			proofErr("The DPoP proof's signature does not verify with its jwk.")),
		refused("dpop: htm of another method", c.headers("DPoP", authtest.Proof{Method: "GET"}), 401, proofErr("The DPoP proof's htm is not this request's method POST.")),
		refused("dpop: htu of another URL", c.headers("DPoP", authtest.Proof{URL: "https://mcp.example.com/write"}), 401,
			proofErr("The DPoP proof's htu is not this request's URL https://mcp.example.com/mcp.")),
		refused("dpop: iat outside the window", c.headers("DPoP", authtest.Proof{IssuedAt: time.Now().Add(-10 * time.Minute)}), 401,
			proofErr("The DPoP proof's iat is not within 5m0s of the server's time.")),
		refused("dpop: ath of another token", c.headers("DPoP", authtest.Proof{AccessToken: "another-token"}), 401,
			proofErr("The DPoP proof's ath is missing or is not the hash of the access token.")),
		refused("dpop: no jti", c.headers("DPoP", authtest.Proof{Claims: authtest.Claims{"jti": authtest.Delete}}), 401,
			proofErr("The DPoP proof's jti claim is missing or not a string.")),
		refused("dpop: token bound to another key", boundElsewhere.headers("DPoP", authtest.Proof{}), 401,
			invalid("The access token is bound to another key than the DPoP proof's.", true)),
		refused("dpop: unbound token with the DPoP scheme", unbound.headers("DPoP", authtest.Proof{}), 401,
			invalid("The access token is not bound to a DPoP key (no cnf.jkt), so it cannot be used with the DPoP scheme.", true)),
		refused("dpop: replayed proof", func(t *testing.T, h http.Handler) map[string][]string {
			headers := c.headers("DPoP", authtest.Proof{})(t, h)
			if code := send(h, headers); code != 200 {
				t.Fatalf("the proof's first use: %d", code)
			}
			return headers
		}, 401, proofErr("The DPoP proof was already used; make a new proof for each request.")),
		{Name: "dpop: step-up names the tool's scope in the DPoP challenge", Method: "POST", Path: PathMCP, Prepare: c.headers("DPoP", authtest.Proof{}), Body: call, env: "dpop",
			Status: 403, Challenge: dpopChallenge("insufficient_scope", "The access token lacks scopes this operation requires.", "read create:todos", true, false)},
		{Name: "dpop: per-route scope missing", Method: "POST", Path: PathWrite, Prepare: c.headers("DPoP", authtest.Proof{URL: "https://mcp.example.com/write"}), env: "dpop",
			Status: 403, Challenge: dpopChallenge("insufficient_scope", "The access token lacks scopes this operation requires.", "read write", true, false)},
		{Name: "dpop: CORS request exposes the challenge", Method: "POST", Path: PathMCP, Header: map[string][]string{"Origin": {"https://app.example.com"}}, env: "dpop",
			Status: 401, Challenge: dpopChallenge("", "", "read", false, false), Want: wantExposed},
	}
	req := newDPoPClient(as["dpop-required"], "ES256", nil)
	cases = append(cases,
		Case{Name: "dpop required: no credentials, DPoP alone", Method: "POST", Path: PathMCP, env: "dpop-required",
			Status: 401, Challenge: dpopChallenge("", "", "read", true, true)},
		Case{Name: "dpop required: a bearer token refused", Method: "POST", Path: PathMCP, env: "dpop-required", Header: bearer(as["dpop-required"].Mint(authtest.Claims{"scope": "read"})),
			Status: 401, Challenge: dpopChallenge("invalid_token", "This resource accepts only DPoP-bound access tokens: send 'Authorization: DPoP <token>' with a DPoP proof.", "read", true, true)},
		Case{Name: "dpop required: a DPoP request passes", Method: "POST", Path: PathMCP, env: "dpop-required", Prepare: req.headers("DPoP", authtest.Proof{}),
			Status: 200, Handled: true, Want: wantThumbprint(req.key.Thumbprint())},
		Case{Name: "dpop required: the metadata says so", Method: "GET", Path: prmPath, env: "dpop-required", Status: 200,
			Want: func(t *testing.T, _ int, _ http.Header, body []byte) {
				var doc map[string]any
				json.Unmarshal(body, &doc)
				if doc["dpop_bound_access_tokens_required"] != true || strings.Join(stringsOf(doc["dpop_signing_alg_values_supported"]), " ") != "ES256 EdDSA" {
					t.Errorf("metadata %s", body)
				}
			}},
	)
	n := newDPoPClient(as["dpop-nonce"], "ES256", nil)
	cases = append(cases,
		Case{Name: "dpop nonce: a proof without it gets use_dpop_nonce and the nonce", Method: "POST", Path: PathMCP, env: "dpop-nonce", Prepare: n.headers("DPoP", authtest.Proof{}),
			Status: 401, Challenge: dpopChallenge("use_dpop_nonce", "The DPoP proof must carry the nonce in the DPoP-Nonce header.", "read", true, false),
			Want: func(t *testing.T, _ int, h http.Header, _ []byte) {
				if len(h.Get("DPoP-Nonce")) != 32 {
					t.Errorf("DPoP-Nonce %q", h.Get("DPoP-Nonce"))
				}
			}},
		Case{Name: "dpop nonce: the round trip", Method: "POST", Path: PathMCP, env: "dpop-nonce", Status: 200, Handled: true, Want: wantThumbprint(n.key.Thumbprint()),
			Prepare: func(t *testing.T, h http.Handler) map[string][]string {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, request(n.headers("DPoP", authtest.Proof{})(t, h)))
				nonce := rec.Header().Get("DPoP-Nonce")
				if rec.Code != 401 || nonce == "" {
					t.Fatalf("first try: %d, nonce %q", rec.Code, nonce)
				}
				return n.headers("DPoP", authtest.Proof{Nonce: nonce})(t, h)
			}},
		Case{Name: "dpop nonce: an unknown nonce", Method: "POST", Path: PathMCP, env: "dpop-nonce", Prepare: n.headers("DPoP", authtest.Proof{Nonce: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}),
			Status: 401, Challenge: dpopChallenge("use_dpop_nonce", "The DPoP proof's nonce is unknown or expired; use the one in the DPoP-Nonce header.", "read", true, false)},
	)
	return cases
}

// publicJWK is k's public JWK without the members a proof leaves out.
func publicJWK(k *authtest.Key) map[string]any {
	jwk := k.JWK()
	delete(jwk, "kid")
	delete(jwk, "use")
	delete(jwk, "alg")
	return jwk
}

func stringsOf(v any) []string {
	var out []string
	list, _ := v.([]any)
	for _, s := range list {
		str, _ := s.(string)
		out = append(out, str)
	}
	return out
}

// request is a POST to the suite's /mcp with headers.
func request(headers map[string][]string) *http.Request {
	req := httptest.NewRequest("POST", "https://mcp.example.com"+PathMCP, nil)
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req
}

// send serves a POST to /mcp with headers on h and returns the status.
func send(h http.Handler, headers map[string][]string) int {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, request(headers))
	return rec.Code
}

// wantThumbprint checks that the handler saw the identity, with the DPoP
// key's thumbprint ("" for a bearer token), through both accessors.
func wantThumbprint(jkt string) func(*testing.T, int, http.Header, []byte) {
	return wantSeen("dpop", jkt)
}
