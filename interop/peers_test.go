//go:build unix

package interop

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Credentials of js/authorization-server.mjs.
const (
	clientID     = "interop-client"
	clientSecret = "interop-secret"
	rsClientID   = "interop-resource-server"
	rsSecret     = "interop-rs-secret"
)

// asOptions configure an oidc-provider authorization server.
type asOptions struct {
	Port     int      // 0: any free port
	KeysFile string   // private keys kept across restarts; "" keeps them in memory
	Rotate   bool     // add a new signing key in front of those in KeysFile
	Alg      string   // access-token signing algorithm; "" means RS256
	Opaque   []string // resources that get opaque access tokens
}

// authServer is a running oidc-provider.
type authServer struct {
	Issuer     string
	SigningKid string
	Kids       []string
	proc       *process
}

var readyJSON = regexp.MustCompile(`^\{"ready":true,.*\}$`)

// startAuthServer starts oidc-provider and waits for its ready line.
func startAuthServer(t testing.TB, opts asOptions) *authServer {
	t.Helper()
	ensurePeers(t)
	cmd := exec.Command("node", filepath.Join(interopDir(t), "js", "authorization-server.mjs"))
	cmd.Env = append(os.Environ(), "PORT="+strconv.Itoa(opts.Port), "KEYS_FILE="+opts.KeysFile, "ALG="+opts.Alg,
		"OPAQUE_RESOURCES="+strings.Join(opts.Opaque, ","))
	if opts.Rotate {
		cmd.Env = append(cmd.Env, "ROTATE=1")
	}
	start := time.Now()
	p := startProcess(t, "oidc-provider", cmd)
	m, err := p.WaitLine(readyJSON, readyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	as := &authServer{proc: p}
	var ready struct {
		Issuer     string   `json:"issuer"`
		SigningKid string   `json:"signingKid"`
		Kids       []string `json:"kids"`
	}
	if err := json.Unmarshal([]byte(m[0]), &ready); err != nil {
		t.Fatal(err)
	}
	as.Issuer, as.SigningKid, as.Kids = ready.Issuer, ready.SigningKid, ready.Kids
	t.Logf("oidc-provider %s ready in %s (signing key %s)", as.Issuer, time.Since(start).Round(time.Millisecond), as.SigningKid)
	return as
}

// Port is the port the server listens on.
func (as *authServer) Port(t testing.TB) int {
	u, err := url.Parse(as.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	return port
}

// Stop stops the server and fails the test unless it exited cleanly.
func (as *authServer) Stop(t testing.TB) {
	t.Helper()
	if err := as.proc.Stop(); err != nil {
		t.Fatalf("stopping oidc-provider: %v", err)
	}
}

// tokenResponse is a token endpoint's answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	ExpiresIn   int    `json:"expires_in"`
}

// clientCredentials gets a token from tokenURL with extra form parameters
// (resource or audience, scope), authenticating with client_secret_basic.
func clientCredentials(t testing.TB, tokenURL, id, secret string, form url.Values) tokenResponse {
	t.Helper()
	form.Set("grant_type", "client_credentials")
	status, body := postForm(t, tokenURL, id, secret, form)
	var tok tokenResponse
	if status != 200 || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		t.Fatalf("token request to %s (%v): %d %s", tokenURL, form, status, body)
	}
	return tok
}

// Token gets an access token for resource with scope.
func (as *authServer) Token(t testing.TB, resource, scope string) tokenResponse {
	t.Helper()
	form := url.Values{"scope": {scope}}
	if resource != "" {
		form.Set("resource", resource)
	}
	return clientCredentials(t, as.Issuer+"/token", clientID, clientSecret, form)
}

// Revoke revokes token (RFC 7009) as the client it was issued to.
func (as *authServer) Revoke(t testing.TB, token string) {
	t.Helper()
	status, body := postForm(t, as.Issuer+"/token/revocation", clientID, clientSecret, url.Values{"token": {token}, "token_type_hint": {"access_token"}})
	if status != 200 {
		t.Fatalf("revocation: %d %s", status, body)
	}
}

// Introspect asks the server about token (RFC 7662) as the resource server.
func (as *authServer) Introspect(t testing.TB, token string) map[string]any {
	t.Helper()
	status, body := postForm(t, as.Issuer+"/token/introspection", rsClientID, rsSecret, url.Values{"token": {token}})
	var out map[string]any
	if status != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("introspection: %d %s", status, body)
	}
	return out
}

func postForm(t testing.TB, u, id, secret string, form url.Values) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

// example is a running example server.
type example struct {
	Name     string
	Base     string // http://127.0.0.1:PORT
	MCP      string // Base + "/mcp"
	Resource string
	Issuer   string
	proc     *process
}

var readyLine = regexp.MustCompile(`msg=ready example=(\S+) mcp=(\S+) resource=(\S+) issuer=(\S+)`)

// startExample builds (once) and starts examples/<name> with args, on a
// free loopback port unless args set -addr, and waits for its ready line.
func startExample(t testing.TB, name string, args ...string) *example {
	t.Helper()
	bin := exampleBinary(t, name)
	if !strings.Contains(strings.Join(args, " "), "-addr") {
		args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	return startExampleCmd(t, name, cmd)
}

func startExampleCmd(t testing.TB, name string, cmd *exec.Cmd) *example {
	t.Helper()
	p := startProcess(t, "example "+name, cmd)
	m, err := p.WaitLine(readyLine, readyTimeout)
	if err != nil {
		t.Fatal(err)
	}
	e := &example{Name: m[1], MCP: m[2], Resource: m[3], Issuer: m[4], proc: p}
	e.Base = strings.TrimSuffix(e.MCP, "/mcp")
	if e.Name != name {
		t.Fatalf("examples/%s says it is %q", name, e.Name)
	}
	return e
}

// PRM is the URL of the example's protected resource metadata.
func (e *example) PRM() string { return e.Base + "/.well-known/oauth-protected-resource/mcp" }

// response is an HTTP answer, read whole.
type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into a map (nil if it is not a JSON object).
func (r response) JSON() map[string]any {
	var m map[string]any
	json.Unmarshal(r.Body, &m)
	return m
}

func (r response) String() string {
	return fmt.Sprintf("%d %v %s", r.Status, r.Header, r.Body)
}

// do sends a request with an optional bearer token.
func do(t testing.TB, method, u, token, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// WhoAmI calls the example's REST whoami with token.
func (e *example) WhoAmI(t testing.TB, token string) response {
	t.Helper()
	return do(t, "GET", e.Base+"/whoami", token, "")
}

// toolCall is a JSON-RPC tools/call request body.
func toolCall(name string, args map[string]any) string {
	b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": map[string]any{"name": name, "arguments": args}})
	return string(b)
}

// clientConfig is js/mcp-client.mjs's argument.
type clientConfig struct {
	URL          string       `json:"url"`
	Issuer       string       `json:"issuer"`
	ClientID     string       `json:"clientId"`
	ClientSecret string       `json:"clientSecret"`
	Scope        string       `json:"scope"`
	Calls        []clientCall `json:"calls,omitempty"`
}

type clientCall struct {
	Name      string         `json:"name"`
	Arguments map[string]any `json:"arguments,omitempty"`
}

// clientReport is what js/mcp-client.mjs saw.
type clientReport struct {
	HTTP   []exchange `json:"http"`
	Server *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	} `json:"server"`
	Tools        []string       `json:"tools"`
	Calls        []clientResult `json:"calls"`
	TokenScope   *string        `json:"tokenScope"`
	ConnectError string         `json:"connectError"`
}

// exchange is one HTTP request the SDK made, and its answer.
type exchange struct {
	Method          string            `json:"method"`
	URL             string            `json:"url"`
	Status          int               `json:"status"`
	AuthScheme      string            `json:"authScheme"`
	WWWAuthenticate string            `json:"wwwAuthenticate"`
	Form            map[string]string `json:"form"`
	RPC             string            `json:"rpc"`
	Tool            string            `json:"tool"`
}

func (x exchange) String() string {
	s := fmt.Sprintf("%s %s", x.Method, x.URL)
	if x.RPC != "" {
		s += " (" + x.RPC + " " + x.Tool + ")"
	}
	if x.AuthScheme != "" {
		s += " [" + x.AuthScheme + "]"
	}
	s += fmt.Sprintf(" -> %d", x.Status)
	if x.WWWAuthenticate != "" {
		s += " WWW-Authenticate: " + x.WWWAuthenticate
	}
	if x.Form != nil {
		s += fmt.Sprintf(" form %v", x.Form)
	}
	return s
}

type clientResult struct {
	Name       string         `json:"name"`
	IsError    bool           `json:"isError"`
	Structured map[string]any `json:"structured"`
	Text       string         `json:"text"`
	Error      string         `json:"error"`
}

// runClient runs the TypeScript SDK client and returns its report; the
// HTTP exchanges are logged if the test fails.
func runClient(t testing.TB, cfg clientConfig) clientReport {
	t.Helper()
	arg, _ := json.Marshal(cfg)
	out, err := runNode(t, "mcp-client.mjs", string(arg))
	if err != nil {
		t.Fatalf("TypeScript client: %v", err)
	}
	var rep clientReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("TypeScript client report %q: %v", out, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			var b strings.Builder
			for _, x := range rep.HTTP {
				b.WriteString("  " + x.String() + "\n")
			}
			t.Logf("TypeScript client (scope %q) HTTP exchanges:\n%s", cfg.Scope, b.String())
		}
	})
	return rep
}

// challengeParams parses a WWW-Authenticate Bearer challenge (RFC 6750 §3)
// into its auth-params; it fails the test if it is not one.
func challengeParams(t testing.TB, header string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		t.Fatalf("not a Bearer challenge: %q", header)
	}
	params := map[string]string{}
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 || eq+1 >= len(rest) || rest[eq+1] != '"' {
			t.Fatalf("malformed challenge %q", header)
		}
		name := strings.TrimSpace(rest[:eq])
		var value strings.Builder
		i := eq + 2
		for ; i < len(rest) && rest[i] != '"'; i++ {
			if rest[i] == '\\' && i+1 < len(rest) {
				i++
			}
			value.WriteByte(rest[i])
		}
		if i >= len(rest) {
			t.Fatalf("unterminated value in challenge %q", header)
		}
		params[name] = value.String()
		rest = strings.TrimPrefix(strings.TrimLeft(rest[i+1:], " "), ",")
		rest = strings.TrimLeft(rest, " ")
	}
	return params
}

// jwtParts decodes a JWT's header and claims without verifying it.
func jwtParts(t testing.TB, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil || json.Unmarshal(b, dst) != nil {
			t.Fatalf("JWT part %d of %q is not base64url JSON", i, token)
		}
	}
	return header, claims
}

// unsignedJWT returns a JWT-shaped token with claims whose signature no key
// verifies: enough for the issuer routing that precedes any fetch.
func unsignedJWT(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": "RS256", "typ": "at+jwt", "kid": "nobody"})
	c, _ := json.Marshal(claims)
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(c) + "." + enc([]byte("not a signature"))
}

// poll calls check every interval until it reports done or timeout passes.
func poll(timeout, interval time.Duration, check func() bool) bool {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		if check() {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
