//go:build unix && hydra

package interop

// Ory Hydra v2.3.0, the second authorization server. Its build from source
// takes minutes (six on a two-core machine with a warm module cache), so
// these tests have the build tag hydra and run with make interop, not
// make test.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const hydraBuildTimeout = 30 * time.Minute

var hydraBuild struct {
	once sync.Once
	path string
	err  error
}

// hydraBinary builds Hydra from the tools module ./hydra (outside go.work:
// GOWORK=off), once. Hydra's go.mod replaces github.com/gobuffalo/pop/v6,
// which a dependent module must repeat, and the in-memory SQLite database
// needs the sqlite build tags (and cgo).
func hydraBinary(t *testing.T) string {
	t.Helper()
	hydraBuild.once.Do(func() {
		hydraBuild.path = filepath.Join(shared.dir, "hydra")
		ctx, cancel := context.WithTimeout(context.Background(), hydraBuildTimeout)
		defer cancel()
		cmd := command(ctx, "go", "build", "-tags", "sqlite,sqlite_omit_load_extension", "-o", hydraBuild.path, "github.com/ory/hydra/v2")
		cmd.Dir = filepath.Join(interopDir(t), "hydra")
		cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=1")
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			hydraBuild.err = fmt.Errorf("building Hydra: %v\n%s", err, out)
			return
		}
		t.Logf("go build of Hydra took %s", time.Since(start).Round(time.Millisecond))
	})
	if hydraBuild.err != nil {
		t.Fatal(hydraBuild.err)
	}
	return hydraBuild.path
}

// hydra is a running Hydra with an in-memory database.
type hydra struct {
	Issuer string // the public URL
	Admin  string // the admin URL
}

// startHydra starts Hydra with JWT access tokens whose scopes are in the
// scp array (its default), and waits until it is ready.
func startHydra(t *testing.T) *hydra {
	t.Helper()
	bin := hydraBinary(t)
	pub, adm := freePort(t), freePort(t)
	h := &hydra{Issuer: fmt.Sprintf("http://127.0.0.1:%d", pub), Admin: fmt.Sprintf("http://127.0.0.1:%d", adm)}
	config := filepath.Join(t.TempDir(), "hydra.yml")
	yml := fmt.Sprintf(`dsn: memory
serve:
  public: { host: 127.0.0.1, port: %d }
  admin: { host: 127.0.0.1, port: %d }
urls:
  self:
    issuer: %s
strategies:
  access_token: jwt
  jwt:
    scope_claim: list
ttl:
  access_token: 1h
secrets:
  system:
    - interop-test-only-system-secret-0123456789
log:
  level: warn
`, pub, adm, h.Issuer)
	if err := os.WriteFile(config, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	p := startProcess(t, "hydra", exec.Command(bin, "serve", "all", "--dev", "--sqa-opt-out", "-c", config))
	ready := poll(readyTimeout, 20*time.Millisecond, func() bool {
		resp, err := http.Get(h.Issuer + "/health/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200 && !p.Exited()
	})
	if !ready {
		t.Fatalf("Hydra not ready within %s", readyTimeout)
	}
	t.Logf("Hydra %s ready in %s", h.Issuer, time.Since(start).Round(time.Millisecond))
	return h
}

// admin calls Hydra's admin API and decodes the JSON answer into out.
func (h *hydra) admin(t *testing.T, method, path string, body any, out any) {
	t.Helper()
	var reader io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		reader = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, h.Admin+path, reader)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// addClient registers the interop client, allowed the given audiences.
func (h *hydra) addClient(t *testing.T, audiences ...string) {
	t.Helper()
	h.admin(t, "POST", "/admin/clients", map[string]any{
		"client_id": clientID, "client_secret": clientSecret, "grant_types": []string{"client_credentials"},
		"response_types": []string{"token"}, "scope": "create:todos read:todos delete:todos", "audience": audiences,
		"token_endpoint_auth_method": "client_secret_basic",
	}, nil)
}

// token gets an access token with form (audience, resource, scope).
func (h *hydra) token(t *testing.T, form url.Values) string {
	t.Helper()
	return clientCredentials(t, h.Issuer+"/oauth2/token", clientID, clientSecret, form).AccessToken
}

// TestHydraTokenShapes checks Hydra's JWT access tokens (typ JWT, scopes in
// an scp array, aud an array set by its audience parameter, nbf) against an
// example that trusts Hydra, which publishes only OpenID Connect discovery.
func TestHydraTokenShapes(t *testing.T) {
	h := startHydra(t)
	ex := startExample(t, "chi", "-issuer", h.Issuer)
	other := "http://127.0.0.1:1/other"
	h.addClient(t, ex.Resource, other)

	tok := h.token(t, url.Values{"audience": {ex.Resource}, "scope": {"create:todos read:todos"}})
	header, claims := jwtParts(t, tok)
	if header["typ"] != "JWT" || header["alg"] != "RS256" || header["kid"] == nil {
		t.Errorf("header %v", header)
	}
	if !sameJSON(claims["scp"], []string{"create:todos", "read:todos"}) || claims["scope"] != nil {
		t.Errorf("scopes: scp %v, scope %v", claims["scp"], claims["scope"])
	}
	if !sameJSON(claims["aud"], []string{ex.Resource}) {
		t.Errorf("aud %v", claims["aud"])
	}
	if _, ok := claims["nbf"].(float64); !ok {
		t.Errorf("nbf %v", claims["nbf"])
	}
	if claims["iss"] != h.Issuer || claims["sub"] != clientID || claims["client_id"] != clientID {
		t.Errorf("claims %v", claims)
	}

	t.Run("accepted", func(t *testing.T) {
		r := ex.WhoAmI(t, tok)
		who := r.JSON()
		if r.Status != 200 || who["issuer"] != h.Issuer || who["subject"] != clientID || who["clientId"] != clientID ||
			!sameJSON(who["scopes"], []string{"create:todos", "read:todos"}) {
			t.Fatalf("whoami: %v", r)
		}
		// create-todo's scope is read from scp by the per-tool policy.
		r = do(t, "POST", ex.MCP, tok, toolCall("create-todo", map[string]any{"content": "from Hydra"}))
		if r.Status != 200 || !strings.Contains(string(r.Body), `"content":"from Hydra"`) || !strings.Contains(string(r.Body), `"ownerId":"`+clientID+`"`) {
			t.Fatalf("create-todo: %v", r)
		}
	})
	t.Run("step-up from scp", func(t *testing.T) {
		r := do(t, "POST", ex.MCP, h.token(t, url.Values{"audience": {ex.Resource}, "scope": {"read:todos"}}), toolCall("create-todo", map[string]any{"content": "x"}))
		if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 403 || p["error"] != "insufficient_scope" || p["scope"] != "create:todos" {
			t.Fatalf("create-todo without create:todos: %v", r)
		}
	})
	t.Run("audience", func(t *testing.T) {
		// Hydra ignores RFC 8707's resource: the token has an empty aud.
		viaResource := h.token(t, url.Values{"resource": {ex.Resource}, "scope": {"read:todos"}})
		if _, c := jwtParts(t, viaResource); !sameJSON(c["aud"], []string{}) {
			t.Errorf("aud with resource=: %v", c["aud"])
		}
		for name, tok := range map[string]string{
			"resource=":        viaResource,
			"another audience": h.token(t, url.Values{"audience": {other}, "scope": {"read:todos"}}),
		} {
			r := ex.WhoAmI(t, tok)
			if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 401 || p["error"] != "invalid_token" || r.JSON()["error_code"] != "invalid_audience" {
				t.Errorf("token with %s: %v", name, r)
			}
		}
	})
	t.Run("TypeScript client", func(t *testing.T) {
		// SDK 1.32.2 asks for the resource (RFC 8707), which Hydra ignores,
		// so the token is not for this server: the SDK gives up after the
		// server's 401. Hydra needs a client that sends audience=.
		rep := runClient(t, clientConfig{URL: ex.MCP, Issuer: h.Issuer, ClientID: clientID, ClientSecret: clientSecret, Scope: "read:todos"})
		if rep.ConnectError == "" {
			t.Fatalf("connected with a token without audience: %+v", rep)
		}
		var sawToken, refused bool
		for _, x := range rep.HTTP {
			if x.URL == h.Issuer+"/oauth2/token" && x.Status == 200 && x.Form["resource"] == ex.Resource && x.Form["audience"] == "" {
				sawToken = true
			}
			if sawToken && x.URL == ex.MCP && x.AuthScheme == "Bearer" && x.Status == 401 && challengeParams(t, x.WWWAuthenticate)["error"] == "invalid_token" {
				refused = true
			}
		}
		if !sawToken || !refused {
			t.Fatalf("expected a token for resource= refused by the example; connect error %s", rep.ConnectError)
		}
	})
}

// accessTokenKeys returns the kids and algorithms of Hydra's access-token key set.
func (h *hydra) accessTokenKeys(t *testing.T) []string {
	t.Helper()
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Alg string `json:"alg"`
		} `json:"keys"`
	}
	h.admin(t, "GET", "/admin/keys/hydra.jwt.access-token", nil, &set)
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.Kid+"/"+k.Alg)
	}
	return out
}

// TestHydraKeyRotation rotates Hydra's access-token signing key live
// through its admin API, to ES256 and back to RS256, then deletes the first
// key: an example with a short -jwks-min-refresh accepts each new key's
// token on its first use, and refuses the deleted key's once it refetched.
func TestHydraKeyRotation(t *testing.T) {
	h := startHydra(t)
	const minRefresh = 100 * time.Millisecond
	ex := startExample(t, "gin", "-issuer", h.Issuer, "-jwks-min-refresh", minRefresh.String())
	slow := startExample(t, "echov5", "-issuer", h.Issuer, "-jwks-min-refresh", "1h")
	h.addClient(t, ex.Resource, slow.Resource)
	get := func(resource string) (string, map[string]any) {
		tok := h.token(t, url.Values{"audience": {resource}, "scope": {"read:todos"}})
		header, _ := jwtParts(t, tok)
		return tok, header
	}

	first, header := get(ex.Resource)
	original, _ := header["kid"].(string)
	if r := ex.WhoAmI(t, first); r.Status != 200 {
		t.Fatalf("first token: %v", r)
	}
	if tok, _ := get(slow.Resource); slow.WhoAmI(t, tok).Status != 200 {
		t.Fatal("first token, control")
	}
	fetched := time.Now()

	for _, key := range []struct{ alg, kid string }{{"ES256", "interop-es256"}, {"RS256", "interop-rs256"}} {
		h.admin(t, "POST", "/admin/keys/hydra.jwt.access-token", map[string]string{"alg": key.alg, "use": "sig", "kid": key.kid}, nil)
		tok, header := get(ex.Resource)
		if header["kid"] != key.kid || header["alg"] != key.alg {
			t.Fatalf("after adding %s: token header %v, keys %v", key.kid, header, h.accessTokenKeys(t))
		}
		waitOut(fetched, minRefresh)
		if r := ex.WhoAmI(t, tok); r.Status != 200 {
			t.Fatalf("first use of a token signed by the new %s key: %v", key.alg, r)
		}
		fetched = time.Now()
		ctl, _ := get(slow.Resource)
		if r := slow.WhoAmI(t, ctl); r.Status != 401 || !strings.Contains(challengeParams(t, r.Header.Get("WWW-Authenticate"))["error_description"], "unknown key") {
			t.Fatalf("control, new %s key within its refresh interval: %v", key.alg, r)
		}
	}

	// Delete the original key, and make the example refetch the key set
	// with a token of yet another new key.
	h.admin(t, "DELETE", "/admin/keys/hydra.jwt.access-token/"+original, nil, nil)
	if keys := h.accessTokenKeys(t); slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, original+"/") }) {
		t.Fatalf("%s still in %v", original, keys)
	}
	h.admin(t, "POST", "/admin/keys/hydra.jwt.access-token", map[string]string{"alg": "ES256", "use": "sig", "kid": "interop-es256-2"}, nil)
	tok, _ := get(ex.Resource)
	waitOut(fetched, minRefresh)
	if r := ex.WhoAmI(t, tok); r.Status != 200 {
		t.Fatalf("token of the last key: %v", r)
	}
	// The refetched set lacks the original key: its token is refused.
	r := ex.WhoAmI(t, first)
	if p := challengeParams(t, r.Header.Get("WWW-Authenticate")); r.Status != 401 || p["error"] != "invalid_token" {
		t.Fatalf("token of the deleted key %s: %v", original, r)
	}
}
